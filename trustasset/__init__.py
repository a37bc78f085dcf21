from __future__ import annotations

from trustasset.celery import app as celery_app

__all__ = ["celery_app"]
