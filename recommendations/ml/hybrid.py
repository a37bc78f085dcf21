"""The hybrid feed score: the content ranker's score blended with the next-item model's.

For one person and n candidate listings:

* ``content`` (n,) is the feed's score (``ranking.feed_scores``: similarity × price fit × location fit ×
  freshness, -inf for offers the intent excludes), about 0 … 1.1;
* ``affinity`` (n,) in [0, 1] is how strongly the sequence model expects each listing next, relative to
  its favourite: ``exp(logit - max logit)`` over the items it knows, which is the softmax probability
  divided by the largest one, so it does not depend on which candidates are scored; 0 for items the
  model never saw in training (``sequence_affinity``);
* ``hybrid = (1 - weight) × content + weight × affinity``.

An item the model never saw is therefore scored by the content ranker alone (its content term, with an
affinity of 0, as a known item the model does not expect); the model's opinion of it (its content
projection) is never read. The weight is tuned on the sequence model's validation users
(``blend_weight_tune``) and stored in its version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from recommendations.ml.metrics import ndcg_name, ranking_metrics

# Weights tried when tuning: 0 (content only) to 1 (sequence only) in steps of 0.05.
BLEND_GRID = tuple(round(step * 0.05, 2) for step in range(21))


def sequence_affinity(logits: np.ndarray, known: np.ndarray) -> np.ndarray:
    """(n,) ``exp(logit - max known logit)`` for the known items of ``logits`` (n,), 0 for the others
    (``known`` (n,) bool). All zeros when no item is known."""
    logits = np.asarray(logits, dtype=np.float64)
    affinity = np.zeros(len(logits))
    if known.any():
        affinity[known] = np.exp(logits[known] - logits[known].max())
    return affinity


def hybrid_scores(*, content: np.ndarray, affinity: np.ndarray, weight: float) -> np.ndarray:
    """(n,) ``(1 - weight) × content + weight × affinity``; -inf content (an excluded offer) stays -inf."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"The blend weight must be within 0 … 1, not {weight}.")
    content = np.asarray(content, dtype=np.float64)
    excluded = np.isneginf(content)
    blended = (1.0 - weight) * np.where(excluded, 0.0, content) + weight * np.asarray(affinity, dtype=np.float64)
    blended[excluded] = -np.inf
    return blended


def sequence_led(*, content: np.ndarray, affinity: np.ndarray, weight: float) -> np.ndarray:
    """(n,) bool: whether the sequence term of each hybrid score is larger than the content term, i.e.
    the item is recommended mainly because of what people viewed next."""
    return weight * np.asarray(affinity) > (1.0 - weight) * np.maximum(np.asarray(content), 0.0)


@dataclass(frozen=True)
class BlendCase:
    """One validation user: ``content`` (n,) and ``affinity`` (n,) over the candidates, ``held_out`` the
    candidate position of the item they looked at next, ``excluded`` (e,) positions not to rank (seen)."""

    content: np.ndarray
    affinity: np.ndarray
    held_out: int
    excluded: np.ndarray


@dataclass(frozen=True)
class BlendTuning:
    """The chosen ``weight`` and the mean NDCG@k of every weight tried (``ndcg`` weight → value)."""

    weight: float
    ndcg: dict[float, float]
    users: int


def blend_weight_tune(
    cases: Sequence[BlendCase], *, order: Callable[[np.ndarray], np.ndarray], k: int = 10,
    grid: Sequence[float] = BLEND_GRID,
) -> BlendTuning:
    """The smallest weight of ``grid`` whose hybrid ranking puts the held-out items about as high as the
    best weight does (mean NDCG@k over ``cases``): within one standard error of the per-user differences
    from the best (the one-standard-error rule). A few lucky validation users then cannot hand the
    sequence model weight: the content ranker, which also knows new items, keeps it unless the evidence
    is clear. ``order`` maps scores (n,) to candidate positions best first, -inf dropped (the ranking
    served). Without cases the weight is 0."""
    if not cases:
        return BlendTuning(weight=0.0, ndcg={}, users=0)
    name = ndcg_name(k)
    values = {}
    for weight in grid:
        per_user = []
        for case in cases:
            scores = hybrid_scores(content=case.content, affinity=case.affinity, weight=weight)
            scores[case.excluded] = -np.inf
            per_user.append(ranking_metrics(ranked=order(scores), relevant=np.array([case.held_out]), k=k)[name])
        values[float(weight)] = np.array(per_user)
    best = max(values, key=lambda weight: (values[weight].mean(), -weight))
    chosen = min(weight for weight in values if _within_one_error(values[best] - values[weight]))
    return BlendTuning(weight=chosen, ndcg={weight: float(value.mean()) for weight, value in values.items()},
                       users=len(cases))


def _within_one_error(differences: np.ndarray) -> bool:
    """Whether the mean of paired differences (u,) is at most one standard error (0 for one user)."""
    error = differences.std(ddof=1) / np.sqrt(len(differences)) if len(differences) > 1 else 0.0
    return bool(differences.mean() <= error)
