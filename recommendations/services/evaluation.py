"""Offline evaluation of the recommenders on the database's interactions (``evaluate_recommenders``).

Reads signed-in users' interactions (impressions left out, as the profiles do), the catalogue of each
kind (recommendable listings with an active item embedding), listing features and the simulator's
ground truth, and runs the protocol of ``recommendations.ml.evaluation.protocol`` with the feed settings of
``recommendations.conf``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from listings.models import Event, Interaction, Listing
from recommendations import conf
from recommendations.ml.evaluation.baselines import ItemKnnRecommender, PopularityRecommender, RandomRecommender
from recommendations.ml.evaluation.profile_based import (
    ContentRecommender,
    FeedRecommender,
    ListingFeatures,
    intent_predict,
)
from recommendations.ml.evaluation.protocol import (
    EventLog,
    KindResult,
    evaluated_users,
    leave_last_out,
    protocol_run,
    results_summary,
)
from recommendations.ml.evaluation.sequential import HybridRecommender, SequenceRecommender
from recommendations.ml.interest import InterestSettings
from recommendations.models import (
    ITEM_EMBEDDING_DIM,
    RECOMMENDABLE_STATUSES,
    TEXT_EMBEDDING_DIM,
    ItemEmbedding,
    SimulatedUser,
    TextEmbedding,
)
from registry.models import ModelVersion
from registry.selectors import version_active


class EvaluationUnavailable(Exception):
    """The database lacks what an evaluation needs (an active encoder, users with two listings)."""


@dataclass(frozen=True)
class EvaluationReport:
    """``users`` evaluated (distinct, over kinds), ``items`` in the catalogues, ``intent_accuracy`` over
    (simulated user, kind) pairs or None without simulated users, ``algorithms`` name → metric → value."""

    users: int
    items: int
    intent_accuracy: float | None
    algorithms: dict[str, dict[str, float]]


def recommenders_evaluate(
    *, k: int = 10, kind: str | None = None, seed: int = 0, sasrec_epochs: int | None = None
) -> EvaluationReport:
    """Evaluate random, popularity, item-kNN, content, the feed, SASRec (seeded with ``seed``, at most
    ``sasrec_epochs`` when given) and the hybrid of the last two on ``kind`` (default: every kind
    signed-in users interacted with). Raises EvaluationUnavailable when a kind evaluated has no active
    encoder, or when no user has a held-out listing (two listings of one kind, the last still offered)."""
    interest = conf.interest_settings()
    kinds = [kind] if kind else _kinds_interacted()
    results: list[KindResult] = []
    histories: dict[str, tuple[EventLog, ListingFeatures]] = {}
    for name in kinds:
        version = version_active(kind=name)
        if version is None:
            raise EvaluationUnavailable(f"No active {name} encoder: run train_encoder --kind {name} first.")
        log = event_log(kind=name)
        catalogue, features = listing_features(version=version, extra_ids=np.unique(log.item_ids))
        histories[name] = (log, features)
        split = leave_last_out(log, weights=interest.weights)
        feed = FeedRecommender(features=features, interest=interest, settings=conf.ranking_settings())
        sequence = SequenceRecommender(seed=seed, features=features, max_epochs=sasrec_epochs)
        results.append(protocol_run(
            split=split, catalogue=catalogue, k=k, weights=interest.weights,
            published=features.published[features.rows(catalogue)],
            recommenders=[
                RandomRecommender(seed=seed),
                PopularityRecommender(weights=interest.weights),
                ItemKnnRecommender(weights=interest.weights),
                ContentRecommender(features=features, interest=interest, settings=conf.ranking_settings()),
                feed,
                sequence,
                HybridRecommender(feed=feed, sequence=sequence, k=k),
            ],
        ))
    users = evaluated_users(results)
    if not users:
        raise EvaluationUnavailable(
            "No signed-in user has interacted with two listings of one kind (the last still on offer): "
            "nothing to hold out."
        )
    return EvaluationReport(
        users=users,
        items=sum(len(result.catalogue) for result in results),
        intent_accuracy=intent_accuracy(histories=histories, interest=interest),
        algorithms=results_summary(results, k=k),
    )


def _kinds_interacted() -> list[str]:
    return list(
        Interaction.objects.filter(user__isnull=False).exclude(event=Event.IMPRESSION)
        .order_by("listing__kind").values_list("listing__kind", flat=True).distinct()
    )


def event_log(*, kind: str) -> EventLog:
    """Signed-in users' interactions with listings of ``kind``, impressions left out, in id order."""
    rows = list(
        Interaction.objects.filter(user__isnull=False, listing__kind=kind)
        .exclude(event=Event.IMPRESSION)
        .order_by("id")
        .values_list("user_id", "listing_id", "event", "created_at")
        .iterator(chunk_size=20_000)
    )
    return EventLog(
        user_ids=np.array([row[0] for row in rows], dtype=np.int64),
        item_ids=np.array([row[1] for row in rows], dtype=np.int64),
        events=np.array([row[2] for row in rows], dtype=object),
        times=np.array([row[3].timestamp() for row in rows], dtype=np.float64),
    )


