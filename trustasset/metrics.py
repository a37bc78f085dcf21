"""Our own Prometheus counters, and the ``/metrics`` view with who may read it.

django-prometheus adds the HTTP and database metrics (``django_http_*``, ``django_db_*``); the
counters here say what the marketplace did. Every metric name lives in this module.

A counter lives in the process that increments it. With several processes (gunicorn workers, a Celery
worker's prefork children), set ``PROMETHEUS_MULTIPROC_DIR`` to one directory shared by the web and
worker processes of a host, emptied before they start: prometheus_client then keeps each process's
values in files there and ``/metrics`` adds them up, task counters included.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from celery import Task
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import Counter

# Where recommendations are shown (the ``slot`` label).
SLOT_FEED_HOME = "feed_home"  # the home page's feed shelves
SLOT_FEED_API = "feed_api"  # GET /api/feed/
SLOT_SIMILAR_PAGE = "similar_page"  # "Similar homes/cars" on a listing's page
SLOT_SIMILAR_API = "similar_api"  # GET /api/listings/{id}/similar/

# How a description draft came out (the ``outcome`` label).
DRAFT_PASSED = "passed"  # the asked engine's draft has no finding
DRAFT_FINDINGS = "findings"  # the asked engine's draft kept findings (the template engine is never retried)
DRAFT_FALLBACK = "fallback"  # the asked engine never passed the checks: the template engine's draft replaced it

TASKS = Counter(
    "trustasset_celery_tasks", "Celery task runs that ended, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
RECOMMENDATIONS_SERVED = Counter(
    "trustasset_recommendations_served",
    "Listings shown as recommendations, by slot (feed_home, feed_api, similar_page, similar_api).", ["slot"],
)
DESCRIPTION_DRAFTS = Counter(
    "trustasset_description_drafts",
    "Description drafts written, by the engine asked and the check outcome (passed, findings, fallback).",
    ["engine", "outcome"],
)


def recommendations_served(*, slot: str, count: int) -> None:
    """Count ``count`` listings shown in ``slot`` (one of the ``SLOT_*`` constants)."""
    RECOMMENDATIONS_SERVED.labels(slot=slot).inc(count)


def description_draft_observe(*, engine: str, written_by: str, findings: int) -> None:
    """Count one draft asked of ``engine``, written by ``written_by`` (the template engine when it fell back),
    with ``findings`` findings of the fact and fair-housing checks."""
    outcome = DRAFT_FALLBACK if written_by != engine else (DRAFT_FINDINGS if findings else DRAFT_PASSED)
    DESCRIPTION_DRAFTS.labels(engine=engine, outcome=outcome).inc()


# Celery signal receivers, connected in trustasset/celery.py; the sender is the task.

def task_succeeded(sender: Task | None = None, **kwargs: Any) -> None:
    TASKS.labels(task=_task_name(sender), outcome="succeeded").inc()


def task_failed(sender: Task | None = None, **kwargs: Any) -> None:
    TASKS.labels(task=_task_name(sender), outcome="failed").inc()


def task_retried(sender: Task | None = None, **kwargs: Any) -> None:
    TASKS.labels(task=_task_name(sender), outcome="retried").inc()


def _task_name(task: Task | None) -> str:
    return str(getattr(task, "name", None) or "unknown")


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format (every process's values in multiprocess mode), for allowed readers only;
    anyone else gets a 404, as if there were nothing here."""
    # Imported here: django_prometheus reads its settings on import, and this module is imported while the
    # settings themselves load (trustasset/__init__ -> celery).
    from django_prometheus.exports import ExportToDjangoView

    if not metrics_reader_allowed(request):
        raise Http404
    return ExportToDjangoView(request)


def metrics_reader_allowed(request: HttpRequest) -> bool:
    """True for a request carrying ``Authorization: Bearer <METRICS_TOKEN>`` (when a token is set), or one
    connected directly from an address in ``METRICS_ALLOWED_IPS`` (addresses or networks). A request that
    came through a proxy (X-Forwarded-For) is never allowed by address: its REMOTE_ADDR is the proxy's."""
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)
