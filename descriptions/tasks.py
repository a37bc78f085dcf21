"""Thin Celery tasks for descriptions: a request id in, one service call."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from descriptions import services

logger = logging.getLogger(__name__)

# Errors that can pass on a second try: the database or a model file briefly unreachable, a GPU out of memory.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, ConnectionError, TimeoutError,
                                                      MemoryError)
MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def description_draft(self: Task, request_id: int) -> None:
    """Draft a requested description. Safe to run twice; transient errors are retried with backoff, and a
    request that still cannot be drafted is marked failed with a reason the seller can read."""
    try:
        services.description_draft(request_id=request_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=error, countdown=5 * 2 ** self.request.retries) from error
        logger.warning("Description request %s failed after %s tries: %r", request_id, MAX_RETRIES + 1, error)
        services.description_request_fail(
            request_id=request_id,
            error=f"We could not write a draft after {MAX_RETRIES + 1} tries ({type(error).__name__}: {error}). "
                  "Please ask again in a few minutes.",
        )
    except Exception as error:  # a bug: logged with its traceback, and the seller is told instead of waiting
        logger.exception("Description request %s failed", request_id)
        services.description_request_fail(
            request_id=request_id,
            error=f"We could not write a draft ({type(error).__name__}: {error}). Please ask again; we have been told.",
        )
