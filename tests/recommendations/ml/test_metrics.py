"""Ranking metrics on hand-computed cases: one held-out id at a known rank, several, none."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.ml.metrics import (
    PAD_ID,
    catalog_coverage,
    hit_ratio_at_k,
    metric_names,
    metrics_mean,
    mrr,
    ndcg_at_k,
    novelty,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
)

RANKED = np.array([10, 20, 30, 40, 50, 60])


def test_it_scores_a_held_out_id_at_rank_three() -> None:
    relevant = np.array([30])

    assert hit_ratio_at_k(ranked=RANKED, relevant=relevant, k=5) == 1.0
    assert ndcg_at_k(ranked=RANKED, relevant=relevant, k=5) == 0.5  # 1 / log2(3 + 1)
    assert precision_at_k(ranked=RANKED, relevant=relevant, k=5) == 0.2
    assert recall_at_k(ranked=RANKED, relevant=relevant, k=5) == 1.0
    assert mrr(ranked=RANKED, relevant=relevant) == pytest.approx(1 / 3)


def test_it_scores_zero_below_the_cut_but_keeps_the_reciprocal_rank() -> None:
    assert ranking_metrics(ranked=RANKED, relevant=np.array([30]), k=2) == {
        "hr@2": 0.0, "ndcg@2": 0.0, "precision@2": 0.0, "recall@2": 0.0, "mrr": pytest.approx(1 / 3),
    }


def test_it_scores_zero_when_the_held_out_id_is_not_ranked() -> None:
    assert ranking_metrics(ranked=RANKED, relevant=np.array([99]), k=5) == {
        "hr@5": 0.0, "ndcg@5": 0.0, "precision@5": 0.0, "recall@5": 0.0, "mrr": 0.0,
    }


def test_it_scores_several_relevant_ids_against_the_ideal_ranking() -> None:
    # Hits at ranks 1 and 3 of 3; ideal: three hits at ranks 1, 2, 3.
    metrics = ranking_metrics(ranked=RANKED, relevant=np.array([10, 30, 99]), k=3)

    assert metrics == {
        "hr@3": 1.0,
        "ndcg@3": pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))),
        "precision@3": pytest.approx(2 / 3),
        "recall@3": pytest.approx(2 / 3),
        "mrr": 1.0,
    }


def test_it_divides_precision_by_k_for_a_short_ranking() -> None:
    assert precision_at_k(ranked=np.array([7]), relevant=np.array([7]), k=4) == 0.25


def test_it_names_metrics_by_k() -> None:
    assert metric_names(20) == ("hr@20", "ndcg@20", "precision@20", "recall@20", "mrr")


def test_it_averages_each_metric_over_users() -> None:
    means = metrics_mean({"hr@1": np.array([1.0, 0.0]), "mrr": np.array([0.5, 0.25]), "ndcg@1": np.array([])})

    assert (means["hr@1"], means["mrr"]) == (0.5, 0.375)
    assert math.isnan(means["ndcg@1"])


def test_it_counts_distinct_recommended_ids_over_the_catalogue() -> None:
    top_k = np.array([[1, 2, PAD_ID], [2, 3, PAD_ID]])

    assert catalog_coverage(top_k=top_k, catalog_size=10) == 0.3
    assert catalog_coverage(top_k=top_k, catalog_size=0) == 0.0


def test_it_averages_self_information_over_recommended_slots() -> None:
    # Shares: 1 → 4/8 (1 bit), 2 and 3 → 2/8 (2 bits); 4 was never seen, 7 is unknown, PAD is padding.
    top_k = np.array([[1, 2], [3, 4], [1, PAD_ID], [7, 1]])

    value = novelty(top_k=top_k, item_ids=np.array([1, 2, 3, 4]), counts=np.array([4, 2, 2, 0]))

    assert value == pytest.approx((1 + 2 + 2 + 1 + 1) / 5)


def test_it_has_no_novelty_without_popular_recommendations() -> None:
    assert math.isnan(novelty(top_k=np.array([[4]]), item_ids=np.array([1, 4]), counts=np.array([1, 0])))
    assert math.isnan(novelty(top_k=np.array([[4]]), item_ids=np.array([], dtype=np.int64), counts=np.array([])))