def listing_features(*, version: ModelVersion, extra_ids: np.ndarray) -> tuple[np.ndarray, ListingFeatures]:
    """The catalogue of ``version``'s kind ((n,) sorted ids of recommendable listings embedded by it) and
    the features of those listings and of ``extra_ids`` (any status; NaN vectors where not embedded)."""
    embedded = dict(
        ItemEmbedding.objects.filter(version=version, listing__kind=version.kind).values_list("listing_id", "vector")
    )
    facts = {
        pk: (status, offer, price, published_at or created_at, lat, lon)
        for pk, status, offer, price, published_at, created_at, lat, lon in Listing.objects.filter(kind=version.kind)
        .values_list("pk", "status", "offer", "price", "published_at", "created_at", "lat", "lon")
        .iterator(chunk_size=20_000)
    }
    catalogue = np.array(sorted(pk for pk in embedded if facts[pk][0] in RECOMMENDABLE_STATUSES), dtype=np.int64)
    ids = np.union1d(catalogue, np.asarray(extra_ids, dtype=np.int64))
    item_vectors = np.full((len(ids), ITEM_EMBEDDING_DIM), np.nan)
    text_vectors = np.full((len(ids), TEXT_EMBEDDING_DIM), np.nan)
    rows = {pk: row for row, pk in enumerate(ids.tolist())}
    for pk, vector in embedded.items():
        if pk in rows:
            item_vectors[rows[pk]] = vector
    texts = TextEmbedding.objects.filter(listing__kind=version.kind).values_list("listing_id", "vector")
    for pk, vector in texts.iterator(chunk_size=10_000):
        if pk in rows:
            text_vectors[rows[pk]] = vector
    features = ListingFeatures(
        ids=ids,
        item_vectors=item_vectors,
        text_vectors=text_vectors,
        prices=np.array([float(facts[pk][2]) for pk in ids.tolist()]),
        offers=np.array([facts[pk][1] for pk in ids.tolist()], dtype=object),
        published=np.array([facts[pk][3].timestamp() for pk in ids.tolist()]),
        coordinates=np.array([(facts[pk][4], facts[pk][5]) for pk in ids.tolist()], dtype=np.float64).reshape(-1, 2),
    )
    return catalogue, features


def intent_accuracy(
    *, histories: dict[str, tuple[EventLog, ListingFeatures]], interest: InterestSettings
) -> float | None:
    """Share of (simulated user, kind) pairs, over the kinds in ``histories`` and in the user's ground
    truth, whose true intent is what production infers from their whole history of that kind as of
    its last event (no history infers "", which is wrong). None without such pairs."""
    truths = [
        (user_id, kind, intent)
        for user_id, intents in SimulatedUser.objects.values_list("user_id", "intents")
        for kind, intent in intents.items()
        if kind in histories
    ]
    if not truths:
        return None
    correct = 0
    for user_id, kind, intent in truths:
        log, features = histories[kind]
        mine = log.user_ids == user_id
        correct += intent == intent_predict(features=features, item_ids=log.item_ids[mine], events=log.events[mine],
                                            times=log.times[mine], interest=interest)
    return correct / len(truths)
