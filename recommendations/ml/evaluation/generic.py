"""The protocol in generic mode, for any ``user,item,timestamp`` log without listing features or event types.

The same steps as ``protocol`` with every event weighing 1, so the held-out item is each user's last
event on an item they had no event on before (users with fewer than two distinct items are skipped),
and the catalogue is every item of the log, ids ``0 .. items - 1`` (a catalogue position is an item id).
Nothing is published later and no item leaves the catalogue, so every user with a held-out item counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from recommendations.ml.evaluation.baselines import ItemKnnRecommender, PopularityRecommender, RandomRecommender
from recommendations.ml.evaluation.protocol import EventLog, KindResult, Recommender, leave_last_out, protocol_run
from recommendations.ml.evaluation.sequential import SequenceRecommender

# The generic mode's one event: files of user, item and time carry no event types, so every event counts.
GENERIC_EVENT = "interaction"
GENERIC_WEIGHTS: Mapping[str, float] = {GENERIC_EVENT: 1.0}


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
