"""Profiles: score-weighted centroid and target price, intent from weighted sale/rent counters."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.profiles import (
    intent_classify,
    profile_build,
    top_places,
    weighted_centroid,
    weighted_mean_price,
)


def test_it_weights_the_centroid_by_score() -> None:
    centroid = weighted_centroid(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([3.0, 1.0]))

    assert centroid is not None
    assert centroid.tolist() == [0.75, 0.25]


def test_it_pulls_the_target_price_to_what_is_recent() -> None:
    # One $5M home with a faded score against ten $200k homes of yesterday.
    prices = np.array([5_000_000.0, *[200_000.0] * 10])
    scores = np.array([0.01, *[0.3] * 10])

    assert weighted_mean_price(prices, scores) == pytest.approx((50_000 + 600_000) / 3.01)


def test_it_has_no_centroid_or_target_without_interest() -> None:
    assert weighted_centroid(np.zeros((0, 2)), np.zeros(0)) is None
    assert weighted_mean_price(np.zeros(0), np.zeros(0)) is None


@pytest.mark.parametrize(("sale", "rent", "intent"), [
    (7.0, 3.0, "buyer"), (6.9, 3.1, "hybrid"), (3.0, 7.0, "renter"), (5.0, 5.0, "hybrid"), (1.0, 0.0, "buyer"),
    (0.0, 0.0, ""),
])
def test_it_classifies_intent_at_the_threshold(sale: float, rent: float, intent: str) -> None:
    assert intent_classify(sale_weight=sale, rent_weight=rent, threshold=0.7) == intent


def test_it_builds_targets_per_offer_and_skips_missing_embeddings() -> None:
    profile = profile_build(
        scores=np.array([2.0, 1.0, 1.0]),
        offers=np.array(["sale", "sale", "rent"], dtype=object),
        prices=np.array([300_000.0, 150_000.0, 2_000.0]),
        item_vectors=np.array([[1.0, 0.0], [np.nan, np.nan], [0.0, 1.0]]),
        text_vectors=None,
    )

    assert profile.item_centroid is not None
    assert profile.item_centroid.tolist() == pytest.approx([2 / 3, 1 / 3])
    assert profile.text_centroid is None
    assert profile.target_prices == {"sale": pytest.approx(250_000.0), "rent": pytest.approx(2_000.0)}
    assert (profile.sale_weight, profile.rent_weight, profile.intent) == (3.0, 1.0, "buyer")


def test_it_keeps_the_places_of_the_highest_interest_first() -> None:
    coordinates = np.array([[1.0, 1.0], [2.0, 2.0], [np.nan, 3.0], [4.0, 4.0]])

    places = top_places(coordinates, np.array([0.1, 0.9, 5.0, 0.5]), count=3)

    assert places.tolist() == [[2.0, 2.0], [4.0, 4.0]]
