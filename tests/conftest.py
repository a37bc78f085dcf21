"""Shared fixtures. The database is the real PostgreSQL (embedded or DATABASE_URL), never SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory
from trustasset.celery import app as celery_app

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# Tests that are not about background work run tasks in-process; tests about the worker
# start a real one and switch this off.
celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"  # model artifacts: never the developer's own ./var
    cache.clear()  # rate-limit counters and log-in lockouts start afresh in every test
    # Factories make many users; the production hasher costs a large share of a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run torch on ``count`` threads inside the block: tiny models lose more to a second thread than they
    gain, and slow the other test worker."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    with torch_threads(1):
        yield


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"The sample data folder {SHARED_DATA} is missing (it sits beside the project).")
    return SHARED_DATA


@pytest.fixture
def buyer(db) -> User:
    return UserFactory(username="buyer")


@pytest.fixture
def seller(db) -> User:
    return UserFactory(username="seller")


@pytest.fixture
def other_seller(db) -> User:
    return UserFactory(username="other_seller")


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    """The test client signed in as ``admin_user`` (pytest-django's own makes another admin)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
