"""Failed log-ins per username and client address, counted in the cache (``CACHE_URL``).

``LOGIN_ATTEMPTS_LIMIT`` failures within ``LOGIN_ATTEMPTS_WINDOW`` seconds lock that username out for
that address for one more window; the log-in page, the admin's and the API's token endpoint share the counts. Other
addresses are not locked out, so a guesser cannot lock a person out of their own account from elsewhere.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

LOCKOUT_MESSAGE = "Too many failed log-ins for this username from your address."


def login_lockout_seconds(*, username: str, ip: str) -> int:
    """Seconds left of the lockout of ``username`` from ``ip``; 0 when they may try."""
    until = cache.get(_key("login-lockout", username=username, ip=ip))
    return max(0, math.ceil(until - time.time())) if until is not None else 0


def login_failure_record(*, username: str, ip: str) -> None:
    """Count one failed log-in; the one that reaches the limit starts the lockout."""
    window: int = settings.LOGIN_ATTEMPTS_WINDOW
    key = _key("login-failures", username=username, ip=ip)
    cache.add(key, 0, timeout=window)  # the window starts at the first failure
    try:
        failures = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=window)
        failures = 1
    if failures >= settings.LOGIN_ATTEMPTS_LIMIT:
        cache.set(_key("login-lockout", username=username, ip=ip), time.time() + window, timeout=window)
        cache.delete(key)


def login_failures_clear(*, username: str, ip: str) -> None:
    """A successful log-in forgets the earlier failures."""
    cache.delete(_key("login-failures", username=username, ip=ip))


def _key(prefix: str, *, username: str, ip: str) -> str:
    # Hashed: usernames may hold characters a cache key may not (spaces, for memcached). surrogatepass: a
    # JSON body may hold a lone surrogate ("\ud800"), which plain UTF-8 cannot encode (a 500).
    digest = hashlib.sha256(f"{username.casefold()}\n{ip}".encode(errors="surrogatepass")).hexdigest()
    return f"{prefix}:{digest}"
