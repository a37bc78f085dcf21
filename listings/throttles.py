"""Rate limits, per scope, from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: the API's throttles, and the
same budgets applied to the pages that do the same things (one counter per scope and person)."""

from __future__ import annotations

import math
from typing import cast

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView


class ScopedSettingsRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` (keyed by user, else client IP) reading the rate at request time.

    DRF copies the rates into the throttle class when it is imported, so a changed setting
    (``override_settings`` in tests, a reloaded configuration) would otherwise never apply.
    """

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No rate set for the {self.scope!r} throttle scope.")
        rate = rates[self.scope]
        return None if rate is None else str(rate)


class WritesScopedRateThrottle(ScopedSettingsRateThrottle):
    """Counts only the requests that change something: reading (a list of favorites) spends no budget."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class PageRateThrottle(ScopedSettingsRateThrottle):
    """An API scope's rate limit on a page: the same rate and the same counter (the user, else the client IP),
    so the page and its API twin share one budget."""

    def __init__(self, *, scope: str) -> None:
        super().__init__()
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow(self, request: HttpRequest) -> bool:
        """Count this request; False once the budget is spent (the request is then not counted)."""
        # The throttle reads only ``request.user`` and ``request.META``, which a page's request has too.
        return SimpleRateThrottle.allow_request(self, cast(Request, request), cast(APIView, None))

    def wait_minutes(self) -> int:
        """Whole minutes (at least one) until the budget allows another request."""
        return max(1, math.ceil((self.wait() or 0) / 60))


def client_ip(request: HttpRequest | Request) -> str:
    """The client's address behind ``NUM_PROXIES`` reverse proxies, as the throttles see it."""
    return str(BaseThrottle().get_ident(cast(Request, request)) or "")
