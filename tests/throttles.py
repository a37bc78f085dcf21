"""Rate limits for a test: ``throttle_rates(settings, interactions="3/min")`` through pytest-django's
``settings`` fixture (restored after the test); the other scopes keep their rates."""

from __future__ import annotations

from typing import Any


def throttle_rates(settings: Any, **changes: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **changes},
    }
