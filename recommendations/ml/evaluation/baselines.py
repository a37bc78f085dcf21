"""The baselines every recommender must beat: random, popularity and item-kNN, on the shared protocol."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from recommendations.ml.evaluation.protocol import EventLog, Recommender, UserHistory
from recommendations.ml.ids import positions_in

RANDOM = "random"
POPULARITY = "popularity"
ITEM_KNN = "itemknn"


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
