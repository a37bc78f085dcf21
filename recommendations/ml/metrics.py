"""Offline ranking metrics as pure functions, in the manner of recommenders' ``python_evaluation``.

Per-user metrics take one user's ranking, ``ranked`` (n,) item ids best first (a full ranking or at
least its first k), and ``relevant`` (r,) the ids held out for that user; they return a float in
[0, 1]. ``ranking_metrics`` returns them all under the names in ``metric_names``; ``metrics_mean``
averages them over users. Catalogue-level metrics (``catalog_coverage``, ``novelty``) take every
user's top-k list, ``top_k`` (u, k) ids padded with ``PAD_ID`` where a list is shorter than k.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

PAD_ID = -1
MRR = "mrr"
COVERAGE = "coverage"
NOVELTY = "novelty"


def hit_ratio_name(k: int) -> str:
    return f"hr@{k}"


def ndcg_name(k: int) -> str:
    return f"ndcg@{k}"


def precision_name(k: int) -> str:
    return f"precision@{k}"


def recall_name(k: int) -> str:
    return f"recall@{k}"


def metric_names(k: int) -> tuple[str, ...]:
    """The per-user metrics of ``ranking_metrics``, in report order."""
    return hit_ratio_name(k), ndcg_name(k), precision_name(k), recall_name(k), MRR


def _hits(ranked: np.ndarray, relevant: np.ndarray, k: int | None = None) -> np.ndarray:
    """(min(k, n),) bool: whether each of the first k ranked ids is relevant."""
    head = np.asarray(ranked, dtype=np.int64)[:k]
    return np.isin(head, np.asarray(relevant, dtype=np.int64))


def hit_ratio_at_k(*, ranked: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """1.0 when any relevant id is among the first ``k`` ranked, else 0.0."""
    return float(_hits(ranked, relevant, k).any())


def ndcg_at_k(*, ranked: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Binary-gain DCG of the first ``k`` over the ideal DCG: ``Σ_hits 1/log2(rank + 1)`` over
    ``Σ_{r ≤ min(k, |relevant|)} 1/log2(r + 1)``, ranks from 1. 0.0 with nothing relevant."""
    hits = _hits(ranked, relevant, k)
    ideal = min(k, len(np.unique(relevant)))
    if ideal == 0:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    return float(discounts[: len(hits)][hits].sum() / discounts[:ideal].sum())


def precision_at_k(*, ranked: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Relevant ids among the first ``k``, over ``k`` (a shorter ranking still divides by ``k``)."""
    return float(_hits(ranked, relevant, k).sum() / k)


def recall_at_k(*, ranked: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Relevant ids among the first ``k``, over the number of relevant ids; 0.0 with nothing relevant."""
    count = len(np.unique(relevant))
    return float(_hits(ranked, relevant, k).sum() / count) if count else 0.0


def mrr(*, ranked: np.ndarray, relevant: np.ndarray) -> float:
    """Reciprocal rank of the first relevant id over the whole ranking (ranks from 1); 0.0 when absent."""
    found = np.flatnonzero(_hits(ranked, relevant))
    return 1.0 / (int(found[0]) + 1) if len(found) else 0.0


def ranking_metrics(*, ranked: np.ndarray, relevant: np.ndarray, k: int) -> dict[str, float]:
    """Every per-user metric of one ranking, keyed by ``metric_names(k)``."""
    return {
        hit_ratio_name(k): hit_ratio_at_k(ranked=ranked, relevant=relevant, k=k),
        ndcg_name(k): ndcg_at_k(ranked=ranked, relevant=relevant, k=k),
        precision_name(k): precision_at_k(ranked=ranked, relevant=relevant, k=k),
        recall_name(k): recall_at_k(ranked=ranked, relevant=relevant, k=k),
        MRR: mrr(ranked=ranked, relevant=relevant),
    }


def metrics_mean(values: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The mean over users of each metric, given (u,) per-user values per name; NaN where u is 0."""
    return {name: float(np.mean(array)) if len(array) else float("nan") for name, array in values.items()}


def catalog_coverage(*, top_k: np.ndarray, catalog_size: int) -> float:
    """Distinct ids in all top-k lists (``PAD_ID`` ignored) over the catalogue size; 0.0 for no catalogue."""
    ids = np.unique(np.asarray(top_k, dtype=np.int64))
    return float((ids != PAD_ID).sum() / catalog_size) if catalog_size else 0.0


def novelty(*, top_k: np.ndarray, item_ids: np.ndarray, counts: np.ndarray) -> float:
    """Mean self-information ``-log2(share)`` of the recommended items, each slot counting once.

    ``item_ids`` (n,) and ``counts`` (n,) give each item's popularity (e.g. users who interacted in
    training); an item's share is its count over the sum of counts. As in recommenders, slots holding
    an item of no popularity (never seen in training, or not in ``item_ids``) have no defined
    self-information and are left out; NaN when no slot is left.
    """
    item_ids = np.asarray(item_ids, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if not len(item_ids) or total <= 0:
        return float("nan")
    slots = np.asarray(top_k, dtype=np.int64).ravel()
    order = np.argsort(item_ids, kind="stable")
    rows = order[np.minimum(np.searchsorted(item_ids, slots, sorter=order), len(item_ids) - 1)]
    known = (item_ids[rows] == slots) & (slots != PAD_ID) & (counts[rows] > 0)
    if not known.any():
        return float("nan")
    return float(np.mean(-np.log2(counts[rows[known]] / total)))
