"""/metrics: who may read it, django-prometheus's HTTP and database metrics, and our own counters with exact
deltas (the registry read before and after one action)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from descriptions import conf, services
from descriptions.models import DescriptionRequest
from listings.models import Listing, Status
from recommendations.models import NeighbourList
from registry.models import ModelVersion
from tests.factories import CarFactory, HomeFactory
from trustasset import metrics
from trustasset.celery import app as celery_app

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


@celery_app.task(name="tests.metrics.succeeds")
def succeeds() -> int:
    return 1


@celery_app.task(name="tests.metrics.fails")
def fails() -> None:
    raise ValueError("always")


@celery_app.task(name="tests.metrics.retries_once", bind=True, max_retries=1)
def retries_once(self: Any) -> None:
    if not self.request.retries:
        raise self.retry(countdown=0)


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _delta(name: str, action: Callable[[], object], **labels: str) -> float:
    before = _value(name, **labels)
    action()
    return _value(name, **labels) - before


@pytest.fixture
def metrics_readers(settings: Any) -> Any:
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1"]
    settings.METRICS_TOKEN = ""
    return settings


# Who may read it ---------------------------------------------------------------------------------

def test_it_serves_the_prometheus_text_to_an_allowed_address(client: Client, metrics_readers: Any) -> None:
    client.get("/listings/0/")  # a 404, so that the response counters have a sample

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    declared = set(re.findall(r"^# TYPE (\S+) ", response.content.decode(), flags=re.MULTILINE))
    assert {
        "django_http_requests_total_by_method_total", "django_http_responses_total_by_status_view_method_total",
        "django_db_execute_total", "django_db_query_duration_seconds", "trustasset_celery_tasks_total",
        "trustasset_recommendations_served_total", "trustasset_description_drafts_total",
    } <= declared


def test_it_answers_404_to_an_address_not_allowed(client: Client, metrics_readers: Any) -> None:
    metrics_readers.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_it_never_trusts_the_address_of_a_request_through_a_proxy(client: Client, metrics_readers: Any) -> None:
    response = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 404


def test_it_lets_a_bearer_of_the_token_read_from_anywhere(client: Client, metrics_readers: Any) -> None:
    metrics_readers.METRICS_ALLOWED_IPS = []
    metrics_readers.METRICS_TOKEN = "scrape-secret"

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


def test_it_lets_nobody_read_without_a_token_or_an_allowed_address(client: Client, metrics_readers: Any) -> None:
    metrics_readers.METRICS_ALLOWED_IPS = []

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


# django-prometheus ------------------------------------------------------------------------------

def test_it_counts_each_request_and_response(client: Client) -> None:
    def get() -> None:
        assert client.get("/listings/0/").status_code == 404

    assert _delta("django_http_requests_total_by_method_total", get, method="GET") == 1
    assert _delta("django_http_responses_total_by_status_view_method_total", get,
                  status="404", view="listing_detail", method="GET") == 1


def test_it_counts_each_database_query_through_the_wrapped_engine() -> None:
    def three_queries() -> None:
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT 1")

    assert connection.settings_dict["ENGINE"] == "django_prometheus.db.backends.postgresql"
    assert _delta("django_db_execute_total", three_queries, alias="default", vendor="postgresql") == 3


# Recommendations served ---------------------------------------------------------------------------

@pytest.fixture
def similar_homes(db) -> tuple[Listing, list[Listing]]:
    """A home with a stored list of three: two recommendable, one sold (never shown)."""
    source = HomeFactory()
    targets = [HomeFactory(), HomeFactory(), HomeFactory(status=Status.SOLD)]
    version = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True)
    NeighbourList.objects.create(version=version, source=source, target_ids=[target.pk for target in targets],
                                 scores=[0.9, 0.8, 0.7], refreshed_at=timezone.now())
    return source, targets


def test_it_counts_similar_listings_shown_on_the_page(client: Client, similar_homes: tuple[Listing, Any]) -> None:
    source, _ = similar_homes

    def open_page() -> None:
        assert client.get(f"/listings/{source.pk}/").status_code == 200

    assert _delta("trustasset_recommendations_served_total", open_page, slot="similar_page") == 2


def test_it_counts_similar_listings_returned_by_the_api(
    api_client: APIClient, similar_homes: tuple[Listing, Any]
) -> None:
    source, _ = similar_homes

    def ask() -> None:
        assert len(api_client.get(f"/api/listings/{source.pk}/similar/?limit=1").json()["results"]) == 1

    assert _delta("trustasset_recommendations_served_total", ask, slot="similar_api") == 1


def test_it_counts_feed_items_by_slot(client: Client, api_client: APIClient, buyer: User) -> None:
    HomeFactory.create_batch(3)
    CarFactory.create_batch(2)
    client.force_login(buyer)
    api_client.force_authenticate(buyer)

    def home_page() -> None:
        response = client.get("/")
        assert [len(feed["items"]) for feed in response.context["feeds"]] == [3, 2]

    def api_feed() -> None:
        assert len(api_client.get("/api/feed/?kind=home&limit=2").json()["results"]) == 2

    assert _delta("trustasset_recommendations_served_total", home_page, slot="feed_home") == 5
    assert _delta("trustasset_recommendations_served_total", api_feed, slot="feed_api") == 2


# Description drafts -------------------------------------------------------------------------------

class WrongBeds:
    """An LLM stand-in that always claims five bedrooms (so the template's draft replaces it)."""

    name = "llm"

    def draft(self, facts: Any, *, tone: str, seed: int) -> str:
        return "A lovely home with 5 bedrooms."


def _draft(seller: User) -> Callable[[], object]:
    request = DescriptionRequest.objects.create(listing=HomeFactory(seller=seller, bed=3), requested_by=seller,
                                                tone="warm")
    return lambda: services.description_draft(request_id=request.pk)


def test_it_counts_a_template_draft_that_passed(seller: User) -> None:
    assert _delta("trustasset_description_drafts_total", _draft(seller), engine="template", outcome="passed") == 1


def test_it_counts_an_llm_draft_replaced_by_the_template(seller: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conf, "engine_current", WrongBeds)

    assert _delta("trustasset_description_drafts_total", _draft(seller), engine="llm", outcome="fallback") == 1


def test_it_counts_a_draft_kept_with_findings() -> None:
    def observe() -> None:
        metrics.description_draft_observe(engine="template", written_by="template", findings=2)

    assert _delta("trustasset_description_drafts_total", observe, engine="template", outcome="findings") == 1


# Celery tasks ------------------------------------------------------------------------------------

def test_it_counts_tasks_that_succeed_and_fail_by_name() -> None:
    name = "trustasset_celery_tasks_total"

    assert _delta(name, succeeds.delay, task="tests.metrics.succeeds", outcome="succeeded") == 1
    # Not propagated, as in a worker: a propagated error leaves the task before Celery's failure signal.
    assert _delta(name, lambda: fails.apply(throw=False), task="tests.metrics.fails", outcome="failed") == 1
    assert _delta(name, succeeds.delay, task="tests.metrics.fails", outcome="failed") == 0


def test_it_counts_a_retry_and_the_run_that_follows() -> None:
    name, task = "trustasset_celery_tasks_total", "tests.metrics.retries_once"
    before = (_value(name, task=task, outcome="retried"), _value(name, task=task, outcome="succeeded"))

    retries_once.apply(throw=False)  # eagerly, the retry runs at once, inside

    after = (_value(name, task=task, outcome="retried"), _value(name, task=task, outcome="succeeded"))
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)


# Several processes -------------------------------------------------------------------------------

def test_it_adds_up_the_counts_of_every_process_in_multiprocess_mode(
    client: Client, metrics_readers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes (as two gunicorn workers would) count with PROMETHEUS_MULTIPROC_DIR set; /metrics, read
    in a third, reports their sum."""
    code = ("import django; django.setup(); from trustasset import metrics; "
            "metrics.recommendations_served(slot='feed_api', count=3)")
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
                   "DJANGO_SETTINGS_MODULE": "trustasset.settings"}
    workers = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT, env=environment)  # noqa: S603 (our code)
               for _ in range(2)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    response = client.get("/metrics")

    assert 'trustasset_recommendations_served_total{slot="feed_api"} 6.0' in response.content.decode()
