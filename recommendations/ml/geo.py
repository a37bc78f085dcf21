"""Distances on the Earth's surface, vectorized (numpy only)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from recommendations.ml.closeness import random_fourier_features

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """(p,) degree coordinates -> (p,) great-circle distances in km; NaN where a coordinate is NaN."""
    phi1, phi2 = np.radians(np.asarray(lat1, dtype=np.float64)), np.radians(np.asarray(lat2, dtype=np.float64))
    d_phi = phi2 - phi1
    d_lambda = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def coordinates(values: Iterable[float | None]) -> np.ndarray:
    """Degrees as a float64 array, None (unknown) as NaN."""
    return np.array([np.nan if value is None else float(value) for value in values], dtype=np.float64)


PLACE_DIMS = 64
PLACE_SEED = 20261121


def place_features(
    lat: np.ndarray, lon: np.ndarray, *, bandwidth_km: float, dims: int = PLACE_DIMS, seed: int = PLACE_SEED
) -> np.ndarray:
    """(n,) degree coordinates -> (n, dims) float32 rows whose dot product is a Gaussian kernel of distance.

    Random Fourier features (``closeness.random_fourier_features``) of each place's position on the Earth in
    km: for two places at distance d the dot product of their rows approximates
    ``exp(-d² / (2 · bandwidth_km²))``. The same place always gets the same row, so a stored list and a live
    query score alike. An unknown place (NaN) is a zero row, whose kernel counts as 0.
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    positions = EARTH_RADIUS_KM * np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)
    return random_fourier_features(positions, bandwidth=bandwidth_km, dims=dims, seed=seed)
