"""Log lines as JSON objects (``LOG_FORMAT=json``), each naming the request or Celery task it belongs to.

Wired in ``settings.LOGGING``: the ``context`` filter on the console handler adds ``request_id`` and
``task_id`` to every record, and ``JsonFormatter`` writes one object per line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from celery import current_task
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (the reverse proxy's) id is kept only when it cannot break a log line or a header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdMiddleware:
    """Give each request an id, the caller's ``X-Request-ID`` when it is sane or a new one, for the log lines
    written while it is handled; the response carries it back in the same header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        # Kept until the response is closed: Django logs a 4xx/5xx response after the middleware returned it.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_id_clear(**kwargs: object) -> None:
    _request_id.set(None)


request_finished.connect(_request_id_clear, dispatch_uid="trustasset.logs.request_id_clear")


class LogContextFilter(logging.Filter):
    """Adds ``request_id`` (inside a web request) and ``task_id`` (inside a Celery task), else None."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        task = current_task
        record.task_id = task.request.id if task else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, ``request_id``,
    ``task_id``, and ``exc_info`` (the formatted traceback) when the record has one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "task_id": getattr(record, "task_id", None),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)
