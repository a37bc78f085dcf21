"""Feed ranking: similarity to the person's centroid × Gaussian price fit × freshness, then diversity.

The same functions score the few hundred pgvector candidates of a live feed and every listing of a
kind in offline evaluation, so what we measure is what we serve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recommendations.ml.geo import haversine_km
from recommendations.ml.profiles import INTENT_OFFERS


@dataclass(frozen=True)
class RankingSettings:
    """``price_scale``: relative price distance at which the fit falls to ``price_decay``;
    ``fresh_boost``: extra weight of a listing published now, halving every ``fresh_half_life_days``;
    ``location_scale_km``: distance from the nearest place the person looks at where the location fit
    falls to ``location_decay``;
    ``diversity``: 0 ranks by score alone, 1 only by difference from what is already on the page."""

    price_scale: float = 0.2
    price_decay: float = 0.5
    location_scale_km: float = 50.0
    location_decay: float = 0.5
    fresh_boost: float = 0.1
    fresh_half_life_days: float = 7.0
    diversity: float = 0.3
    text_weight: float = 0.3


@dataclass(frozen=True)
class Items:
    """Listings to score, one row each: ``ids`` (n,), ``item_vectors`` (n, d), ``text_vectors`` (n, t) or
    None, ``prices`` (n,), ``offers`` (n,) "sale"/"rent", ``age_days`` (n,) since publication,
    ``coordinates`` (n, 2) latitude and longitude (NaN where unknown) or None."""

    ids: np.ndarray
    item_vectors: np.ndarray
    text_vectors: np.ndarray | None
    prices: np.ndarray
    offers: np.ndarray
    age_days: np.ndarray
    coordinates: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Scores:
    """Per item: the final ``score`` and its factors (``similarity`` × ``price_fit`` × ``location_fit`` ×
    ``freshness``)."""

    score: np.ndarray
    similarity: np.ndarray
    price_fit: np.ndarray
    location_fit: np.ndarray
    freshness: np.ndarray


def price_decay(prices: np.ndarray, target: float | None, *, scale: float = 0.2, decay: float = 0.5) -> np.ndarray:
    """Gaussian fit of each price to ``target``: exactly 1.0 at the target, ``decay`` at ``scale`` × target
    away (either side), ``decay ** 4`` at twice that. No target: 1.0 everywhere."""
    prices = np.asarray(prices, dtype=np.float64)
    if target is None or target <= 0:
        return np.ones_like(prices)
    relative = (prices - target) / (scale * target)
    return np.exp(math.log(decay) * relative**2)


def location_decay(
    coordinates: np.ndarray, places: np.ndarray, *, scale_km: float = 50.0, decay: float = 0.5
) -> np.ndarray:
    """Gaussian fit of each row of ``coordinates`` (n, 2) to the nearest of ``places`` (m, 2), both latitude
    and longitude in degrees: 1.0 at a place, ``decay`` at ``scale_km`` from the nearest. No places, or a
    listing without coordinates: 1.0."""
    coordinates = np.asarray(coordinates, dtype=np.float64)
    if not len(places) or not len(coordinates):
        return np.ones(len(coordinates))
    distances = haversine_km(coordinates[:, None, 0], coordinates[:, None, 1], places[None, :, 0], places[None, :, 1])
    nearest = np.min(distances, axis=1)
    fit = np.exp(math.log(decay) * (nearest / scale_km) ** 2)
    return np.where(np.isnan(nearest), 1.0, fit)


def freshness_boost(age_days: np.ndarray, *, boost: float = 0.1, half_life_days: float = 7.0) -> np.ndarray:
    """``1 + boost × 0.5 ** (age / half_life)``: 1 + boost for a listing published now, → 1 with age."""
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    return 1.0 + boost * np.power(0.5, age / half_life_days)


def cosine(vectors: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``vectors`` (n, d) with ``centre`` (d,); 0 for zero rows."""
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(centre)
    dots = vectors @ centre
    return np.divide(dots, norms, out=np.zeros_like(dots, dtype=np.float64), where=norms > 0)


