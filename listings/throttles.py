"""API rate limits, per scope, from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


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
