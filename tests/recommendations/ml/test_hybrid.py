"""The hybrid score: the weight is respected, unseen items fall back to content, tuning picks the weight
that ranks validation users' next items best."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.ml.hybrid import (
    BLEND_GRID,
    BlendCase,
    blend_weight_tune,
    hybrid_scores,
    sequence_affinity,
    sequence_led,
)


def by_score(scores: np.ndarray) -> np.ndarray:
    finite = np.flatnonzero(np.isfinite(scores))
    return finite[np.argsort(-scores[finite], kind="stable")]


def test_it_scales_logits_to_the_models_favourite_among_known_items() -> None:
    logits = np.array([2.0, 0.0, 9.0, 2.0 - math.log(4)])
    known = np.array([True, True, False, True])

    affinity = sequence_affinity(logits, known)

    # The unknown item's logit (9) is never read: the favourite is item 0 among the known.
    assert affinity.tolist() == pytest.approx([1.0, math.exp(-2.0), 0.0, 0.25])


def test_it_gives_no_affinity_when_the_model_knows_no_item() -> None:
    assert sequence_affinity(np.array([1.0, 2.0]), np.array([False, False])).tolist() == [0.0, 0.0]


def test_it_blends_scores_by_the_weight() -> None:
    content = np.array([0.9, 0.5, -np.inf, 0.2])
    affinity = np.array([0.0, 1.0, 1.0, 0.5])

    assert hybrid_scores(content=content, affinity=affinity, weight=0.0).tolist() == [0.9, 0.5, -np.inf, 0.2]
    assert hybrid_scores(content=content, affinity=affinity, weight=1.0).tolist() == [0.0, 1.0, -np.inf, 0.5]
    # 0.75 × content + 0.25 × affinity; an offer the intent excludes stays out whatever the model says.
    assert hybrid_scores(content=content, affinity=affinity, weight=0.25).tolist() == pytest.approx(
        [0.675, 0.625, -np.inf, 0.275]
    )


def test_it_scores_unseen_items_by_content_alone() -> None:
    """Items 2 and 3 are unknown to the model: whatever their logits, their order is the content order and
    their score is the content term."""
    content = np.array([0.4, 0.3, 0.8, 0.6])
    known = np.array([True, True, False, False])
    for unseen_logits in ([50.0, -50.0], [-50.0, 50.0]):
        affinity = sequence_affinity(np.array([1.0, 3.0, *unseen_logits]), known)
        scores = hybrid_scores(content=content, affinity=affinity, weight=0.5)

        assert scores[2:].tolist() == pytest.approx([0.4, 0.3])
        assert by_score(scores).tolist() == [1, 2, 3, 0]


def test_it_refuses_a_weight_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match=r"within 0 … 1, not 1.5"):
        hybrid_scores(content=np.zeros(2), affinity=np.zeros(2), weight=1.5)


def test_it_says_which_items_the_sequence_model_mainly_recommends() -> None:
    led = sequence_led(content=np.array([0.9, 0.2, -np.inf]), affinity=np.array([1.0, 1.0, 0.1]), weight=0.3)

    # 0.3 × 1 < 0.7 × 0.9; 0.3 × 1 > 0.7 × 0.2; an excluded offer's content counts as 0.
    assert led.tolist() == [False, True, True]


def test_it_tunes_the_weight_that_ranks_the_next_items_highest() -> None:
    """Content puts the held-out item (position 1) second behind item 0; the model prefers item 1 strongly
    and item 0 a little. A weight w ranks item 1 first when 0.6 (1 - w) + w > 0.8 (1 - w) + 0.2 w, i.e.
    from w > 0.2 (NDCG 1); NDCG is 1/log2(3) below."""
    case = BlendCase(content=np.array([0.8, 0.6, 0.1]), affinity=np.array([0.2, 1.0, 0.0]), held_out=1,
                     excluded=np.array([], dtype=np.int64))

    tuning = blend_weight_tune([case], order=by_score, k=2)

    assert tuning.weight == 0.25
    assert tuning.users == 1
    assert tuning.ndcg[0.0] == pytest.approx(1 / math.log2(3))
    assert tuning.ndcg[0.15] == pytest.approx(1 / math.log2(3))
    assert tuning.ndcg[0.25] == 1.0
    assert list(tuning.ndcg) == list(BLEND_GRID)


def test_it_leaves_excluded_items_out_of_the_tuning_ranking() -> None:
    """The seen item 0 would block the held-out item from the top at weight 0 with k = 1."""
    case = BlendCase(content=np.array([0.9, 0.6, 0.1]), affinity=np.array([0.0, 0.0, 1.0]), held_out=1,
                     excluded=np.array([0]))

    tuning = blend_weight_tune([case], order=by_score, k=1)

    assert (tuning.weight, tuning.ndcg[0.0]) == (0.0, 1.0)


def test_it_keeps_content_only_without_validation_users() -> None:
    tuning = blend_weight_tune([], order=by_score)

    assert (tuning.weight, tuning.ndcg, tuning.users) == (0.0, {}, 0)


def test_it_keeps_content_only_when_the_sequence_models_gain_is_within_one_standard_error() -> None:
    """From w = 0.25 on, the model helps one kind of user (NDCG 1/log2(3) → 1, a gain of 0.37) and hurts
    another as much. Helped, hurt and two unchanged users: no mean gain, the weight stays 0. Two helped
    and two unchanged: the gains (0.37, 0.37, 0, 0) average 0.185, more than their standard error 0.107."""
    helped = BlendCase(content=np.array([0.8, 0.6, 0.1]), affinity=np.array([0.2, 1.0, 0.0]), held_out=1,
                       excluded=np.array([], dtype=np.int64))
    hurt = BlendCase(content=np.array([0.6, 0.8, 0.1]), affinity=np.array([1.0, 0.2, 0.0]), held_out=1,
                     excluded=np.array([], dtype=np.int64))
    unchanged = BlendCase(content=np.array([0.1, 0.9, 0.0]), affinity=np.array([0.0, 0.0, 0.0]), held_out=1,
                          excluded=np.array([], dtype=np.int64))

    balanced = blend_weight_tune([helped, hurt, unchanged, unchanged], order=by_score, k=2)
    clear = blend_weight_tune([helped, helped, unchanged, unchanged], order=by_score, k=2)

    assert balanced.weight == 0.0
    assert clear.weight == 0.25
