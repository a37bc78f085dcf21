"""The recommender's admin: versions and refresh runs, rollback, retrain, and beat's schedule from the migration."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from recommendations import tasks
from recommendations.models import InterestProfile, NeighbourRefresh
from registry.models import ModelVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERSIONS = reverse("admin:registry_modelversion_changelist")
REFRESHES = reverse("admin:recommendations_neighbourrefresh_changelist")
STARTED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
beat_schedule = importlib.import_module("recommendations.migrations.0003_beat_schedule")


def _version(*, kind: str = "home", status: str = "ready", active: bool = False, **fields: Any) -> ModelVersion:
    return ModelVersion.objects.create(kind=kind, algorithm="autoencoder", status=status, active=active, **fields)


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def _act(client: Client, action: str, versions: list[ModelVersion]) -> list[str]:
    """Run an admin action on ``versions``; the messages it left."""
    response = client.post(VERSIONS, {"action": action, "_selected_action": [v.pk for v in versions]}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def _active_ids() -> list[int]:
    return list(ModelVersion.objects.filter(active=True).values_list("pk", flat=True))


# Lists and pages -------------------------------------------------------------------------------

def test_it_lists_versions_with_their_key_metrics(admin_client: Client) -> None:
    _version(active=True, metrics={"val_mse": 0.0123456, "rows": 1234567, "mean_baseline_factor": 4.5})
    _version(kind="car", status="failed")

    response = admin_client.get(VERSIONS)

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert ('<td class="field-val_mse">0.01235</td><td class="field-rows">1,234,567</td>'
            '<td class="field-mean_baseline_factor">4.50</td>') in content
    assert '<td class="field-val_mse">—</td>' in content


def test_it_shows_a_version_read_only_with_params_metrics_and_error(admin_client: Client) -> None:
    version = _version(status="failed", params={"epochs": 40}, metrics={"rows": 25}, error="RuntimeError('boom')")

    response = admin_client.get(reverse("admin:registry_modelversion_change", args=[version.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert '<pre>{\n  &quot;epochs&quot;: 40\n}</pre>' in content
    assert '<pre>{\n  &quot;rows&quot;: 25\n}</pre>' in content
    assert "<pre>RuntimeError(&#x27;boom&#x27;)</pre>" in content


def test_it_lists_refresh_runs_read_only(admin_client: Client) -> None:
    version = _version(active=True)
    NeighbourRefresh.objects.create(kind="home", version=version, incremental=True, started_at=STARTED,
                                    finished_at=STARTED + timedelta(seconds=42), listings=120, seconds=42.0,
                                    chunks_total=4, finished_chunks=[1, 20, 40])

    response = admin_client.get(REFRESHES)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert '<td class="field-chunks">3 / 4</td>' in response.content.decode()
    assert admin_client.get(reverse("admin:recommendations_neighbourrefresh_add")).status_code == 403


def test_it_shows_the_recommender_to_admin_users_only(client: Client) -> None:
    client.force_login(UserFactory(username="staff_without_permissions", is_staff=True))
    staff = client.get(VERSIONS)
    client.force_login(UserFactory(username="plain_user"))
    plain = client.get(VERSIONS)

    assert staff.status_code == 403
    assert (plain.status_code, plain.url) == (302, f"/admin/login/?next={VERSIONS}")


# Actions ---------------------------------------------------------------------------------------

def test_it_rolls_back_to_an_older_ready_version(admin_client: Client) -> None:
    older = _version()
    current = _version(active=True)
    car = _version(kind="car", active=True)

    messages = _act(admin_client, "activate", [older])

    assert messages == [f"Version {older.pk} is now the active home encoder."]
    assert sorted(_active_ids()) == sorted([older.pk, car.pk])
    current.refresh_from_db()
    assert current.active is False


def test_it_refuses_to_activate_a_failed_version(admin_client: Client) -> None:
    failed = _version(status="failed")
    current = _version(active=True)

    messages = _act(admin_client, "activate", [failed])

    assert messages == [f"Version {failed.pk} is failed; only a ready version can be activated."]
    assert _active_ids() == [current.pk]


def test_it_activates_one_version_at_a_time(admin_client: Client) -> None:
    first, second = _version(), _version()

    messages = _act(admin_client, "activate", [first, second])

    assert messages == ["Select exactly one version to activate."]
    assert _active_ids() == []


def test_it_queues_one_retrain_per_kind_after_the_commit(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.encoder_retrain, "delay", lambda *args: queued.append(args))
    versions = [_version(), _version(status="failed"), _version(kind="car")]

    with django_capture_on_commit_callbacks() as callbacks:
        messages = _act(admin_client, "retrain", versions)
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
