"""Queue background work once the current transaction commits, naming the task.

Services queue their tasks through here and never import a tasks module: each app's ``tasks.py`` imports
its services (tasks → services → selectors → models), so no import cycle forms, lazy or not. Every app
registers its tasks with the Celery app when Django starts (its ``AppConfig.ready``), as a worker's
autodiscovery does, so a name always finds its task, in a web process as in a worker or the tests.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def task_enqueue(name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Send the task registered as ``name`` (``"recommendations.tasks.listing_embed"``) with these arguments
    once the current transaction commits (at once outside one), ``countdown`` seconds later if given."""
    task = current_app.tasks[name]  # a typo fails here, in the request that queues it, not in a worker

    def send() -> None:
        if countdown is None:
            task.delay(*args, **kwargs)
        else:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown)

    transaction.on_commit(send)
