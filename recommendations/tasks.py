"""Thin Celery tasks for recommendations: ids and kinds in, one service call each.

Workers, management commands and the tests import this module; the web process and the services queue these
tasks by name (``trustasset/enqueue.py``), so the services below, with torch and pandas, never load there.

Every task is safe to run twice (acks_late and a rerun after a lost worker are global, see settings):
an embedding or a list is overwritten with the same rows, a profile is recomputed, and a training run
twice leaves two versions, the newer one active. The trainings (queue ``ml``, see CELERY_TASK_ROUTES)
have time limits; the broker's visibility timeout must outlast them. The short tasks retry a database
that is briefly unreachable; a training does not (the next scheduled run starts it again).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recommendations import conf
from recommendations.actors import Actor
from recommendations.services import embeddings, encoder, neighbours, profiles, sequences

logger = logging.getLogger(__name__)
TRAINING_TIME_LIMIT = 6 * 3600
# A training whose process dies (out of memory, most likely) is tried once more, not three times.
TRAINING_RETRIES_ON_WORKER_LOST = 1
# Errors that can pass on a second try: the database restarting, failing over or out of connections.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
TRANSIENT_RETRY = {"autoretry_for": TRANSIENT_ERRORS, "retry_backoff": True, "max_retries": 5}


@shared_task(**TRANSIENT_RETRY)
def listing_embed(listing_id: int) -> bool:
    """Embed a new or edited listing with the active encoder (seconds after it is saved)."""
    return embeddings.listing_embed(listing_id=listing_id)


@shared_task(time_limit=TRAINING_TIME_LIMIT, soft_time_limit=TRAINING_TIME_LIMIT - 60,
             max_retries=TRAINING_RETRIES_ON_WORKER_LOST)
def encoder_retrain(kind: str) -> int:
    """Train (with ENCODER_CONFIG), embed, refresh and activate a new encoder version; returns its id."""
    return encoder.encoder_retrain(kind=kind, config=conf.encoder_config()).pk


@shared_task(time_limit=TRAINING_TIME_LIMIT, max_retries=TRAINING_RETRIES_ON_WORKER_LOST)
def neighbours_refresh(kind: str, incremental: bool = False, chunks: int = 1) -> None:
    """Refresh the lists of ``kind``; a full refresh with ``chunks`` > 1 fans out to chunk tasks."""
    if incremental or chunks <= 1:
        neighbours.neighbours_update(kind=kind, incremental=incremental)
        return
    embeddings.item_embeddings_refresh(kind=kind)
    embeddings.text_embeddings_refresh(kind=kind)
    started = neighbours.neighbours_refresh_start(kind=kind, chunks=chunks)
    if started is not None:
        refresh, ranges = started
        for low, high in ranges:
            neighbours_refresh_chunk.delay(refresh.pk, low, high)


# A chunk lost to a transient error would leave its refresh unfinished for good: it is retried.
@shared_task(time_limit=TRAINING_TIME_LIMIT, **TRANSIENT_RETRY)
def neighbours_refresh_chunk(refresh_id: int, low: int, high: int) -> None:
    """Lists of the listings with ids in [low, high) of a split full refresh."""
    neighbours.neighbours_refresh_chunk(refresh_id=refresh_id, low=low, high=high)


@shared_task(**TRANSIENT_RETRY)
def profiles_refresh(user_id: int | None = None, session_key: str = "") -> None:
    """Recompute a user's or anonymous session's interest profiles (debounced after new interactions)."""
    profiles.profiles_refresh(actor=Actor(user_id=user_id, session_key=session_key))


@shared_task(time_limit=TRAINING_TIME_LIMIT, soft_time_limit=TRAINING_TIME_LIMIT - 60,
             max_retries=TRAINING_RETRIES_ON_WORKER_LOST)
def sequence_model_train(kind: str) -> int | None:
    """Train and activate a new next-item (SASRec) model for ``kind``; returns its version id, or None when
    there is nothing to train on yet (a new site: the nightly run then tries again)."""
    try:
        return sequences.sequence_model_train(kind=kind).pk
    except sequences.NotEnoughSequences as error:
        logger.info("No %s next-item model trained: %s", kind, error)
        return None
