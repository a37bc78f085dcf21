"""Offline evaluation of recommenders: leave-last-out, full ranking, one small class per algorithm.

The protocol, per kind (``leave_last_out``, then ``protocol_run``):

1. *Held out.* Per user, the last event that carries weight (weight > 0: impressions say nothing)
   on a listing the user had no weighted event on before: the latest new listing they showed interest
   in. Events are ordered by time, ties by their order in the log (pass it in interaction-id order).
   A user without a weighted listing before that event is not evaluated.
2. *History.* The user's events (of any weight) before the held-out one; its weighted listings are
   ``seen``. Per-user algorithms (feed, content) read only this, as of the held-out event's time.
3. *Fitting data* for the algorithms that learn from everyone (popularity, item-kNN): every user's
   full log minus each evaluated user's events on their held-out listing (the held-out event and any
   later repeat of it). This is standard leave-last-out, not a time split: other users' events after
   someone's held-out time are kept.
4. *Full ranking.* Each algorithm scores every catalogue listing; the user's ``seen`` listings, those
   published after the held-out event (when publication times are given: nobody could have been
   shown them then) and those scored -inf (or NaN) are dropped; the rest are ordered by score,
   highest first, ties by the lower id. An algorithm may reorder its own ranking (the feed
   diversifies its first page).
5. Users whose held-out listing is not in the catalogue (sold or withdrawn since) are left out:
   nothing could rank it.

An algorithm is a ``Recommender``: ``fit(train=, catalogue=)`` once, then ``scores(user)`` (n,) over
the catalogue. ``results_summary`` merges kinds into one table of metrics per algorithm.

*Generic mode* (``generic_protocol_run``), for any ``user,item,timestamp`` log without listing features
or event types: the same steps with every event weighing 1, so the held-out item is each user's last
event on an item they had no event on before (users with fewer than two distinct items are skipped),
and the catalogue is every item of the log, ids ``0 .. items - 1`` (a catalogue position is an item id).
Nothing is published later and no item leaves the catalogue, so every user with a held-out item counts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from recommendations.ml.hybrid import BlendCase, blend_weight_tune, hybrid_scores, sequence_affinity
from recommendations.ml.ids import positions_in
from recommendations.ml.interest import SECONDS_PER_DAY, InterestSettings, interest_scores
from recommendations.ml.metrics import (
    COVERAGE,
    NOVELTY,
    PAD_ID,
    catalog_coverage,
    metric_names,
    metrics_mean,
    novelty,
    ranking_metrics,
)
from recommendations.ml.profiles import Profile, profile_build
from recommendations.ml.ranking import Items, RankingSettings, feed_order, feed_scores

if TYPE_CHECKING:
    from recommendations.ml.sequence import SequenceConfig

RANDOM = "random"
POPULARITY = "popularity"
ITEM_KNN = "itemknn"
CONTENT = "content"
FEED = "feed"
SASREC = "sasrec"
HYBRID = "hybrid"
MIN_VALIDATION_USERS = 20
UNVALIDATED_EPOCHS = 30
# The generic mode's one event: files of user, item and time carry no event types, so every event counts.
GENERIC_EVENT = "interaction"
GENERIC_WEIGHTS: Mapping[str, float] = {GENERIC_EVENT: 1.0}


@dataclass(frozen=True)
class EventLog:
    """Interactions, one row each: ``user_ids`` (m,) int64, ``item_ids`` (m,) int64, ``events`` (m,)
    event names, ``times`` (m,) float seconds since the epoch. Rows in log (interaction-id) order."""

    user_ids: np.ndarray
    item_ids: np.ndarray
    events: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return len(self.user_ids)

    def take(self, rows: np.ndarray) -> EventLog:
        """The rows selected by ``rows`` (a bool mask or int indices), in that order."""
        return EventLog(self.user_ids[rows], self.item_ids[rows], self.events[rows], self.times[rows])

    def weights(self, weights: Mapping[str, float]) -> np.ndarray:
        """(m,) the weight of each row's event; 0 for events not in ``weights``."""
        return np.array([weights.get(event, 0.0) for event in self.events.tolist()], dtype=np.float64)


