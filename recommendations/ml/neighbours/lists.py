"""Neighbour lists as arrays: their order and padding, merging candidates into them, and splitting rows
into tasks. Numpy only.

Order and ties. Every neighbour list is sorted by score, highest first, then by id, lowest first.
When several candidates tie at the k-th score, the ones with the lowest ids are kept. That makes a
list a function of the scores alone: it does not depend on chunk sizes, corpus order or device.

Padding. A row with fewer than k candidates (small or heavily masked corpus) is padded at the end
with id ``-1`` and score ``-inf``, so results are always rectangular ``(q, k)`` arrays.
"""

from __future__ import annotations

import numpy as np

PAD_ID = -1
PAD_SCORE = -np.inf


def row_ranges(n_rows: int, *, rows_per_task: int) -> list[tuple[int, int]]:
    """Split ``range(n_rows)`` into consecutive ``(start, stop)`` ranges of at most ``rows_per_task`` rows."""
    if rows_per_task <= 0:
        raise ValueError("rows_per_task must be positive")
    return [(start, min(start + rows_per_task, n_rows)) for start in range(0, n_rows, rows_per_task)]


def merge_neighbour_lists(
    current_ids: np.ndarray,
    current_scores: np.ndarray,
    candidate_ids: np.ndarray,
    candidate_scores: np.ndarray,
    *,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge candidates into neighbour lists, keeping the best k per row in list order.

    current_ids / current_scores: (q, k0); candidate_ids / candidate_scores: (q, m); ``-1`` / ``-inf``
    entries are padding. An id present in both keeps its candidate score (candidates are the fresh
    values); an id repeated among a row's candidates keeps its highest score.
    Returns ids (q, k) int64 and scores (q, k) float32, score descending then id ascending, padded.
    """
    ids = np.concatenate([np.asarray(candidate_ids, dtype=np.int64), np.asarray(current_ids, dtype=np.int64)], axis=1)
    scores = np.concatenate(
        [np.asarray(candidate_scores, dtype=np.float32), np.asarray(current_scores, dtype=np.float32)], axis=1
    )
    source = np.broadcast_to(np.repeat([0, 1], [np.shape(candidate_ids)[1], np.shape(current_ids)[1]]), ids.shape)
    # Group each id's copies, the preferred one first; blank out the others.
    order = np.lexsort((-scores, source, ids), axis=1)
    ids, scores = np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
    repeated = np.zeros(ids.shape, dtype=bool)
    repeated[:, 1:] = ids[:, 1:] == ids[:, :-1]
    scores = np.where(repeated | (ids == PAD_ID), np.float32(PAD_SCORE), scores)
    return _first_k_in_order(ids, scores, k=k)


def _first_k_in_order(ids: np.ndarray, scores: np.ndarray, *, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(q, w) -> (q, k) by score descending then id ascending; ``-inf`` entries and missing columns padded."""
    scores = scores.astype(np.float32) + np.float32(0.0)
    order = np.lexsort((ids, -scores), axis=1)[:, :k]
    ids, scores = np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
    ids = np.where(scores == PAD_SCORE, PAD_ID, ids)
    missing = k - ids.shape[1]
    if missing > 0:
        ids = np.pad(ids, ((0, 0), (0, missing)), constant_values=PAD_ID)
        scores = np.pad(scores, ((0, 0), (0, missing)), constant_values=PAD_SCORE)
    return ids.astype(np.int64), scores.astype(np.float32)
