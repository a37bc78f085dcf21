"""The Redis cache backend (CACHE_URL=redis://…, django-redis) against the real server, keeping its clients."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django_redis.cache import RedisCache

from tests.integration.conftest import FIRST_REDIS_DB, REDIS_HOST, REDIS_PORT, redis_reachable


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    if not redis_reachable():
        pytest.skip(f"No Redis on {REDIS_HOST}:{REDIS_PORT} (CI machines have it).")
    database = FIRST_REDIS_DB + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    cache = RedisCache(f"redis://{REDIS_HOST}:{REDIS_PORT}/{database}", {"KEY_PREFIX": "cache-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_it_stores_and_reads_back_through_one_kept_client(redis_cache: RedisCache) -> None:
    redis_cache.set("section", ("<ol></ol>", 3), timeout=60)
    redis_cache.set_many({"a": 1, "b": 2}, timeout=60)

    assert redis_cache.get("section") == ("<ol></ol>", 3)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert redis_cache.incr("a") == 2
    client = redis_cache.client.get_client(write=False)
    assert redis_cache.client.get_client(write=True) is client  # one server: one client, reads and writes
    assert client.ttl(redis_cache.client.make_key("section")) in range(55, 61)


def test_it_counts_failures_from_nothing_as_the_log_in_lockout_does(redis_cache: RedisCache) -> None:
    """accounts/login_attempts.py: add() starts a window at 0, incr() counts, incr() of a gone key fails."""
    assert redis_cache.add("failures", 0, timeout=60) is True
    assert redis_cache.add("failures", 0, timeout=60) is False
    assert [redis_cache.incr("failures") for _ in range(3)] == [1, 2, 3]
    with pytest.raises(ValueError):
        redis_cache.incr("gone")


def test_it_keeps_a_client_per_server_and_reads_from_the_replicas(redis_cache: RedisCache) -> None:
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{FIRST_REDIS_DB}"
    replicated = RedisCache([url, url, url], {}).client

    writer = replicated.get_client(write=True)
    readers = {id(replicated.get_client(write=False)) for _ in range(50)}

    assert replicated.get_client(write=True) is writer
    assert id(writer) not in readers and len(readers) == 2
