"""The vectors neighbours are compared by: L2-normalized parts weighted so that a dot product is a
weighted cosine similarity. Numpy only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def blended_vectors(
    item: np.ndarray, text: np.ndarray | None, *, text_weight: float,
    closeness: Sequence[tuple[np.ndarray, float]] = (),
) -> np.ndarray:
    """Concatenate L2-normalized item and text embeddings, weighted so a dot product blends cosines.

    item: (n, d1); text: (n, d2) or None; text_weight w in [0, 1].
    Returns (n, d1 + d2) float32 rows ``[sqrt(1 - w) · item / |item|, sqrt(w) · text / |text|]``, so the
    dot product of two rows is ``(1 - w) · cos(item) + w · cos(text)``. A zero part stays zero (its
    cosine counts as 0, never NaN). With ``text=None`` the result is the normalized item part alone,
    (n, d1), whose dot product is ``cos(item)``.

    closeness: (rows, weight) pairs, rows (n, d) of the ``closeness`` module (unit, or zero for an unknown
    value; e.g. ``geo.place_features``) and weights c_i >= 0 summing to less than 1: the rows above are scaled
    by sqrt(1 - sum c) and each ``sqrt(c_i) · rows_i`` appended, so the dot product is
    ``(1 - sum c) · blended cosine + sum c_i · closeness_i``.
    """
    if not 0.0 <= text_weight <= 1.0:
        raise ValueError(f"text_weight must lie in [0, 1], got {text_weight}")
    weights = [weight for _, weight in closeness]
    if any(weight < 0.0 for weight in weights) or sum(weights) >= 1.0:
        raise ValueError(f"closeness weights must be >= 0 and sum to less than 1, got {weights}")
    item = np.asarray(item)
    if text is None:
        blended = _normalized_rows(item, scale=1.0)
    else:
        text = np.asarray(text)
        if item.shape[0] != text.shape[0]:
            raise ValueError(f"item has {item.shape[0]} rows, text has {text.shape[0]}")
        blended = np.concatenate(
            [_normalized_rows(item, scale=np.sqrt(1.0 - text_weight)),
             _normalized_rows(text, scale=np.sqrt(text_weight))],
            axis=1,
        )
    parts = [(np.asarray(rows, dtype=np.float32), weight) for rows, weight in closeness if weight > 0.0]
    if not parts:
        return blended
    for rows, _ in parts:
        if rows.shape[0] != item.shape[0]:
            raise ValueError(f"item has {item.shape[0]} rows, a closeness part has {rows.shape[0]}")
    blended *= np.float32(np.sqrt(1.0 - sum(weights)))
    return np.concatenate([blended, *(rows * np.float32(np.sqrt(weight)) for rows, weight in parts)], axis=1)


def _normalized_rows(vectors: np.ndarray, *, scale: float) -> np.ndarray:
    """(n, d) -> (n, d) float32 rows scaled to length ``scale``; zero rows stay zero."""
    rows = np.array(vectors, dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.divide(rows * np.float32(scale), norms, out=rows, where=norms > 0)
    return rows