@dataclass(frozen=True)
class UserHistory:
    """One evaluated user: the ``held_out`` listing id and its event's time ``at`` (seconds), their
    events before it (``item_ids``, ``events``, ``times``, each (h,), in time order) and ``seen`` (s,)
    the sorted ids of the listings with weighted events among them."""

    user_id: int
    held_out: int
    at: float
    item_ids: np.ndarray
    events: np.ndarray
    times: np.ndarray
    seen: np.ndarray


@dataclass(frozen=True)
class Split:
    """``users`` by ascending user id; ``train`` the fitting data of step 3 (module docstring)."""

    users: tuple[UserHistory, ...]
    train: EventLog


def leave_last_out(log: EventLog, *, weights: Mapping[str, float]) -> Split:
    """Hold out each user's latest new weighted listing (steps 1 to 3 of the module docstring)."""
    weighted = log.weights(weights) > 0
    dropped = np.zeros(len(log), dtype=bool)
    histories = []
    for user_id, rows in _rows_by_user(log):
        candidates = np.flatnonzero(weighted[rows])
        _, first = np.unique(log.item_ids[rows[candidates]], return_index=True)
        firsts = np.sort(candidates[first])
        if len(firsts) < 2:
            continue
        held = int(firsts[-1])
        held_out = int(log.item_ids[rows[held]])
        before = rows[:held]
        later = rows[held:]
        dropped[later[log.item_ids[later] == held_out]] = True
        histories.append(UserHistory(
            user_id=user_id, held_out=held_out, at=float(log.times[rows[held]]),
            item_ids=log.item_ids[before], events=log.events[before], times=log.times[before],
            seen=np.unique(log.item_ids[before][weighted[before]]),
        ))
    return Split(users=tuple(histories), train=log.take(~dropped))


def _rows_by_user(log: EventLog) -> list[tuple[int, np.ndarray]]:
    """(user id, (h,) their row indices in time order, ties by log order), by ascending user id."""
    order = np.lexsort((np.arange(len(log)), log.times, log.user_ids))
    users, starts = np.unique(log.user_ids[order], return_index=True)
    stops = [*starts[1:].tolist(), len(log)]
    return [(user_id, order[start:stop]) for user_id, start, stop in zip(users.tolist(), starts.tolist(), stops,
                                                                         strict=True)]


def user_sequences(log: EventLog) -> dict[int, np.ndarray]:
    """Each user's (h,) item ids in time order (ties by log order), every event kept: what a sequence
    model trains on. Keys by ascending user id."""
    return {user_id: log.item_ids[rows] for user_id, rows in _rows_by_user(log)}


def rank_by_score(scores: np.ndarray) -> np.ndarray:
    """Positions of the finite ``scores`` (n,), highest first, ties by the lower position."""
    finite = np.flatnonzero(np.isfinite(scores))
    return finite[np.argsort(-scores[finite], kind="stable")]


class Recommender(ABC):
    """One algorithm under the shared protocol. ``fit`` sees the fitting data and the catalogue (n,)
    sorted listing ids; ``scores`` gives (n,) floats for one user, -inf for listings never shown."""

    name: str

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        self.train = train
        self.catalogue = catalogue

    def fitted_on(self, *, train: EventLog, catalogue: np.ndarray) -> bool:
        """Whether ``fit`` last saw exactly this data (a hybrid reuses its components' fits)."""
        return getattr(self, "train", None) is train and getattr(self, "catalogue", None) is catalogue

    @abstractmethod
    def scores(self, user: UserHistory) -> np.ndarray: ...

    def order(self, scores: np.ndarray, *, k: int) -> np.ndarray:
        """The full ranking: catalogue positions best first. ``scores`` has the seen listings at -inf."""
        return rank_by_score(scores)


