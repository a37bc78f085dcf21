"""Rows whose dot product says how close two listings are on one fact (numpy only).

Each function maps n values to (n, d) float32 rows: unit rows for known values, zero rows for unknown ones
(an unknown value is close to nothing). ``neighbours.blended_vectors`` appends them, weighted, to the
cosine parts, so that one matrix product scores the whole blend and the exact top-k stays a matmul.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

PRICE_DIMS = 64
PRICE_SEED = 20261122


def random_fourier_features(points: np.ndarray, *, bandwidth: float, dims: int, seed: int) -> np.ndarray:
    """(n, m) points -> (n, dims) rows whose dot product approximates ``exp(-|a - b|² / (2 · bandwidth²))``.

    Random Fourier features (Rahimi and Recht, 2007): 1 for the same point, 0.61 at one bandwidth, near 0 far
    away; the error shrinks as 1/sqrt(dims). The frequencies are drawn from ``seed``, so the same point
    always gets the same row. Rows with a NaN coordinate are zero.
    """
    if bandwidth <= 0 or dims < 2 or dims % 2:
        raise ValueError(f"bandwidth must be positive and dims even, got {bandwidth} and {dims}")
    points = np.asarray(points, dtype=np.float64)
    frequencies = np.random.default_rng(seed).normal(0.0, 1.0 / bandwidth, size=(points.shape[1], dims // 2))
    known = np.all(np.isfinite(points), axis=1, keepdims=True)
    angles = np.where(known, points, 0.0) @ frequencies
    rows = np.concatenate([np.cos(angles), np.sin(angles)], axis=1) / np.sqrt(dims // 2)
    rows *= known
    return rows.astype(np.float32)


def price_features(
    prices: Iterable[float | None], *, bandwidth: float, dims: int = PRICE_DIMS, seed: int = PRICE_SEED
) -> np.ndarray:
    """Asking prices -> rows whose dot product is a Gaussian kernel of the log price ratio, ``bandwidth`` wide.

    With bandwidth 0.2, a price 22 % apart (e^0.2) scores 0.61 and one twice as high about 0. Unknown or
    non-positive prices get zero rows.
    """
    values = np.array([np.nan if price is None else float(price) for price in prices], dtype=np.float64)
    logs = np.full(len(values), np.nan)
    positive = values > 0  # NaN compares False
    logs[positive] = np.log(values[positive])
    return random_fourier_features(logs[:, None], bandwidth=bandwidth, dims=dims, seed=seed)


def equality_features(values: Iterable[object]) -> np.ndarray:
    """Values -> one-hot rows: the dot product is 1 for equal values, else 0 (exactly).

    Strings compare trimmed and case-insensitive; None, NaN and blank strings are unknown (zero rows). The
    columns are the distinct known values of this call, so rows are only comparable within one call.
    """
    keys = [_key(value) for value in values]
    columns = {key: column for column, key in enumerate(sorted({key for key in keys if key is not None}, key=repr))}
    rows = np.zeros((len(keys), max(len(columns), 1)), dtype=np.float32)
    for row, key in enumerate(keys):
        if key is not None:
            rows[row, columns[key]] = 1.0
    return rows


def _key(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip().casefold() or None
    return value