def feed_scores(
    items: Items,
    *,
    item_centroid: np.ndarray,
    text_centroid: np.ndarray | None,
    target_prices: dict[str, float | None],
    intent: str,
    places: np.ndarray | None = None,
    settings: RankingSettings = RankingSettings(),
) -> Scores:
    """Score every item for one person; items of an offer their intent excludes score -inf.

    ``places`` (m, 2): where the person looks (``Profile.places``); None or empty: location is not judged.
    """
    similarity = cosine(np.asarray(items.item_vectors, dtype=np.float64), item_centroid)
    if text_centroid is not None and items.text_vectors is not None and settings.text_weight > 0:
        text = cosine(np.asarray(items.text_vectors, dtype=np.float64), text_centroid)
        similarity = (1 - settings.text_weight) * similarity + settings.text_weight * text
    price_fit = np.ones(len(items))
    for offer, target in target_prices.items():
        rows = items.offers == offer
        price_fit[rows] = price_decay(items.prices[rows], target, scale=settings.price_scale,
                                      decay=settings.price_decay)
    location_fit = np.ones(len(items))
    if places is not None and items.coordinates is not None:
        location_fit = location_decay(items.coordinates, places, scale_km=settings.location_scale_km,
                                      decay=settings.location_decay)
    freshness = freshness_boost(items.age_days, boost=settings.fresh_boost,
                                half_life_days=settings.fresh_half_life_days)
    score = similarity * price_fit * location_fit * freshness
    if intent in INTENT_OFFERS:
        score = np.where(np.isin(items.offers, INTENT_OFFERS[intent]), score, -np.inf)
    return Scores(score=score, similarity=similarity, price_fit=price_fit, location_fit=location_fit,
                  freshness=freshness)


def diversify(scores: np.ndarray, vectors: np.ndarray, *, limit: int, diversity: float = 0.3) -> np.ndarray:
    """Maximal marginal relevance: pick ``limit`` indices, each maximising
    ``(1 - diversity) × score - diversity × max cosine to the ones already picked``.

    Only finite scores are picked; ties go to the lower index. Returns (≤ limit,) int indices.
    """
    eligible = np.flatnonzero(np.isfinite(scores))
    if not len(eligible) or limit <= 0:
        return np.zeros(0, dtype=np.int64)
    pool = eligible[np.argsort(-scores[eligible], kind="stable")][: max(limit * 5, limit)]
    unit = np.asarray(vectors[pool], dtype=np.float64)
    norms = np.linalg.norm(unit, axis=1, keepdims=True)
    unit = np.divide(unit, norms, out=np.zeros_like(unit), where=norms > 0)
    relevance = (1 - diversity) * scores[pool]
    # Cosine to the closest pick so far; unlike items are not rewarded, only like ones penalised.
    closest = np.zeros(len(pool))
    taken = np.zeros(len(pool), dtype=bool)
    picked: list[int] = []
    for _ in range(min(limit, len(pool))):
        value = np.where(taken, -np.inf, relevance - diversity * closest)
        best = int(np.argmax(value))
        picked.append(best)
        taken[best] = True
        closest = np.maximum(closest, unit @ unit[best])
    return pool[picked]


def feed_order(scores: np.ndarray, vectors: np.ndarray, *, limit: int, diversity: float = 0.3) -> np.ndarray:
    """A full ranking: the diversified first page of ``limit``, then every other finite-scored item by
    score (ties by index). What offline evaluation ranks with."""
    head = diversify(scores, vectors, limit=limit, diversity=diversity)
    rest = np.flatnonzero(np.isfinite(scores))
    rest = rest[~np.isin(rest, head)]
    rest = rest[np.argsort(-scores[rest], kind="stable")]
    return np.concatenate([head, rest])


def anchors_pick(vectors: np.ndarray, anchor_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``vectors`` (n, d), the index of the most similar anchor (m, d) and that cosine."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    anchors = anchor_vectors / np.maximum(np.linalg.norm(anchor_vectors, axis=1, keepdims=True), 1e-12)
    similarity = unit @ anchors.T
    best = np.argmax(similarity, axis=1)
    return best, similarity[np.arange(len(vectors)), best]
