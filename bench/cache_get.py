"""A cache ``get`` round-trip against Redis, django-redis beside Django's own Redis backend, in one run.

    .venv/bin/python bench/cache_get.py [--url redis://127.0.0.1:6379/12] [--calls 20000]

Each backend reads one kept key (a listing page's similar section, about 4 KB) ``--calls`` times; the figure
is the median of five rounds, in µs per call. Baseline: Django's ``RedisCache``, which builds a new redis-py
client for every call; ``CACHE_URL=redis://…`` selects django-redis (trustasset/settings.py), which keeps one
client and connection pool per server. Writes only its own key in the database the URL names (default 12, a
database no test or development process uses). Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from bench.database import django_setup  # noqa: E402

BACKENDS = {
    "Django's RedisCache (baseline)": "django.core.cache.backends.redis.RedisCache",
    "django-redis": "django_redis.cache.RedisCache",
}
KEY = "bench-cache-get"
ROUNDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/12", help="a Redis database (default %(default)s)")
    parser.add_argument("--calls", type=int, default=20_000, help="gets per round (default %(default)s)")
    args = parser.parse_args()
    django_setup()
    from django.utils.module_loading import import_string

    caches = {name: import_string(path)(args.url, {"KEY_PREFIX": "bench"}) for name, path in BACKENDS.items()}
    next(iter(caches.values())).set(KEY, ("<section>" + "x" * 4000 + "</section>", 3), timeout=60)
    for cache in caches.values():
        assert cache.get(KEY) is not None  # warm: the first call connects
    rounds: dict[str, list[float]] = {name: [] for name in caches}
    for _ in range(ROUNDS):  # the backends take turns, so a busy moment of the machine hits them alike
        for name, cache in caches.items():
            rounds[name].append(_call_us(cache, calls=args.calls))
    next(iter(caches.values())).delete(KEY)
    figures = {name: statistics.median(times) for name, times in rounds.items()}
    baseline = next(iter(figures.values()))
    for name, microseconds in figures.items():
        print(f"{name:32} {microseconds:7.1f} µs per get   {baseline / microseconds:4.2f}× the baseline's speed")


def _call_us(cache: Any, *, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        cache.get(KEY)
    return (time.perf_counter() - started) / calls * 1e6


if __name__ == "__main__":
    main()