class RandomRecommender(Recommender):
    """Uniform random scores; each user's draw depends only on ``seed`` and their id."""

    name = RANDOM

    def __init__(self, *, seed: int) -> None:
        self.seed = seed

    def scores(self, user: UserHistory) -> np.ndarray:
        return np.random.default_rng([self.seed, user.user_id]).random(len(self.catalogue))


class PopularityRecommender(Recommender):
    """Every user gets the catalogue by the sum of event weights on each listing in the fitting data."""

    name = POPULARITY

    def __init__(self, *, weights: Mapping[str, float]) -> None:
        self.weights = weights

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        super().fit(train=train, catalogue=catalogue)
        positions, found = positions_in(catalogue, train.item_ids)
        self.popularity = np.bincount(
            positions[found], weights=train.weights(self.weights)[found], minlength=len(catalogue)
        ).astype(np.float64)

    def scores(self, user: UserHistory) -> np.ndarray:
        return self.popularity.copy()


class ItemKnnRecommender(Recommender):
    """Item-item cosine over users: ``sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i| |U_j|)`` with ``U_i`` the users
    with a weighted event on ``i`` in the fitting data; a user's score of ``i`` is ``Σ_{j ∈ seen} sim(i, j)``.

    Listings outside the catalogue (sold since) still link the ones inside. Computed per user as two
    sparse products over the (user, listing) pairs, never as an item × item matrix.
    """

    name = ITEM_KNN

    def __init__(self, *, weights: Mapping[str, float]) -> None:
        self.weights = weights

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        super().fit(train=train, catalogue=catalogue)
        positive = train.take(train.weights(self.weights) > 0)
        self.items = np.union1d(positive.item_ids, catalogue)
        pairs = np.unique(np.stack([positive.user_ids, positive.item_ids]), axis=1)
        _, self.pair_users = np.unique(pairs[0], return_inverse=True)
        self.pair_items = np.searchsorted(self.items, pairs[1])
        counts = np.bincount(self.pair_items, minlength=len(self.items)).astype(np.float64)
        self.inverse_root = np.divide(1.0, np.sqrt(counts), out=np.zeros_like(counts), where=counts > 0)
        self.catalogue_rows = np.searchsorted(self.items, catalogue)
        self.user_count = int(self.pair_users.max()) + 1 if len(self.pair_users) else 0

    def scores(self, user: UserHistory) -> np.ndarray:
        mine = np.zeros(len(self.items), dtype=bool)
        positions, found = positions_in(self.items, user.seen)
        mine[positions[found]] = True
        linked = mine[self.pair_items]
        by_user = np.bincount(self.pair_users[linked], weights=self.inverse_root[self.pair_items[linked]],
                              minlength=self.user_count)
        by_item = np.bincount(self.pair_items, weights=by_user[self.pair_users], minlength=len(self.items))
        return (by_item * self.inverse_root)[self.catalogue_rows]


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


@dataclass(frozen=True)
class RankingRun:
    """One algorithm over the evaluated users: ``user_ids`` (u,), ``metrics`` name → (u,) per-user
    values (``metric_names(k)``), ``top_k`` (u, k) listing ids best first, ``PAD_ID`` past a short list."""

    user_ids: np.ndarray
    metrics: dict[str, np.ndarray]
    top_k: np.ndarray


@dataclass(frozen=True)
class KindResult:
    """The protocol on one kind: ``catalogue`` (n,) ids, ``popularity`` (n,) users per catalogue listing
    in the fitting data (for novelty), ``runs`` by algorithm name."""

    catalogue: np.ndarray
    popularity: np.ndarray
    runs: dict[str, RankingRun]


