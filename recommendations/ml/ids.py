"""Looking up ids in a sorted array of ids: what serving and offline evaluation both need."""

from __future__ import annotations

import numpy as np


def positions_in(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``ids`` (q,) sits in ``sorted_ids`` (n,, ascending): (q,) positions and (q,) found."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    positions = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return positions, sorted_ids[positions] == ids
