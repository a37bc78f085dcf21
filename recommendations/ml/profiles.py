"""A person's profile in one kind from their interest scores: centroid, target prices and intent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BUYER = "buyer"
RENTER = "renter"
HYBRID = "hybrid"
SALE = "sale"
RENT = "rent"
# Which offers each intent looks at.
INTENT_OFFERS: dict[str, tuple[str, ...]] = {BUYER: (SALE,), RENTER: (RENT,), HYBRID: (SALE, RENT)}
INTENT_THRESHOLD = 0.7
# The listings of highest interest: where a person looks (places) and what reasons name (anchors).
ANCHORS = 20


@dataclass(frozen=True)
class Profile:
    """``item_centroid`` (d,) and ``text_centroid`` (t,) or None; prices per offer or None; ``intent`` or "";
    ``places`` (m, 2) latitude and longitude of the ``ANCHORS`` listings of highest interest that have them."""

    item_centroid: np.ndarray | None
    text_centroid: np.ndarray | None
    target_prices: dict[str, float | None]
    sale_weight: float
    rent_weight: float
    intent: str
    places: np.ndarray


def weighted_centroid(vectors: np.ndarray, scores: np.ndarray) -> np.ndarray | None:
    """``Σ s_i v_i / Σ s_i`` over rows of ``vectors`` (n, d); None when the scores sum to zero."""
    total = float(np.sum(scores))
    if total <= 0:
        return None
    return np.asarray(scores, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64) / total


def weighted_mean_price(prices: np.ndarray, scores: np.ndarray) -> float | None:
    """Score-weighted mean price: a $5M home seen a year ago weighs little against ten $200k ones of yesterday."""
    total = float(np.sum(scores))
    if total <= 0:
        return None
    return float(np.dot(scores, prices) / total)


def intent_classify(*, sale_weight: float, rent_weight: float, threshold: float = INTENT_THRESHOLD) -> str:
    """Buyer when at least ``threshold`` of the interest is in listings for sale, renter when that much
    is in rentals, hybrid otherwise; "" with no interest at all."""
    total = sale_weight + rent_weight
    if total <= 0:
        return ""
    if sale_weight / total >= threshold:
        return BUYER
    if rent_weight / total >= threshold:
        return RENTER
    return HYBRID


def profile_build(
    *,
    scores: np.ndarray,
    offers: np.ndarray,
    prices: np.ndarray,
    item_vectors: np.ndarray | None,
    text_vectors: np.ndarray | None,
    coordinates: np.ndarray | None = None,
    threshold: float = INTENT_THRESHOLD,
) -> Profile:
    """The profile of one person in one kind.

    ``scores``, ``offers`` ("sale"/"rent"), ``prices`` are (n,) over the listings they showed interest
    in; ``item_vectors`` (n, d) and ``text_vectors`` (n, t) are those listings' embeddings (rows may be
    NaN where a listing has no embedding yet; those rows are left out of the centroid only);
    ``coordinates`` (n, 2) their latitude and longitude (NaN where unknown).
    """
    scores = np.asarray(scores, dtype=np.float64)
    offers = np.asarray(offers, dtype=object)
    prices = np.asarray(prices, dtype=np.float64)
    targets = {
        offer: weighted_mean_price(prices[offers == offer], scores[offers == offer]) for offer in (SALE, RENT)
    }
    sale_weight = float(scores[offers == SALE].sum())
    rent_weight = float(scores[offers == RENT].sum())
    return Profile(
        item_centroid=_centroid(item_vectors, scores),
        text_centroid=_centroid(text_vectors, scores),
        target_prices=targets,
        sale_weight=sale_weight,
        rent_weight=rent_weight,
        intent=intent_classify(sale_weight=sale_weight, rent_weight=rent_weight, threshold=threshold),
        places=top_places(coordinates, scores),
    )


def top_places(coordinates: np.ndarray | None, scores: np.ndarray, *, count: int = ANCHORS) -> np.ndarray:
    """(≤ count, 2) coordinates of the highest-scored rows that have both, highest first (ties: row order)."""
    if coordinates is None or not len(coordinates):
        return np.zeros((0, 2))
    order = np.argsort(-np.asarray(scores), kind="stable")[:count]
    chosen = np.asarray(coordinates, dtype=np.float64)[order]
    return chosen[~np.isnan(chosen).any(axis=1)]


def _centroid(vectors: np.ndarray | None, scores: np.ndarray) -> np.ndarray | None:
    if vectors is None or not len(vectors):
        return None
    present = ~np.isnan(vectors).any(axis=1)
    return weighted_centroid(vectors[present], scores[present])