def protocol_run(
    *, split: Split, catalogue: np.ndarray, recommenders: Sequence[Recommender], k: int,
    weights: Mapping[str, float], published: np.ndarray | None = None,
) -> KindResult:
    """Fit every recommender on ``split.train``, rank the catalogue (n,) sorted ids for every user
    whose held-out listing is in it, and measure each ranking against the held-out listing.
    ``published`` (n,) seconds since the epoch, when given, keeps later listings out of a user's ranking."""
    catalogue = np.asarray(catalogue, dtype=np.int64)
    published = np.full(len(catalogue), -np.inf) if published is None else np.asarray(published, dtype=np.float64)
    users = [user for user in split.users if positions_in(catalogue, np.array([user.held_out]))[1][0]]
    runs = {}
    for recommender in recommenders:
        recommender.fit(train=split.train, catalogue=catalogue)
        runs[recommender.name] = _run(recommender, users=users, catalogue=catalogue, published=published, k=k)
    return KindResult(catalogue=catalogue, popularity=_user_counts(split.train, catalogue=catalogue, weights=weights),
                      runs=runs)


def _run(
    recommender: Recommender, *, users: Sequence[UserHistory], catalogue: np.ndarray, published: np.ndarray, k: int
) -> RankingRun:
    rows = []
    top_k = np.full((len(users), k), PAD_ID, dtype=np.int64)
    for row, user in enumerate(users):
        scores = np.array(recommender.scores(user), dtype=np.float64)
        scores[excluded_positions(catalogue, user, published)] = -np.inf
        ranked = catalogue[recommender.order(scores, k=k)]
        rows.append(ranking_metrics(ranked=ranked, relevant=np.array([user.held_out]), k=k))
        top_k[row, : min(k, len(ranked))] = ranked[:k]
    metrics = {name: np.array([values[name] for values in rows], dtype=np.float64) for name in metric_names(k)}
    return RankingRun(user_ids=np.array([user.user_id for user in users], dtype=np.int64), metrics=metrics,
                      top_k=top_k)


