"""Item ids ↔ model indices, and the rules on sequences that training and evaluation share. No torch here.

Index 0 is padding; item ``item_ids[i]`` has index ``i + 1`` (``ItemVocabulary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PAD_INDEX = 0


@dataclass(frozen=True, eq=False)
class ItemVocabulary:
    """Item ids (n,) int64, unique, in the caller's order ↔ model indices 1..n (0 is padding)."""

    ids: np.ndarray
    _sorter: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64)
        if ids.ndim != 1 or len(np.unique(ids)) != len(ids):
            raise ValueError(f"item_ids must be unique ids in one dimension, got shape {ids.shape}.")
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "_sorter", np.argsort(ids, kind="stable"))

    def __len__(self) -> int:
        return len(self.ids)

    def indices(self, ids: np.ndarray) -> np.ndarray:
        """(q,) int64 index of each of ``ids`` (q,); ``PAD_INDEX`` (0) for ids not in the vocabulary."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if not len(self.ids):
            return np.zeros(len(ids), dtype=np.int64)
        sorted_ids = self.ids[self._sorter]
        places = np.minimum(np.searchsorted(sorted_ids, ids), len(self.ids) - 1)
        return np.where(sorted_ids[places] == ids, self._sorter[places] + 1, PAD_INDEX).astype(np.int64)

    def ids_of(self, indices: np.ndarray) -> np.ndarray:
        """(q,) item ids of ``indices`` (q,), each in 1..n."""
        return self.ids[np.asarray(indices, dtype=np.int64) - 1]


def repeats_collapsed(sequence: np.ndarray) -> np.ndarray:
    """``sequence`` (h,) with each run of one item kept once: a view, its search click and a favorite of
    the same listing are one step, so the model learns moves between listings, not "A again after A"."""
    sequence = np.asarray(sequence)
    if len(sequence) < 2:
        return sequence
    keep = np.ones(len(sequence), dtype=bool)
    keep[1:] = sequence[1:] != sequence[:-1]
    return sequence[keep]


def validation_position(sequence: np.ndarray, *, exclude_seen: bool) -> int | None:
    """Where a user's validation target sits in ``sequence`` (h,): with ``exclude_seen`` the first
    occurrence of the last item new to them, else the last position; None when there is no history
    before it."""
    if len(sequence) < 2:
        return None
    if not exclude_seen:
        return len(sequence) - 1
    _, firsts = np.unique(sequence, return_index=True)
    position = int(firsts.max())
    return position if position > 0 else None
