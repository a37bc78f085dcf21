"""The health probes: live touches nothing, ready answers 200 only when the database, the cache and the
broker all answer, and 503 naming the one that does not (its reason goes to the log, not the body)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.test_deploy_check import PROJECT, production_environment
from trustasset.celery import app as celery_app

pytestmark = pytest.mark.django_db

ALL_OK = {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
CLOSED_PORT = 9  # discard: nothing listens there on the test machines


def test_live_answers_without_touching_the_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("health_live"))

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_ready_answers_200_when_everything_answers(client: Client) -> None:
    response = client.get(reverse("health_ready"))

    assert (response.status_code, response.json()) == (200, ALL_OK)


def test_ready_answers_503_naming_an_unreachable_broker(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{CLOSED_PORT}/0")

    response = client.get(reverse("health_ready"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {**ALL_OK["checks"], "broker": "error"}}
    assert [record.getMessage() for record in caplog.records if record.name == "trustasset.health"] == [
        "Health check broker failed"
    ]


def test_ready_answers_503_naming_an_unreachable_cache(client: Client, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0"}}

    response = client.get(reverse("health_ready"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {**ALL_OK["checks"], "cache": "error"}}


def test_probes_are_not_sent_to_https_in_production(tmp_path: Path) -> None:
    """Under the production environment (HTTPS redirect on), a probe over plain HTTP is answered, a page is
    redirected; the probe reaches no server (the environment's database and Redis are .invalid hosts)."""
    probe = (
        "import django; django.setup(); from django.test import Client; "
        "client = Client(HTTP_HOST='trustasset.example'); "
        "print(client.get('/health/live/').status_code, client.get('/').status_code)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT,  # noqa: S603 (our code)
                            env=production_environment(tmp_path), capture_output=True, text=True, timeout=120,
                            check=False)

    assert (result.returncode, result.stdout) == (0, "200 301\n"), result.stderr