def _user_counts(train: EventLog, *, catalogue: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """(n,) distinct users with a weighted event on each catalogue listing."""
    positive = train.take(train.weights(weights) > 0)
    pairs = np.unique(np.stack([positive.user_ids, positive.item_ids]), axis=1)
    positions, found = positions_in(catalogue, pairs[1])
    return np.bincount(positions[found], minlength=len(catalogue)).astype(np.float64)


def results_summary(results: Sequence[KindResult], *, k: int) -> dict[str, dict[str, float]]:
    """Per algorithm, the per-user metrics averaged over every evaluated (user, kind), catalogue coverage
    over all kinds' catalogues together, and novelty (``metric_names(k)`` + coverage + novelty).
    Algorithms in the order of the first result; NaN means with no evaluated user."""
    if not results:
        return {}
    catalogue = np.concatenate([result.catalogue for result in results])
    popularity = np.concatenate([result.popularity for result in results])
    summary = {}
    for name in results[0].runs:
        runs = [result.runs[name] for result in results]
        top_k = np.concatenate([run.top_k for run in runs])
        values = {metric: np.concatenate([run.metrics[metric] for run in runs]) for metric in metric_names(k)}
        summary[name] = {
            **metrics_mean(values),
            COVERAGE: catalog_coverage(top_k=top_k, catalog_size=len(catalogue)),
            NOVELTY: novelty(top_k=top_k, item_ids=catalogue, counts=popularity),
        }
    return summary


def evaluated_users(results: Sequence[KindResult]) -> int:
    """Distinct users evaluated in at least one kind."""
    ids = [run.user_ids for result in results for run in list(result.runs.values())[:1]]
    return len(np.unique(np.concatenate(ids))) if ids else 0


class SequenceRecommender(Recommender):
    """SASRec (``recommendations.ml.sequence``) trained on every user's training events in time order,
    ranking by the next-item scores after the user's history. With ``features``, item embeddings start
    from the listings' item vectors (cold start by content). ``config`` (default: the defaults with
    ``seed``) is shortened when fewer than ``MIN_VALIDATION_USERS`` users could validate it: no early
    stopping then, ``UNVALIDATED_EPOCHS`` at most. torch is imported on first use."""

    name = SASREC

    def __init__(
        self, *, seed: int = 0, max_epochs: int | None = None, features: ListingFeatures | None = None,
        config: SequenceConfig | None = None, progress: bool = False,
    ) -> None:
        self.seed = seed
        self.max_epochs = max_epochs
        self.features = features
        self.config = config
        self.progress = progress

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        from recommendations.ml.sequence import SequenceConfig, sequence_train

        super().fit(train=train, catalogue=catalogue)
        # A sequence model learns moves between listings: a user needs two (repeats are one step).
        by_user = {user_id: sequence for user_id, sequence in user_sequences(train).items()
                   if len(np.unique(sequence)) >= 2}
        sequences = list(by_user.values())
        self.sequence_users = np.array(list(by_user), dtype=np.int64)
        item_ids = np.union1d(catalogue, train.item_ids)
        content = None
        if self.features is not None:
            content = np.nan_to_num(np.asarray(self.features.item_vectors[self.features.rows(item_ids)],
                                               dtype=np.float32))
        config = self.config or SequenceConfig(seed=self.seed)
        if sum(_validatable(sequence) for sequence in sequences) < MIN_VALIDATION_USERS:
            # Too few users to stop early on: a fixed, short training instead.
            config = replace(config, val_fraction=0.0, max_epochs=min(config.max_epochs, UNVALIDATED_EPOCHS))
        if self.max_epochs is not None:
            config = replace(config, max_epochs=self.max_epochs)
        self.model = None
        self.training: dict[str, float | int] = {}
        if sequences:
            self.model, self.training = sequence_train(sequences, item_ids=item_ids, content=content, config=config,
                                                       progress=self.progress)
            self.rows = positions_in(self.model.item_ids, catalogue)[0]
            self.known = self.model.known_items

    def scores(self, user: UserHistory) -> np.ndarray:
        if self.model is None:  # nobody had two events to learn from: no opinion
            return np.zeros(len(self.catalogue))
        return np.asarray(self.model.scores(user.item_ids), dtype=np.float64)[self.rows]

    def affinity(self, user: UserHistory) -> np.ndarray:
        """(n,) ``hybrid.sequence_affinity`` of the catalogue after the user's history (0 without a model)."""
        if self.model is None:
            return np.zeros(len(self.catalogue))
        logits = np.asarray(self.model.scores(user.item_ids), dtype=np.float64)
        return sequence_affinity(logits, self.known)[self.rows]

    def validation_users(self) -> np.ndarray:
        """(v,) ids of the users whose last training item validated the model."""
        return np.zeros(0, dtype=np.int64) if self.model is None else self.sequence_users[self.model.validation_rows]


class HybridRecommender(Recommender):
    """The feed's score blended with SASRec's affinity (``recommendations.ml.hybrid``), ordered as the
    feed orders. The blend weight is tuned on SASRec's validation users (the last item of their training
    events, which SASRec did not train on) with the feed's ranking, as production tunes it. Components
    already fitted on the same data (earlier in the protocol) are not fitted again."""

    name = HYBRID

    def __init__(self, *, feed: FeedRecommender, sequence: SequenceRecommender, k: int = 10) -> None:
        self.feed = feed
        self.sequence = sequence
        self.k = k

    def fit(self, *, train: EventLog, catalogue: np.ndarray) -> None:
        super().fit(train=train, catalogue=catalogue)
        for component in (self.feed, self.sequence):
            if not component.fitted_on(train=train, catalogue=catalogue):
                component.fit(train=train, catalogue=catalogue)
        cases = []
        for user in last_item_histories(train, user_ids=self.sequence.validation_users(),
                                        weights=self.feed.interest.weights):
            held_out, found = positions_in(catalogue, np.array([user.held_out]))
            if found[0] and len(user.seen):
                cases.append(BlendCase(content=self.feed.scores(user), affinity=self.sequence.affinity(user),
                                       held_out=int(held_out[0]),
                                       excluded=excluded_positions(catalogue, user, self.feed.published)))
        self.tuning = blend_weight_tune(cases, order=lambda scores: self.feed.order(scores, k=self.k), k=self.k)

    def scores(self, user: UserHistory) -> np.ndarray:
        return hybrid_scores(content=self.feed.scores(user), affinity=self.sequence.affinity(user),
                             weight=self.tuning.weight)

    def order(self, scores: np.ndarray, *, k: int) -> np.ndarray:
        return self.feed.order(scores, k=k)


def last_item_histories(log: EventLog, *, user_ids: np.ndarray, weights: Mapping[str, float]) -> list[UserHistory]:
    """For each of ``user_ids``, the sequence model's validation target held out (``validation_position``:
    the last listing new to them, from its first event on) and the events before it as history (``seen``:
    the listings of its weighted events), by ascending user id; users with one listing are skipped."""
    from recommendations.ml.sequence import validation_position

    wanted = set(np.asarray(user_ids).tolist())
    weighted = log.weights(weights) > 0
    histories = []
    for user_id, rows in _rows_by_user(log):
        if user_id not in wanted:
            continue
        position = validation_position(log.item_ids[rows], exclude_seen=True)
        if position is None:
            continue
        before = rows[:position]
        histories.append(UserHistory(
            user_id=user_id, held_out=int(log.item_ids[rows[position]]), at=float(log.times[rows[position]]),
            item_ids=log.item_ids[before], events=log.events[before], times=log.times[before],
            seen=np.unique(log.item_ids[before][weighted[before]]),
        ))
    return histories


def excluded_positions(catalogue: np.ndarray, user: UserHistory, published: np.ndarray) -> np.ndarray:
    """Catalogue positions a user's ranking leaves out: their seen listings and those published after the
    held-out event (``published`` (n,) seconds since the epoch)."""
    positions, found = positions_in(catalogue, user.seen)
    return np.union1d(positions[found], np.flatnonzero(published > user.at))


def _validatable(sequence: np.ndarray) -> bool:
    """Whether a user's last item is new to them, so it can validate a sequence model."""
    return len(sequence) >= 2 and sequence[-1] not in sequence[:-1]


def generic_recommenders(*, seed: int, sasrec_epochs: int | None = None) -> list[Recommender]:
    """The generic mode's algorithms in report order: random, popularity (events per item), item-kNN and
    SASRec (``sasrec_epochs`` caps its training; None: early stopping decides)."""
    return [RandomRecommender(seed=seed), PopularityRecommender(weights=GENERIC_WEIGHTS),
            ItemKnnRecommender(weights=GENERIC_WEIGHTS), SequenceRecommender(seed=seed, max_epochs=sasrec_epochs)]


def generic_protocol_run(*, log: EventLog, items: int, recommenders: Sequence[Recommender], k: int) -> KindResult:
    """The generic mode (module docstring) on ``log``, whose item ids are ``0 .. items - 1``: every event,
    whatever its name, weighs 1 (recommenders that weigh events take ``GENERIC_WEIGHTS``), the catalogue
    is ``arange(items)``. A ValueError names item ids outside that range."""
    outside = log.item_ids[(log.item_ids < 0) | (log.item_ids >= items)]
    if len(outside):
        raise ValueError(f"Item ids {np.unique(outside)[:5].tolist()} are outside 0 .. {items - 1}.")
    counted = EventLog(log.user_ids, log.item_ids, np.full(len(log), GENERIC_EVENT, dtype=object), log.times)
    return protocol_run(split=leave_last_out(counted, weights=GENERIC_WEIGHTS),
                        catalogue=np.arange(items, dtype=np.int64), recommenders=recommenders, k=k,
                        weights=GENERIC_WEIGHTS)
