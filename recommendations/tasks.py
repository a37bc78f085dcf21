"""Thin Celery tasks for recommendations: ids and kinds in, one service call each.

The services are imported inside the tasks: they pull in torch and pandas, which the web
processes that only enqueue these tasks should not pay for at start-up.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)
TRAINING_TIME_LIMIT = 6 * 3600


@shared_task
def listing_embed(listing_id: int) -> bool:
    """Embed a new or edited listing with the active encoder (seconds after it is saved)."""
    from recommendations.services import embeddings

    return embeddings.listing_embed(listing_id=listing_id)


@shared_task(time_limit=TRAINING_TIME_LIMIT, soft_time_limit=TRAINING_TIME_LIMIT - 60)
def encoder_retrain(kind: str) -> int:
    """Train, embed, refresh and activate a new encoder version; returns its id."""
    from recommendations.services import encoder

    return encoder.encoder_retrain(kind=kind).pk


@shared_task(time_limit=TRAINING_TIME_LIMIT)
def neighbours_refresh(kind: str, incremental: bool = False, chunks: int = 1) -> None:
    """Refresh the lists of ``kind``; a full refresh with ``chunks`` > 1 fans out to chunk tasks."""
    from recommendations.services import embeddings, neighbours

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


@shared_task(time_limit=TRAINING_TIME_LIMIT)
def neighbours_refresh_chunk(refresh_id: int, low: int, high: int) -> None:
    """Lists of the listings with ids in [low, high) of a split full refresh."""
    from recommendations.services import neighbours

    neighbours.neighbours_refresh_chunk(refresh_id=refresh_id, low=low, high=high)


@shared_task
def profiles_refresh(user_id: int | None = None, session_key: str = "") -> None:
    """Recompute a user's or anonymous session's interest profiles (debounced after new interactions)."""
    from recommendations.actors import Actor
    from recommendations.services import profiles

    profiles.profiles_refresh(actor=Actor(user_id=user_id, session_key=session_key))


@shared_task(time_limit=TRAINING_TIME_LIMIT, soft_time_limit=TRAINING_TIME_LIMIT - 60)
def sequence_model_train(kind: str) -> int | None:
    """Train and activate a new next-item (SASRec) model for ``kind``; returns its version id, or None when
    there is nothing to train on yet (a new site: the nightly run then tries again)."""
    from recommendations.services import sequences

    try:
        return sequences.sequence_model_train(kind=kind).pk
    except sequences.NotEnoughSequences as error:
        logger.info("No %s next-item model trained: %s", kind, error)
        return None
