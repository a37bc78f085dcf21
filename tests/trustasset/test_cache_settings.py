"""CACHE_URL picks the cache backend (trustasset/settings.py): django-redis for a Redis URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def caches_under(cache_url: str) -> dict[str, object]:
    """settings.CACHES in a fresh process under ``CACHE_URL``; the database named is never contacted."""
    environment = {**os.environ, "CACHE_URL": cache_url, "DATABASE_URL": "postgres://trustasset@db.invalid/trustasset",
                   "DJANGO_SETTINGS_MODULE": "trustasset.settings"}
    probe = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, env=environment,  # noqa: S603 (our code)
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize(("cache_url", "expected"), [
    ("redis://redis.invalid:6379/1", {"BACKEND": "django_redis.cache.RedisCache",
                                      "LOCATION": "redis://redis.invalid:6379/1"}),
    ("redis://redis.invalid:6379/1?socket_timeout=0.5", {"BACKEND": "django_redis.cache.RedisCache",
                                                         "LOCATION": "redis://redis.invalid:6379/1",
                                                         "OPTIONS": {"SOCKET_TIMEOUT": 0.5}}),
    ("locmemcache://", {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": ""}),
])
def test_it_takes_the_backend_from_the_url(cache_url: str, expected: dict[str, object]) -> None:
    assert caches_under(cache_url) == {"default": expected}
