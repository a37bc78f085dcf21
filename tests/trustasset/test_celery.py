"""The Celery set-up: which queue each task goes to, and what a worker that dies mid-task leaves behind."""

from __future__ import annotations

from django.conf import settings

from recommendations.tasks import TRAINING_TIME_LIMIT
from trustasset.celery import app

QUEUE_OF_TASK = {
    "listings.tasks.inquiry_mail": "default",
    "listings.tasks.alerts_send": "default",
    "recommendations.tasks.listing_embed": "default",
    "recommendations.tasks.profiles_refresh": "default",
    "recommendations.tasks.encoder_retrain": "ml",
    "recommendations.tasks.neighbours_refresh": "ml",
    "recommendations.tasks.neighbours_refresh_chunk": "ml",
    "recommendations.tasks.sequence_model_train": "ml",
    "descriptions.tasks.description_draft": "descriptions",
}
TRAININGS = ["recommendations.tasks.encoder_retrain", "recommendations.tasks.neighbours_refresh",
             "recommendations.tasks.neighbours_refresh_chunk", "recommendations.tasks.sequence_model_train"]


def our_tasks() -> list[str]:
    app.loader.import_default_modules()  # every app's tasks.py, as a worker imports them at start
    # Celery's own tasks and those other tests define (tests.*) aside.
    return sorted(name for name in app.tasks if name.split(".")[0] in {"listings", "recommendations", "descriptions"})


def test_it_routes_every_task_to_its_queue() -> None:
    routed = {name: app.amqp.router.route({}, name)["queue"].name for name in our_tasks()}

    assert routed == QUEUE_OF_TASK


def test_it_acknowledges_every_task_late_and_runs_it_again_when_its_worker_dies() -> None:
    flags = {name: (app.tasks[name].acks_late, app.tasks[name].reject_on_worker_lost,
                    app.tasks[name].retry_on_worker_lost) for name in our_tasks()}

    assert flags == {name: (True, True, True) for name in QUEUE_OF_TASK}


def test_it_limits_trainings_and_redelivers_only_after_the_longest_could_have_ended() -> None:
    limits = {name: app.tasks[name].time_limit for name in TRAININGS}

    assert limits == {name: TRAINING_TIME_LIMIT for name in TRAININGS}
    assert app.tasks["recommendations.tasks.encoder_retrain"].max_retries == 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > TRAINING_TIME_LIMIT
