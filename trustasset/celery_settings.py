"""The Celery app's configuration: Django's settings, read once this process is prepared.

A worker or beat process (``celery -A trustasset …``) reads its configuration before anything else of ours
runs: importing this module is its entry point (``trustasset.startup``). The web process, a command or the tests
loaded the settings through their own entry point before they first queue a task: then this only hands the
settings over.
"""

from __future__ import annotations

from django.conf import settings

from trustasset.startup import folders_ensure, process_prepare

if not settings.configured:
    process_prepare()
    folders_ensure()

__all__ = ["settings"]
