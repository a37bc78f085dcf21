"""Health probes for a load balancer or an orchestrator.

``GET /health/live/``: 200 while the process answers requests; it touches nothing else (restart the
process when it fails). ``GET /health/ready/``: 200 when the database, the cache and the Celery broker
all answer, else 503 (send it no traffic). The body names each check with "ok" or "error" and nothing
more; what went wrong is logged, with the check's name.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    checks = {name: _outcome(name, check) for name, check in CHECKS.items()}
    healthy = all(outcome == "ok" for outcome in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _outcome(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception:
        logger.exception("Health check %s failed", name)
        return "error"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key, token = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex  # a key per probe: probes run side by side
    cache.set(key, token, timeout=10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the cache did not give back what was just stored in it")
    finally:
        cache.delete(key)


def _broker() -> None:
    from trustasset.celery import app

    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "broker": _broker}
