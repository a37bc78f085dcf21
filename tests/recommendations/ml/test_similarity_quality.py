"""Coherence metrics of neighbour lists, on a hand-made five-listing table; the raw-feature kNN baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.ml.similarity_quality import (
    QUALITY_KEYS,
    ListingAttributes,
    exact_knn_baseline,
    haversine_km,
    neighbour_coherence,
)

NAN = float("nan")
KM_PER_DEGREE = 6371.0 * math.pi / 180


@pytest.fixture
def five_listings() -> ListingAttributes:
    return ListingAttributes(
        price=np.array([100_000.0, 200_000.0, 25_000.0, NAN, 100_000.0]),
        city=np.array(["Austin", " austin ", "Dallas", "Austin", ""], dtype=object),
        state=np.array(["TX", "TX", "TX", "MN", "TX"], dtype=object),
        bed=np.array([3.0, 3.0, NAN, 2.0, 3.0]),
        bath=np.array([2.0, 1.0, 2.0, 2.0, 2.0]),
        lat=np.array([30.0, 30.0, 31.0, NAN, 32.0]),
        lon=np.array([-97.0, -97.0, -97.0, -97.0, -97.0]),
    )


def test_it_scores_coherence_over_known_pairs(five_listings: ListingAttributes) -> None:
    # Pairs: (0, 1), (0, 2), (0, 4), (3, 0); -1 is padding.
    report = neighbour_coherence(
        source_positions=np.array([0, 3]),
        neighbour_positions=np.array([[1, 2, 4], [0, -1, -1]]),
        attributes=five_listings,
    )

    assert tuple(report) == QUALITY_KEYS
    # |ln 2|, |ln 1/4|, |ln 1|; listing 3 has no price
    assert report["median_abs_log_price_ratio"] == pytest.approx(math.log(2), abs=1e-12)
    # same: (0, 1); different: (0, 2) other city, (3, 0) same name in another state; 4 has no city
    assert report["same_city_share"] == pytest.approx(1 / 3)
    assert report["same_state_share"] == pytest.approx(3 / 4)
    # 3 = 3, 3 = 3, 2 != 3; listing 2 has no bed count
    assert report["bed_agreement"] == pytest.approx(2 / 3)
    assert report["bath_agreement"] == pytest.approx(3 / 4)
    # 0 km, 1 degree and 2 degrees along a meridian; listing 3 has no latitude
    assert report["median_km"] == pytest.approx(KM_PER_DEGREE, abs=1e-9)


def test_it_reports_nan_when_no_pair_is_known(five_listings: ListingAttributes) -> None:
    report = neighbour_coherence(
        source_positions=np.array([0, 1]), neighbour_positions=np.full((2, 3), -1), attributes=five_listings
    )

    assert tuple(report) == QUALITY_KEYS
    assert all(math.isnan(value) for value in report.values())


def test_it_measures_great_circle_distances() -> None:
    distances = haversine_km(
        np.array([0.0, 10.0, NAN]), np.array([0.0, 5.0, 1.0]), np.array([0.0, 0.0, 1.0]), np.array([90.0, 5.0, 1.0])
    )

    np.testing.assert_allclose(distances[:2], [90 * KM_PER_DEGREE, 10 * KM_PER_DEGREE], rtol=1e-12)
    assert math.isnan(distances[2])


def test_it_finds_raw_feature_neighbours_by_cosine_after_standardizing() -> None:
    # Standardized: [-1, -1], [1, 1], [1, -1], [-1, 1]; the constant column drops out.
    features = np.array([[0.0, 0.0, 7.0], [2.0, 2.0, 7.0], [2.0, 0.0, 7.0], [0.0, 2.0, 7.0]])

    positions = exact_knn_baseline(features, np.array([0, 2]), 3, device="cpu")

    np.testing.assert_array_equal(positions, [[2, 3, 1], [0, 1, 3]])


def test_it_leaves_masked_rows_out_of_the_baseline() -> None:
    features = np.array([[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]])

    positions = exact_knn_baseline(
        features, np.array([0]), 3, corpus_mask=np.array([True, True, False, True]), device="cpu"
    )

    np.testing.assert_array_equal(positions, [[3, 1, -1]])
