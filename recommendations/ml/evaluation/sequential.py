"""Recommenders that read the order of events: SASRec, and the feed blended with it (the hybrid)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from recommendations.ml.evaluation.profile_based import FeedRecommender, ListingFeatures
from recommendations.ml.evaluation.protocol import (
    EventLog,
    Recommender,
    UserHistory,
    excluded_positions,
    last_item_histories,
    user_sequences,
)
from recommendations.ml.hybrid import BlendCase, blend_weight_tune, hybrid_scores, sequence_affinity
from recommendations.ml.ids import positions_in
from recommendations.ml.sequence.config import SequenceConfig

SASREC = "sasrec"
HYBRID = "hybrid"
MIN_VALIDATION_USERS = 20
UNVALIDATED_EPOCHS = 30


class SequenceRecommender(Recommender):
    """SASRec (``recommendations.ml.sequence``) trained on every user's training events in time order,
    ranking by the next-item scores after the user's history. With ``features``, item embeddings start
    from the listings' item vectors (cold start by content). ``config`` (default: the defaults with
    ``seed``) is shortened when fewer than ``MIN_VALIDATION_USERS`` users could validate it: no early
    stopping then, ``UNVALIDATED_EPOCHS`` at most. torch is imported on first use (``fit``)."""

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
        from recommendations.ml.sequence.training import sequence_train

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


def _validatable(sequence: np.ndarray) -> bool:
    """Whether a user's last item is new to them, so it can validate a sequence model."""
    return len(sequence) >= 2 and sequence[-1] not in sequence[:-1]
