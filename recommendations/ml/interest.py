"""Implicit-feedback interest: how much one person wants each listing lately.

For every (person, listing): ``S = log10(1 + freq) × 0.5 ** (Δt / H)`` where ``freq`` is the
weighted count of the person's events on the listing, ``Δt`` the time since the last of them
that carries weight, and ``H`` the half-life (14 days by default). The log keeps a hundred
obsessive clicks from drowning everything else; the decay makes what someone did lately count
most ("what have you done lately?").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommendations.ml.events import CONTACT, FAVORITE, IMPRESSION, SEARCH_CLICK, SHARE, UNFAVORITE, VIEW

SECONDS_PER_DAY = 86_400.0
HALF_LIFE_DAYS = 14.0

# The one place that knows how much each event says about interest. Impressions are what we
# showed, not what the person did; a search click always comes with a view, so it adds nothing.
EVENT_WEIGHTS: Mapping[str, float] = {
    VIEW: 1.0,
    FAVORITE: 3.0,
    CONTACT: 5.0,
    SHARE: 2.0,
    SEARCH_CLICK: 0.0,
    IMPRESSION: 0.0,
}
# An event that takes back an earlier one: each unfavorite cancels one favorite of the same listing.
# The interest scores and the feed's "popular this week" both apply it.
CANCELLATIONS: Mapping[str, str] = {UNFAVORITE: FAVORITE}


@dataclass(frozen=True)
class Interest:
    """Interest per listing, listings in ascending id order; only listings with positive interest.

    ``listing_ids`` (n,) int64, ``scores`` (n,) float64, ``frequencies`` (n,) weighted counts,
    ``last_seen`` (n,) seconds since the epoch of the last weighted event.
    """

    listing_ids: np.ndarray
    scores: np.ndarray
    frequencies: np.ndarray
    last_seen: np.ndarray

    def __len__(self) -> int:
        return len(self.listing_ids)


@dataclass(frozen=True)
class InterestSettings:
    """How events become interest and intent (production reads them from ``recommendations.conf``)."""

    weights: Mapping[str, float]
    half_life_days: float
    intent_threshold: float


def event_weights_merge(overrides: Mapping[str, float] | None) -> dict[str, float]:
    """The default weights with ``overrides`` on top; an unknown event name is an error, not a no-op."""
    weights = dict(EVENT_WEIGHTS)
    for event, weight in (overrides or {}).items():
        if event not in weights:
            raise ValueError(f"Unknown event {event!r} in event weights; known: {', '.join(sorted(weights))}.")
        if weight < 0:
            raise ValueError(f"Event weight of {event!r} must not be negative (got {weight}).")
        weights[event] = float(weight)
    return weights


def decay(age_days: np.ndarray | float, *, half_life_days: float = HALF_LIFE_DAYS) -> np.ndarray:
    """``0.5 ** (age / half_life)``; ages below zero (clock skew) count as now."""
    return np.power(0.5, np.maximum(np.asarray(age_days, dtype=np.float64), 0.0) / half_life_days)


def interest_scores(
    listing_ids: np.ndarray,
    events: np.ndarray,
    times: np.ndarray,
    *,
    now: float,
    weights: Mapping[str, float] = EVENT_WEIGHTS,
    half_life_days: float = HALF_LIFE_DAYS,
) -> Interest:
    """Interest of one person in every listing of their history, vectorized over the whole history.

    ``listing_ids`` (m,) ints, ``events`` (m,) event names, ``times`` (m,) seconds since the epoch,
    ``now`` in the same unit. Events not in ``weights`` or ``CANCELLATIONS`` are ignored.
    """
    listing_ids = np.asarray(listing_ids, dtype=np.int64)
    events = np.asarray(events, dtype=object)
    times = np.asarray(times, dtype=np.float64)
    if not len(listing_ids):
        empty = np.zeros(0)
        return Interest(np.zeros(0, dtype=np.int64), empty, empty, empty)
    names = sorted(set(weights) | set(CANCELLATIONS))
    codes = np.full(len(events), -1, dtype=np.int64)
    for code, name in enumerate(names):
        codes[events == name] = code
    known = codes >= 0
    unique_ids, rows = np.unique(listing_ids[known], return_inverse=True)
    counts = np.zeros((len(unique_ids), len(names)))
    np.add.at(counts, (rows, codes[known]), 1.0)
    for cancelling, cancelled in CANCELLATIONS.items():
        a, b = names.index(cancelled), names.index(cancelling)
        counts[:, a] = np.maximum(counts[:, a] - counts[:, b], 0.0)
        counts[:, b] = 0.0
    weight_vector = np.array([weights.get(name, 0.0) for name in names])
    frequencies = counts @ weight_vector
    last_seen = np.full(len(unique_ids), -np.inf)
    weighted = weight_vector[codes[known]] > 0
    np.maximum.at(last_seen, rows[weighted], times[known][weighted])
    keep = frequencies > 0
    age_days = (now - last_seen[keep]) / SECONDS_PER_DAY
    scores = np.log10(1.0 + frequencies[keep]) * decay(age_days, half_life_days=half_life_days)
    return Interest(unique_ids[keep], scores, frequencies[keep], last_seen[keep])
