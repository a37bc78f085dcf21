"""Tasks queued by name once the transaction commits: sent to the broker, or run in-process in eager mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from recommendations import tasks
from trustasset.celery import app as celery_app
from trustasset.enqueue import task_enqueue

PROJECT = Path(__file__).resolve().parents[2]
PROFILES_REFRESH = "recommendations.tasks.profiles_refresh"


@pytest.fixture
def to_the_broker() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Eager mode off, and what would go to the broker, by name and options."""
    sent: list[tuple[str, dict[str, Any]]] = []
    celery_app.conf.update(task_always_eager=False)
    celery_app.send_task = lambda name, **options: sent.append((name, options))  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        del celery_app.send_task
        celery_app.conf.update(task_always_eager=True)


@pytest.mark.django_db
def test_it_sends_the_task_by_name_once_the_transaction_commits(
    to_the_broker: list[tuple[str, dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task_enqueue(PROFILES_REFRESH, user_id=3, session_key="", countdown=30)
        task_enqueue("listings.tasks.inquiry_mail", 7)
        assert to_the_broker == []

    assert to_the_broker == [
        (PROFILES_REFRESH, {"args": (), "kwargs": {"user_id": 3, "session_key": ""}, "countdown": 30}),
        ("listings.tasks.inquiry_mail", {"args": (7,), "kwargs": {}, "countdown": None}),
    ]


@pytest.mark.django_db
def test_it_runs_the_registered_task_itself_in_eager_mode(monkeypatch: pytest.MonkeyPatch,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    ran: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.profiles_refresh, "apply_async",
                        lambda args, kwargs, countdown: ran.append((args, kwargs, countdown)))

    with django_capture_on_commit_callbacks(execute=True):
        task_enqueue(PROFILES_REFRESH, user_id=3, countdown=30)

    assert ran == [((), {"user_id": 3}, 30)]


@pytest.mark.django_db
def test_it_fails_on_a_name_no_task_has_in_eager_mode(django_capture_on_commit_callbacks: Any) -> None:
    with pytest.raises(KeyError, match=r"recommendations\.tasks\.no_such_task"), \
            django_capture_on_commit_callbacks(execute=True):
        task_enqueue("recommendations.tasks.no_such_task", 1)


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_task_eagerly_in_a_process_that_never_loaded_its_module(tmp_path: Path) -> None:
    """CELERY_TASK_ALWAYS_EAGER in a web process or a command: nothing there imported the tasks module."""
    code = ("import json, sys, django; django.setup()\n"
            "from trustasset.enqueue import task_enqueue\n"
            "before = 'recommendations.tasks' in sys.modules\n"
            "task_enqueue('recommendations.tasks.listing_embed', 999999)\n"  # no encoder yet: it returns False
            "print(json.dumps([before, 'recommendations.tasks' in sys.modules]))")
    environment = {**os.environ, "DATABASE_URL": _database_url(), "TRUSTASSET_DATA_DIR": str(tmp_path),
                   "DJANGO_SETTINGS_MODULE": "trustasset.settings", "CELERY_TASK_ALWAYS_EAGER": "true"}

    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment,  # noqa: S603 (ours)
                              capture_output=True, text=True, timeout=180, check=False)

    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout.splitlines()[-1]) == [False, True]


def _database_url() -> str:
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))
