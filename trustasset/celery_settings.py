"""The Celery app's configuration: Django's settings, read once this process is prepared.

A worker or beat process (``celery -A trustasset …``) reads its configuration before anything else of ours
runs: importing this module is its entry point (``trustasset.startup``). In the web process, a command or the
tests the entry point has already run, and this only hands Django's settings over.
"""

from __future__ import annotations

from trustasset.startup import folders_ensure, process_prepare

process_prepare()

from django.conf import settings  # noqa: E402 (after the database is named)

folders_ensure()

__all__ = ["settings"]
