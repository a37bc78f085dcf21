"""Queue background work once the current transaction commits, naming the task.

Services queue their tasks through here and never import a tasks module: each app's ``tasks.py`` imports its
services at its top (tasks → services → selectors → models), so no import cycle forms, lazy or not, and the
web process, which only queues, never loads a tasks module nor what the tasks need (torch, pandas). Workers
load them (the Celery app's autodiscovery). In eager mode (the tests, ``CELERY_TASK_ALWAYS_EAGER``) a task runs
in the process that queues it, which then loads its module.
"""

from __future__ import annotations

import importlib
from typing import Any

from celery import current_app
from django.db import transaction


def task_enqueue(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send the task registered as ``name`` (``"recommendations.tasks.listing_embed"``) with these arguments
    once the current transaction commits (at once outside one), ``countdown`` seconds later if given. Routed
    to its queue by name (``CELERY_TASK_ROUTES``)."""

    def send() -> None:
        app = current_app
        if app.conf.task_always_eager:  # send_task never runs in-process: eager mode needs the task itself
            importlib.import_module(name.rpartition(".")[0])  # registers its tasks (a no-op once loaded)
            task = app.tasks[name]
            if countdown is None:
                task.delay(*args, **kwargs)
            else:
                task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
        else:
            app.send_task(name, args=args, kwargs=kwargs, countdown=countdown)

    transaction.on_commit(send)
