"""Distances and closeness features of places on the Earth."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.geo import coordinates, haversine_km, place_features


def test_it_measures_great_circle_distances() -> None:
    # Ponce to San Juan, PR (74 km); an unknown place has no distance
    distances = haversine_km(np.array([18.0111, np.nan]), np.array([-66.6141, 0.0]),
                             np.array([18.4655, 18.4655]), np.array([-66.1057, -66.1057]))

    assert round(float(distances[0]), 1) == 73.7
    assert np.isnan(distances[1])


def test_its_closeness_is_one_for_the_same_place_and_zero_for_an_unknown_one() -> None:
    rows = place_features(coordinates([18.0111, 18.0111, None]), coordinates([-66.6141, -66.6141, None]),
                          bandwidth_km=100.0)

    assert rows.shape == (3, 64) and rows.dtype == np.float32
    assert float(rows[0] @ rows[1]) == pytest.approx(1.0, abs=1e-6)
    assert np.all(rows[2] == 0.0)


def test_its_closeness_follows_a_gaussian_kernel_of_distance() -> None:
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(25, 48, 400), rng.uniform(-120, -70, 400)
    near_lat, near_lon = lat + rng.normal(0, 1.0, 400), lon + rng.normal(0, 1.0, 400)  # ~0-300 km away

    rows = place_features(np.concatenate([lat, near_lat]), np.concatenate([lon, near_lon]), bandwidth_km=100.0)

    closeness = np.sum(rows[:400] * rows[400:], axis=1)
    kernel = np.exp(-haversine_km(lat, lon, near_lat, near_lon) ** 2 / (2 * 100.0**2))
    # Random features: each pair is off by about 0.12 (64 features), the mean error is small.
    assert float(np.mean(np.abs(closeness - kernel))) < 0.1
    assert abs(float(np.mean(closeness - kernel))) < 0.05
    assert np.corrcoef(closeness, kernel)[0, 1] > 0.9


def test_it_refuses_a_bandwidth_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="bandwidth must be positive"):
        place_features(np.zeros(1), np.zeros(1), bandwidth_km=0.0)
