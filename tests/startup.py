"""The test run's entry point (``-p tests.startup`` in pyproject.toml): before pytest-django loads the settings,
start or join the embedded database when DATABASE_URL is unset, as manage.py does (trustasset/startup.py)."""

from __future__ import annotations

import pytest

from trustasset.startup import process_prepare


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests() -> None:
    process_prepare()
