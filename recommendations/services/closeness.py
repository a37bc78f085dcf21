"""The facts that count beside the cosines in a similar-listings score, as rows whose dot products add them.

numpy only: a listing page's live similar query (``recommendations.selectors``) reads these as the
neighbour refresh does (``services.neighbours.corpus_load``), and the web process imports no torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from recommendations import conf
from recommendations.ml.closeness import equality_features, price_features
from recommendations.ml.geo import coordinates, place_features

# The listing fields closeness_parts reads, in its order (as values_list names through an embedding).
CLOSENESS_FACTS = (
    "listing__lat", "listing__lon", "listing__price", "listing__state", "listing__bed", "listing__make",
    "listing__model",
)


def closeness_parts(facts: Sequence[Sequence[Any]], *, kind: str) -> list[tuple[np.ndarray, float]]:
    """(rows, weight) per fact that counts beside the cosines for ``kind`` (conf.fact_weights) for listings
    given by their ``CLOSENESS_FACTS`` values: place and price closeness, same state, bedrooms, make, model.
    Rows of one call are comparable with each other only (the sameness columns are this call's values)."""
    lat, lon, prices, states, beds, makes, models = zip(*facts, strict=True) if facts else ((),) * 7
    weights = conf.fact_weights(kind)
    parts = []
    if weights["place"]:
        places = place_features(coordinates(lat), coordinates(lon), bandwidth_km=conf.place_bandwidth_km())
        parts.append((places, weights["place"]))
    if weights["price"]:
        parts.append((price_features(prices, bandwidth=conf.price_bandwidth()), weights["price"]))
    for fact, values in (("state", states), ("bed", beds), ("make", makes), ("model", models)):
        if weights[fact]:
            parts.append((equality_features(values), weights[fact]))
    return parts
