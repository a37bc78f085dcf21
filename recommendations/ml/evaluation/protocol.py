"""The offline protocol: leave-last-out, full ranking, metrics per algorithm.

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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommendations.ml.ids import positions_in
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
from recommendations.ml.sequence.items import validation_position


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


def last_item_histories(log: EventLog, *, user_ids: np.ndarray, weights: Mapping[str, float]) -> list[UserHistory]:
    """For each of ``user_ids``, the sequence model's validation target held out (``validation_position``:
    the last listing new to them, from its first event on) and the events before it as history (``seen``:
    the listings of its weighted events), by ascending user id; users with one listing are skipped."""
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
