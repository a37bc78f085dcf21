"""Latency of ``GET /api/listings/{id}/similar/`` at scale, beside a minimal JSON view in the same run.

    .venv/bin/python bench/similar_api.py [--listings 1000000] [--requests 2000] [--reuse DATABASE]

Builds its own database, ``bench_similar`` (created, migrated, dropped at the end; your data is not
touched): ``--listings`` generated homes, an active encoder version and a stored 50-long neighbour
list per listing (random targets: the read path does not care how they were computed). Then it
times ``--requests`` requests for random listings through Django's full stack as gunicorn calls it
(``trustasset.wsgi.application``, with the web process's start-up: URL routing, middleware, DRF,
serializer, JSON) against a view that returns ``{"ok": true}`` through the same stack, and prints
p50 / p99 / mean per view and the ratio of means (goal: ≤ 1.5×, p99 ≤ 15 ms). ``--reuse DATABASE`` reads
a database another bench already loaded (``bench/load.sh``'s ``bench_load``, say) instead of building one:
its listings with a stored list, nothing written. Not part of the test run.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bench.database import bench_database, django_setup, listings_generate, neighbour_lists_load

BENCH_DATABASE = "bench_similar"
LIST_LENGTH = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--reuse", metavar="DATABASE", help="an already loaded bench database to read")
    args = parser.parse_args()
    django_setup()
    if args.reuse:
        _measure(ids=_reused(args.reuse), requests=args.requests)
        return
    with bench_database(BENCH_DATABASE):
        ids = _populate(listings=args.listings)
        _measure(ids=ids, requests=args.requests)


def _populate(*, listings: int) -> list[int]:
    from django.utils import timezone

    from registry.models import ModelVersion

    ids = listings_generate(homes=listings).tolist()
    version = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True,
                                          activated_at=timezone.now())
    neighbour_lists_load(version=version, ids=ids, length=LIST_LENGTH)
    return ids


def _reused(name: str) -> list[int]:
    """Point the connection at database ``name`` and return the ids of its listings with a stored list."""
    from django.db import connection

    from recommendations.models import NeighbourList

    connection.close()
    connection.settings_dict["NAME"] = name
    ids = list(NeighbourList.objects.filter(version__active=True).values_list("source_id", flat=True))
    print(f"reusing database {name}: {len(ids):,} listings with a stored list", flush=True)
    return ids


def _measure(*, ids: list[int], requests: int) -> None:
    from django.test import override_settings

    from trustasset.wsgi import application

    rng = random.Random(2)
    sample = [rng.choice(ids) for _ in range(requests)]
    with override_settings(ROOT_URLCONF="bench.similar_api_urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for pk in sample[:50]:  # warm-up: connections, caches, imports
            _get(application, f"/api/listings/{pk}/similar/", "limit=10")
            _get(application, "/bench/minimal/")
        similar = _timings(application, [(f"/api/listings/{pk}/similar/", "limit=10") for pk in sample])
        minimal = _timings(application, [("/bench/minimal/", "")] * requests)
    for name, timings in (("similar", similar), ("minimal", minimal)):
        quantiles = statistics.quantiles(timings, n=100)
        print(f"{name:>8}: p50 {quantiles[49]:6.2f} ms  p99 {quantiles[98]:6.2f} ms  mean {statistics.fmean(timings):6.2f} ms")
    print(f"ratio of means similar / minimal: {statistics.fmean(similar) / statistics.fmean(minimal):.2f}x")


def _timings(application: Any, requests: list[tuple[str, str]]) -> list[float]:
    timings = []
    for path, query in requests:
        started = time.perf_counter()
        status = _get(application, path, query)
        timings.append((time.perf_counter() - started) * 1000)
        assert status.startswith("200 "), (path, status)
    return timings


def _get(application: Any, path: str, query: str = "") -> str:
    """GET ``path?query`` as a WSGI server would (body read and closed); the status line. Django's test
    client is not used: it connects signal receivers per request whose finalizers it never drops, and the
    growing heap slowed the collector over a run."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    statuses: list[str] = []
    result = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(result)
    finally:
        result.close()
    return statuses[0]


if __name__ == "__main__":
    main()
