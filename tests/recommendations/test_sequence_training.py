"""Training the next-item model from outside: the command, the nightly task and its schedule."""

from __future__ import annotations

import importlib
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from listings.models import Listing
from recommendations import tasks
from registry.models import ModelVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_models_dir")]

sequence_schedule = importlib.import_module("recommendations.migrations.0007_sequence_beat_schedule")


def test_it_schedules_nightly_training_per_kind() -> None:
    # A transactional test flushes migration-made rows from a reused test database: recreate them the
    # way the migration does (it updates rows that exist).
    sequence_schedule.schedule_create(apps, None)
    rows = PeriodicTask.objects.filter(task="recommendations.tasks.sequence_model_train").order_by("name")

    assert [(row.name, row.args, row.crontab.hour, row.crontab.minute) for row in rows] == [
        ("Retrain car next-item model (nightly)", '["car"]', "5", "0"),
        ("Retrain home next-item model (nightly)", '["home"]', "5", "0"),
    ]


def test_it_trains_from_the_command_line(cycle: list[Listing]) -> None:
    out = StringIO()

    call_command("train_sequence_model", "--kind", "home", "--max-epochs", "2", stdout=out, verbosity=0)

    version = ModelVersion.objects.get(algorithm="sasrec", active=True)
    assert out.getvalue().startswith(f"home: version {version.pk} active — 12 users, 6 items, validation NDCG@10 ")
    assert version.metrics["epochs_run"] <= 2


def test_it_explains_why_it_cannot_train_from_the_command_line(cycle: list[Listing]) -> None:
    ModelVersion.objects.create(kind="car", algorithm="autoencoder", status="ready", active=True)
    with pytest.raises(CommandError, match=r"0 users interacted with two or more car listings; training needs 10\."):
        call_command("train_sequence_model", "--kind", "car")


def test_the_nightly_task_trains_or_waits_for_data(cycle: list[Listing], caplog: Any) -> None:
    assert tasks.sequence_model_train.delay("car").get() is None
    assert "No car next-item model trained: No active car encoder" in caplog.text

    version_id = tasks.sequence_model_train.delay("home").get()

    assert ModelVersion.objects.get(algorithm="sasrec", active=True).pk == version_id
