"""Django's Redis cache backend, keeping its redis-py clients.

Django's builds a new ``redis.Redis`` for every cache call, and setting one up (its table of reply parsers)
took about 0.1 ms, more than the call itself; a listing page makes two or three calls (a rate-limit counter,
its similar section). A client is safe to share between threads; each call still takes a connection from the
pool. ``CACHE_URL=redis://…`` selects this backend (settings.py).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django: Any = self  # Django's own attributes, which its type stubs leave out
        index = django._get_connection_pool_index(write)  # a random replica for reads when there are several
        client = self._clients.get(index)
        if client is None:
            if index not in django._pools:
                django._pools[index] = django._pool_class.from_url(django._servers[index], **django._pool_options)
            client = self._clients[index] = django._client(connection_pool=django._pools[index])
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
