"""Feed ranking: cosine × Gaussian price decay × freshness, intent filter, diversification."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.ranking import (
    Items,
    RankingSettings,
    anchors_pick,
    diversify,
    feed_order,
    feed_scores,
    freshness_boost,
    location_decay,
    price_decay,
)


def test_it_fits_the_target_price_exactly_and_halves_at_one_scale() -> None:
    prices = np.array([250_000.0, 300_000.0, 200_000.0, 350_000.0, 275_000.0])

    assert price_decay(prices, 250_000.0, scale=0.2, decay=0.5).tolist() == pytest.approx(
        [1.0, 0.5, 0.5, 0.0625, 0.5 ** 0.25]
    )


def test_it_does_not_judge_price_without_a_target() -> None:
    assert price_decay(np.array([1.0, 9e6]), None).tolist() == [1.0, 1.0]


def test_it_boosts_fresh_listings_and_fades_the_boost() -> None:
    assert freshness_boost(np.array([0.0, 7.0, 14.0, -1.0]), boost=0.1, half_life_days=7.0).tolist() == pytest.approx(
        [1.1, 1.05, 1.025, 1.1]
    )


def _items() -> Items:
    return Items(
        ids=np.array([10, 11, 12, 13]),
        item_vectors=np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]),
        text_vectors=None,
        prices=np.array([100.0, 120.0, 100.0, 100.0]),
        offers=np.array(["sale", "sale", "sale", "rent"], dtype=object),
        age_days=np.array([100.0, 100.0, 0.0, 100.0]),
    )


def test_it_multiplies_similarity_price_fit_and_freshness() -> None:
    settings = RankingSettings(fresh_boost=0.1, text_weight=0.0)
    scores = feed_scores(_items(), item_centroid=np.array([1.0, 0.0]), text_centroid=None,
                         target_prices={"sale": 100.0, "rent": None}, intent="hybrid", settings=settings)

    fade = 1 + 0.1 * 0.5 ** (100 / 7)
    assert scores.similarity.tolist() == pytest.approx([1.0, 2 ** -0.5, 0.0, 1.0])
    assert scores.price_fit.tolist() == pytest.approx([1.0, 0.5, 1.0, 1.0])
    assert scores.score.tolist() == pytest.approx([fade, 2 ** -0.5 * 0.5 * fade, 0.0, fade])


def test_it_blends_text_similarity_by_its_weight() -> None:
    items = Items(ids=np.array([1]), item_vectors=np.array([[1.0, 0.0]]), text_vectors=np.array([[0.0, 1.0]]),
                  prices=np.array([1.0]), offers=np.array(["sale"], dtype=object), age_days=np.array([1e6]))
    scores = feed_scores(items, item_centroid=np.array([1.0, 0.0]), text_centroid=np.array([1.0, 1.0]),
                         target_prices={}, intent="", settings=RankingSettings(text_weight=0.3))

    assert scores.similarity.tolist() == pytest.approx([0.7 + 0.3 * 2 ** -0.5])


def test_it_drops_offers_the_intent_excludes() -> None:
    buyer = feed_scores(_items(), item_centroid=np.array([1.0, 0.0]), text_centroid=None,
                        target_prices={}, intent="buyer")
    renter = feed_scores(_items(), item_centroid=np.array([1.0, 0.0]), text_centroid=None,
                         target_prices={}, intent="renter")

    assert np.isinf(buyer.score).tolist() == [False, False, False, True]
    assert np.isinf(renter.score).tolist() == [True, True, True, False]


def test_it_diversifies_away_from_near_copies() -> None:
    scores = np.array([1.0, 0.99, 0.98, 0.7])
    vectors = np.array([[1.0, 0.0], [1.0, 0.01], [1.0, 0.02], [0.0, 1.0]])

    assert diversify(scores, vectors, limit=2, diversity=0.0).tolist() == [0, 1]
    assert diversify(scores, vectors, limit=2, diversity=0.3).tolist() == [0, 3]


def test_it_never_picks_excluded_items() -> None:
    scores = np.array([-np.inf, 0.5, -np.inf])

    assert diversify(scores, np.eye(3), limit=3).tolist() == [1]


def test_it_ranks_everything_after_the_diversified_head() -> None:
    scores = np.array([1.0, 0.99, 0.2, 0.7, -np.inf])
    vectors = np.array([[1.0, 0.0], [1.0, 0.01], [0.5, 0.5], [0.0, 1.0], [1.0, 1.0]])

    assert feed_order(scores, vectors, limit=2, diversity=0.3).tolist() == [0, 3, 1, 2]


def test_it_names_the_most_similar_anchor() -> None:
    best, cosine = anchors_pick(np.array([[1.0, 0.1], [0.0, 2.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))

    assert best.tolist() == [1, 0]
    assert cosine.tolist() == pytest.approx([1 / np.sqrt(1.01), 1.0])


def test_it_fits_location_to_the_nearest_place_looked_at() -> None:
    ponce, san_juan = (18.0111, -66.6141), (18.4655, -66.1057)  # 70 km apart; the test points lie south
    km_per_degree = 6371.0 * np.pi / 180
    coordinates = np.array([ponce, (ponce[0] - 50 / km_per_degree, ponce[1]),
                            (ponce[0] - 100 / km_per_degree, ponce[1]), san_juan, (np.nan, np.nan)])

    fit = location_decay(coordinates, np.array([ponce, san_juan]), scale_km=50.0, decay=0.5)

    assert fit.tolist() == pytest.approx([1.0, 0.5, 0.0625, 1.0, 1.0])
    assert location_decay(coordinates, np.zeros((0, 2))).tolist() == [1.0] * 5


def test_it_multiplies_in_the_location_fit() -> None:
    items = Items(ids=np.array([1, 2]), item_vectors=np.array([[1.0, 0.0], [1.0, 0.0]]), text_vectors=None,
                  prices=np.array([1.0, 1.0]), offers=np.array(["sale", "sale"], dtype=object),
                  age_days=np.array([1e6, 1e6]), coordinates=np.array([[0.0, 0.0], [0.0, 1.0]]))

    scores = feed_scores(items, item_centroid=np.array([1.0, 0.0]), text_centroid=None, target_prices={},
                         intent="", places=np.array([[0.0, 0.0]]),
                         settings=RankingSettings(location_scale_km=111.19492664455873))

    assert scores.location_fit.tolist() == pytest.approx([1.0, 0.5])
    assert scores.score.tolist() == pytest.approx([1.0, 0.5])
