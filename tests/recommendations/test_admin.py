"""The recommender's admin: refresh runs, retraining from the version list, profiles, and beat's schedule from the
migration."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from recommendations import tasks
from recommendations.models import InterestProfile, NeighbourRefresh
from tests.factories import UserFactory
from tests.registry.conftest import version_action, version_create

pytestmark = pytest.mark.django_db

REFRESHES = reverse("admin:recommendations_neighbourrefresh_changelist")
STARTED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
beat_schedule = importlib.import_module("recommendations.migrations.0003_beat_schedule")


# Lists and pages -------------------------------------------------------------------------------

def test_it_lists_refresh_runs_read_only(admin_client: Client) -> None:
    version = version_create(active=True)
    NeighbourRefresh.objects.create(kind="home", version=version, incremental=True, started_at=STARTED,
                                    finished_at=STARTED + timedelta(seconds=42), listings=120, seconds=42.0,
                                    chunks_total=4, finished_chunks=[1, 20, 40])

    response = admin_client.get(REFRESHES)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert '<td class="field-chunks">3 / 4</td>' in response.content.decode()
    assert admin_client.get(reverse("admin:recommendations_neighbourrefresh_add")).status_code == 403


# Actions ---------------------------------------------------------------------------------------

def test_it_queues_one_retrain_per_kind_after_the_commit(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.encoder_retrain, "delay", lambda *args: queued.append(args))
    versions = [version_create(), version_create(status="failed"), version_create(kind="car")]

    with django_capture_on_commit_callbacks() as callbacks:
        messages = version_action(admin_client, "retrain", versions)
        assert queued == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()

    assert messages == ["Retraining queued for: car, home."]
    assert queued == [("car",), ("home",)]


# Beat's schedule -------------------------------------------------------------------------------

SCHEDULE = [
    ("Refresh similar cars (hourly, incremental)", "recommendations.tasks.neighbours_refresh", "[]",
     '{"kind": "car", "incremental": true}', "15", "*"),
    ("Refresh similar homes (hourly, incremental)", "recommendations.tasks.neighbours_refresh", "[]",
     '{"kind": "home", "incremental": true}', "15", "*"),
    ("Retrain car encoder (nightly)", "recommendations.tasks.encoder_retrain", '["car"]', "{}", "0", "3"),
    ("Retrain home encoder (nightly)", "recommendations.tasks.encoder_retrain", '["home"]', "{}", "0", "3"),
]


def _schedule() -> list[tuple[str, ...]]:
    """The rows migration 0003 manages (later migrations schedule other tasks)."""
    return list(
        PeriodicTask.objects.filter(task__in=["recommendations.tasks.encoder_retrain",
                                              "recommendations.tasks.neighbours_refresh"]).order_by("name")
        .values_list("name", "task", "args", "kwargs", "crontab__minute", "crontab__hour")
    )


def test_it_schedules_nightly_retrains_and_hourly_refreshes_in_utc() -> None:
    # A transactional test flushes migration-made rows from a reused test database: recreate them
    # the way the migration does (it is idempotent, as the next test shows).
    beat_schedule.schedule_create(apps, None)
    tasks_ = PeriodicTask.objects.filter(task__startswith="recommendations.").select_related("crontab")

    assert _schedule() == SCHEDULE
    assert {(str(task.crontab.timezone), task.crontab.day_of_week, task.crontab.day_of_month,
             task.crontab.month_of_year, task.enabled) for task in tasks_} == {("UTC", "*", "*", "*", True)}


def test_it_removes_the_schedule_when_the_migration_is_reversed_and_restores_it_once() -> None:
    beat_schedule.schedule_delete(apps, None)
    removed = (_schedule(), CrontabSchedule.objects.filter(minute__in=["0", "15"], hour__in=["3", "*"]).count())
    beat_schedule.schedule_create(apps, None)
    beat_schedule.schedule_create(apps, None)

    assert removed == ([], 0)
    assert _schedule() == SCHEDULE


def test_it_lists_interest_profiles_read_only(admin_client: Client) -> None:
    user = UserFactory(username="profiled")
    InterestProfile.objects.create(user=user, kind="home", intent="buyer", listings=4,
                                   target_price_sale=Decimal(250_000), computed_at=timezone.now())

    listing = admin_client.get("/admin/recommendations/interestprofile/")

    assert listing.status_code == 200
    assert "home profile of user" in listing.content.decode()
    assert admin_client.get("/admin/recommendations/interestprofile/add/").status_code == 403
