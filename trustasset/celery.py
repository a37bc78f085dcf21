"""The Celery application; tasks live in each app's ``tasks.py``.

Importing it starts nothing: its configuration (``trustasset/celery_settings.py``) is read on first use,
and that is where a worker or beat process prepares itself (the embedded database, the broker's folders).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_failure, task_retry, task_success

from trustasset import metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustasset.settings")

app = Celery("trustasset")
app.config_from_object("trustasset.celery_settings:settings", namespace="CELERY")
app.autodiscover_tasks()

# Tasks run, failed and retried by name, for /metrics (in every worker process; see trustasset/metrics.py).
task_success.connect(metrics.task_succeeded)
task_failure.connect(metrics.task_failed)
task_retry.connect(metrics.task_retried)
