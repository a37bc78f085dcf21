"""Recommenders from a user's production profile: content similarity alone, and the production feed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommendations.ml.evaluation.protocol import EventLog, Recommender, UserHistory
from recommendations.ml.ids import positions_in
from recommendations.ml.interest import SECONDS_PER_DAY, InterestSettings, interest_scores
from recommendations.ml.profiles import Profile, profile_build
from recommendations.ml.ranking import Items, RankingSettings, feed_order, feed_scores

CONTENT = "content"
FEED = "feed"


@dataclass(frozen=True)
class ListingFeatures:
    """Listings of one kind by ascending id (every catalogue listing and every one in the log):
    ``ids`` (n,), ``item_vectors`` (n, d) with NaN rows where a listing has no embedding, ``text_vectors``
    (n, t) likewise or None, ``prices`` (n,), ``offers`` (n,) "sale"/"rent", ``published`` (n,) seconds
    since the epoch, ``coordinates`` (n, 2) latitude and longitude (NaN where unknown) or None."""

    ids: np.ndarray
    item_vectors: np.ndarray
    text_vectors: np.ndarray | None
    prices: np.ndarray
    offers: np.ndarray
    published: np.ndarray
    coordinates: np.ndarray | None = None

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Row of each of ``ids`` (q,); a ValueError names ids that are not in the table."""
        positions, found = positions_in(self.ids, ids)
        if not found.all():
            raise ValueError(f"Listings {np.asarray(ids)[~found][:5].tolist()} have no features.")
        return positions


def history_profile(
    *, features: ListingFeatures, item_ids: np.ndarray, events: np.ndarray, times: np.ndarray, now: float,
    interest: InterestSettings, with_vectors: bool = True,
) -> Profile:
    """The production profile (``interest_scores`` then ``profile_build``) of one history as of ``now``
    (seconds); ``with_vectors=False`` skips the centroids when only intent and prices are wanted."""
    scored = interest_scores(item_ids, events, times, now=now, weights=interest.weights,
                             half_life_days=interest.half_life_days)
    rows = features.rows(scored.listing_ids)
    text = features.text_vectors[rows] if with_vectors and features.text_vectors is not None else None
    return profile_build(
        scores=scored.scores, offers=features.offers[rows], prices=features.prices[rows],
        item_vectors=features.item_vectors[rows] if with_vectors else None, text_vectors=text,
        coordinates=features.coordinates[rows] if with_vectors and features.coordinates is not None else None,
        threshold=interest.intent_threshold,
    )


def intent_predict(
    *, features: ListingFeatures, item_ids: np.ndarray, events: np.ndarray, times: np.ndarray,
    interest: InterestSettings,
) -> str:
    """The intent production infers from a whole history (h,), as of its last event; "" when empty."""
    if not len(times):
        return ""
    return history_profile(features=features, item_ids=item_ids, events=events, times=times,
                           now=float(np.max(times)), interest=interest, with_vectors=False).intent


class _ProfileRecommender(Recommender):
    """Scores from the user's production profile as of the held-out event; catalogue rows need embeddings."""

    def __init__(self, *, features: ListingFeatures, interest: InterestSettings, settings: RankingSettings) -> None:
        self.features = features
        self.interest = interest
        self.settings = settings

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        super().fit(train=train, catalogue=catalogue)
        rows = self.features.rows(catalogue)
        self.item_vectors = np.asarray(self.features.item_vectors[rows], dtype=np.float64)
        if np.isnan(self.item_vectors).any():
            raise ValueError("Every catalogue listing needs an item embedding.")
        text = self.features.text_vectors
        # A listing without a text embedding has text cosine 0, as a zero row (what corpus_load stores).
        self.text_vectors = None if text is None else np.nan_to_num(np.asarray(text[rows], dtype=np.float64))
        self.prices = self.features.prices[rows]
        self.offers = self.features.offers[rows]
        self.published = self.features.published[rows]
        self.coordinates = None if self.features.coordinates is None else self.features.coordinates[rows]

    def profile(self, user: UserHistory) -> Profile:
        return history_profile(features=self.features, item_ids=user.item_ids, events=user.events,
                               times=user.times, now=user.at, interest=self.interest)

    def items(self, user: UserHistory) -> Items:
        return Items(ids=self.catalogue, item_vectors=self.item_vectors, text_vectors=self.text_vectors,
                     prices=self.prices, offers=self.offers, age_days=(user.at - self.published) / SECONDS_PER_DAY,
                     coordinates=self.coordinates)


class ContentRecommender(_ProfileRecommender):
    """Cosine to the interest-weighted centroid only: the similarity factor of ``feed_scores``, without
    price fit, freshness or intent. A profile without a centroid scores every listing 0."""

    name = CONTENT

    def scores(self, user: UserHistory) -> np.ndarray:
        profile = self.profile(user)
        if profile.item_centroid is None:
            return np.zeros(len(self.catalogue))
        return feed_scores(self.items(user), item_centroid=profile.item_centroid,
                           text_centroid=profile.text_centroid, target_prices={}, intent="",
                           settings=self.settings).similarity


class FeedRecommender(_ProfileRecommender):
    """The production feed: ``feed_scores`` (similarity × price fit × freshness, intent filter) with
    listing ages as of the held-out event, then ``feed_order`` (diversified first page of k on item
    embeddings, the rest by score). A profile without a centroid scores every listing 0."""

    name = FEED

    def scores(self, user: UserHistory) -> np.ndarray:
        profile = self.profile(user)
        if profile.item_centroid is None:
            return np.zeros(len(self.catalogue))
        return feed_scores(self.items(user), item_centroid=profile.item_centroid,
                           text_centroid=profile.text_centroid, target_prices=profile.target_prices,
                           intent=profile.intent, places=profile.places, settings=self.settings).score

    def order(self, scores: np.ndarray, *, k: int) -> np.ndarray:
        return feed_order(scores, self.item_vectors, limit=k, diversity=self.settings.diversity)
