"""Structured logs: with LOG_FORMAT=json every record is one JSON object a line, naming the request or the
Celery task it was written in."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from trustasset import logs
from trustasset.celery import app as celery_app
from trustasset.logs import JsonFormatter, LogContextFilter

PROJECT = Path(__file__).resolve().parents[2]
KEYS = {"time", "level", "logger", "message", "request_id", "task_id"}

task_logger = logging.getLogger("tests.logs.task")


@celery_app.task(name="tests.logs.says_hello")
def says_hello() -> None:
    task_logger.info("hello from a task")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes through a handler set up as settings.LOGGING's for LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _records(stream: io.StringIO, *, logger: str) -> list[dict[str, object]]:
    return [record for record in map(json.loads, stream.getvalue().splitlines()) if record["logger"] == logger]


@pytest.mark.django_db
def test_it_names_the_request_in_its_log_lines(client: Client, json_lines: io.StringIO) -> None:
    response = client.get("/listings/0/")  # Django logs the 404 as a warning
    logging.getLogger("tests.logs").warning("after the request")

    [record] = _records(json_lines, logger="django.request")
    [after] = _records(json_lines, logger="tests.logs")
    assert after["request_id"] is None
    assert set(record) == KEYS
    assert (record["level"], record["message"], record["task_id"]) == ("WARNING", "Not Found: /listings/0/", None)
    assert record["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_it_keeps_the_request_id_a_proxy_sends_and_replaces_an_unsafe_one(client: Client) -> None:
    kept = client.get("/listings/0/", headers={"X-Request-ID": "edge-4f2a.7"})
    replaced = client.get("/listings/0/", headers={"X-Request-ID": 'bad"\nid'})

    assert kept["X-Request-ID"] == "edge-4f2a.7"
    assert replaced["X-Request-ID"] not in ('bad"\nid', "edge-4f2a.7")
    assert len(replaced["X-Request-ID"]) == 32


def test_it_names_the_task_in_its_log_lines(json_lines: io.StringIO) -> None:
    # A WSGI caller that never closes its response (the schemathesis run in this process) leaves the last
    # request's id set; a worker process never serves requests, so start as one does.
    logs._request_id_clear()
    says_hello.apply(task_id="task-42")

    [record] = _records(json_lines, logger="tests.logs.task")
    assert (record["message"], record["task_id"], record["request_id"]) == ("hello from a task", "task-42", None)


def test_it_writes_the_traceback_into_the_object(json_lines: io.StringIO) -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("tests.logs").exception("it broke")

    [record] = _records(json_lines, logger="tests.logs")
    assert set(record) == {*KEYS, "exc_info"}
    assert record["message"] == "it broke"
    assert str(record["exc_info"]).endswith("ValueError: broken")


def test_it_logs_json_lines_when_log_format_is_json() -> None:
    """Through settings.LOGGING as a process started with LOG_FORMAT=json configures it."""
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('trustasset.probe').warning('disk %s%% full', 91)")
    environment = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "trustasset.settings"}
    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment,  # noqa: S603 (our code)
                              capture_output=True, text=True, timeout=120, check=True)

    [line] = [line for line in finished.stderr.splitlines() if "trustasset.probe" in line]
    record = json.loads(line)
    assert set(record) == KEYS
    assert (record["level"], record["logger"], record["message"], record["request_id"], record["task_id"]) == (
        "WARNING", "trustasset.probe", "disk 91% full", None, None,
    )
