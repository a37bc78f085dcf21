"""The generic protocol on a five-user file: which event is held out, what the algorithms learn from, and
popularity and item-kNN metrics computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from recommendations.ml.evaluation.generic import generic_protocol_run, generic_recommenders
from recommendations.ml.evaluation.protocol import EventLog, evaluated_users, results_summary, user_sequences
from recommendations.ml.interaction_files import interaction_file_read

# Items a .. e are ids 0 .. 4, users u1 .. u5 ids 0 .. 4. u4 has one distinct item and u5 one event:
# neither is evaluated. Held out: u1 c (their last), u2 c (their last *new* item: b comes again after it),
# u3 b.
TINY_FILE = """user,item,timestamp
u1,a,1
u2,b,1
u3,d,1
u4,e,1
u5,d,1
u1,b,2
u2,c,2
u3,a,2
u4,e,2
u1,c,3
u2,b,3
u3,b,3
"""
A, B, C, D, E = range(5)
LOG2_3 = math.log2(3)


@pytest.fixture
def tiny(tmp_path: Path) -> EventLog:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_FILE)
    return interaction_file_read(path=path).log


def test_it_orders_each_users_events_by_time_then_file_order() -> None:
    log = EventLog(user_ids=np.array([2, 1, 2, 1]), item_ids=np.array([7, 8, 9, 6]),
                   events=np.array(["x"] * 4, dtype=object), times=np.array([5.0, 2.0, 5.0, 1.0]))

    assert {user: items.tolist() for user, items in user_sequences(log).items()} == {1: [6, 8], 2: [7, 9]}


def test_it_holds_out_the_last_new_item_and_fits_on_the_rest(tiny: EventLog) -> None:
    result = generic_protocol_run(log=tiny, items=5, recommenders=generic_recommenders(seed=0, sasrec_epochs=2), k=2)

    assert list(result.runs) == ["random", "popularity", "itemknn", "sasrec"]
    assert result.catalogue.tolist() == [A, B, C, D, E]
    assert result.runs["popularity"].user_ids.tolist() == [0, 1, 2]
    assert evaluated_users([result]) == 3
    # Fitting users per item: a {u1, u3}, b {u1, u2}, c none (both c events held out), d {u3, u5}, e {u4}.
    assert result.popularity.tolist() == [2, 2, 0, 2, 1]


def test_it_ranks_by_event_counts_for_popularity(tiny: EventLog) -> None:
    result = generic_protocol_run(log=tiny, items=5, recommenders=generic_recommenders(seed=0, sasrec_epochs=2), k=2)

    run = result.runs["popularity"]
    # Fitting events per item: a 2, b 3 (u1 once, u2 before and after their c), c 0, d 2, e 2.
    # u1 (seen a, b): d 2, e 2, c 0 → c 3rd. u2 (seen b): a, d, e, c → c 4th. u3 (seen d, a): b, e, c → b 1st.
    assert run.top_k.tolist() == [[D, E], [A, D], [B, E]]
    assert run.metrics["mrr"] == pytest.approx([1 / 3, 1 / 4, 1])
    assert results_summary([result], k=2)["popularity"] == pytest.approx({
        "hr@2": 1 / 3, "ndcg@2": 1 / 3, "precision@2": 1 / 6, "recall@2": 1 / 3,
        "mrr": (1 / 3 + 1 / 4 + 1) / 3,  # 19/36
        "coverage": 4 / 5,  # a, b, d, e
        # Slots a, b, d, d, e, e with user shares 2/7, 2/7, 2/7, 2/7, 1/7, 1/7 of the 7 (user, item) pairs.
        "novelty": (4 * math.log2(7 / 2) + 2 * math.log2(7)) / 6,
    })


def test_it_ranks_by_cosine_co_occurrence_for_item_knn(tiny: EventLog) -> None:
    result = generic_protocol_run(log=tiny, items=5, recommenders=generic_recommenders(seed=0, sasrec_epochs=2), k=2)

    run = result.runs["itemknn"]
    # sim(a, b) = 1 (u1) / √(2·2) = 1/2, sim(a, d) = 1 (u3) / √(2·2) = 1/2, every other pair 0.
    # u1 (seen a, b): d 1/2, then c and e at 0, the lower id first → c 2nd.
    # u2 (seen b): a 1/2, then c, d, e at 0 → c 2nd. u3 (seen d, a): b 1/2 + 0 → 1st.
    assert run.top_k.tolist() == [[D, C], [A, C], [B, C]]
    assert run.metrics["mrr"] == pytest.approx([1 / 2, 1 / 2, 1])
    summary = results_summary([result], k=2)["itemknn"]
    assert {name: summary[name] for name in ("hr@2", "ndcg@2", "precision@2", "recall@2", "mrr", "coverage")} == (
        pytest.approx({"hr@2": 1.0, "ndcg@2": (2 / LOG2_3 + 1) / 3, "precision@2": 1 / 2, "recall@2": 1.0,
                       "mrr": 2 / 3, "coverage": 4 / 5}))


def test_it_counts_every_event_whatever_its_name() -> None:
    log = EventLog(user_ids=np.array([0, 0, 1]), item_ids=np.array([0, 1, 2]),
                   events=np.array(["impression", "view", "anything"], dtype=object), times=np.array([1.0, 2.0, 1.0]))

    result = generic_protocol_run(log=log, items=3, recommenders=generic_recommenders(seed=0, sasrec_epochs=2), k=1)

    # u0 holds out 1 (the impression counts as an event); popularity ranks 2 (u1's event) above 1 (held out).
    assert result.runs["popularity"].top_k.tolist() == [[2]]
    assert result.runs["popularity"].metrics["mrr"].tolist() == [0.5]


def test_it_refuses_item_ids_outside_the_catalogue() -> None:
    log = EventLog(user_ids=np.array([0, 0]), item_ids=np.array([0, 3]), events=np.array(["x", "x"], dtype=object),
                   times=np.array([1.0, 2.0]))

    with pytest.raises(ValueError, match=r"Item ids \[3\] are outside 0 \.\. 2"):
        generic_protocol_run(log=log, items=3, recommenders=generic_recommenders(seed=0, sasrec_epochs=2), k=1)
