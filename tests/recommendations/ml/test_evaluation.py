"""The offline protocol on hand-made logs: the held-out choice, exclusion of seen listings, baselines with
known rankings, the content and feed rankers on a five-listing table, merging kinds, intent."""

from __future__ import annotations

import math

import numpy as np
import pytest

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
    RankingRun,
    UserHistory,
    evaluated_users,
    last_item_histories,
    leave_last_out,
    protocol_run,
    rank_by_score,
    results_summary,
)
from recommendations.ml.interest import InterestSettings
from recommendations.ml.metrics import PAD_ID
from recommendations.ml.ranking import RankingSettings

WEIGHTS = {"view": 1.0, "favorite": 3.0, "impression": 0.0}
INTEREST = InterestSettings(weights=WEIGHTS, half_life_days=14.0, intent_threshold=0.7)
ROOT3 = math.sqrt(3)


def log_of(rows: list[tuple[int, int, str, float]]) -> EventLog:
    return EventLog(
        user_ids=np.array([row[0] for row in rows], dtype=np.int64),
        item_ids=np.array([row[1] for row in rows], dtype=np.int64),
        events=np.array([row[2] for row in rows], dtype=object),
        times=np.array([row[3] for row in rows], dtype=np.float64),
    )


def rows_of(log: EventLog) -> list[tuple[int, int, str, float]]:
    return list(zip(log.user_ids.tolist(), log.item_ids.tolist(), log.events.tolist(), log.times.tolist(),
                    strict=True))


def views(sequences: dict[int, list[int]]) -> EventLog:
    """One view per listing, a second apart, per user."""
    return log_of([(user, item, "view", float(time)) for user, items in sequences.items()
                   for time, item in enumerate(items, start=1)])


# u1 .. u5 hold out 3, 3, 4, 2, 6; fitting pairs: u1 {1, 2}, u2 {1}, u3 {2}, u4 {1, 3}, u5 {2, 4}.
FIVE_USERS = {1: [1, 2, 3], 2: [1, 3], 3: [2, 4], 4: [3, 1, 2], 5: [4, 2, 6]}
CATALOGUE = np.arange(1, 7)


def test_it_holds_out_the_last_new_weighted_listing_and_keeps_what_came_before() -> None:
    log = log_of([
        (1, 10, "view", 1.0), (1, 20, "view", 2.0), (1, 30, "impression", 4.0), (1, 10, "view", 5.0),
        (1, 20, "favorite", 6.0), (2, 10, "view", 3.0), (3, 50, "view", 7.0), (3, 60, "view", 7.0),
        (4, 70, "impression", 1.0), (4, 80, "view", 2.0), (1, 40, "view", 0.5),
    ])

    split = leave_last_out(log, weights=WEIGHTS)

    first, third = split.users
    assert (first.user_id, first.held_out, first.at) == (1, 20, 2.0)
    assert (first.item_ids.tolist(), first.events.tolist(), first.times.tolist()) == (
        [40, 10], ["view", "view"], [0.5, 1.0])
    assert first.seen.tolist() == [10, 40]
    # Same time: the later row of the log is the later event.
    assert (third.user_id, third.held_out, third.item_ids.tolist(), third.seen.tolist()) == (3, 60, [50], [50])
    # Only the evaluated users' events on their held-out listing leave the fitting data.
    assert rows_of(split.train) == [
        (1, 10, "view", 1.0), (1, 30, "impression", 4.0), (1, 10, "view", 5.0), (2, 10, "view", 3.0),
        (3, 50, "view", 7.0), (4, 70, "impression", 1.0), (4, 80, "view", 2.0), (1, 40, "view", 0.5),
    ]


def test_it_evaluates_nobody_without_a_second_listing() -> None:
    split = leave_last_out(log_of([(1, 10, "view", 1.0), (1, 10, "favorite", 2.0)]), weights=WEIGHTS)

    assert split.users == ()
    assert len(split.train) == 2


def test_it_scores_popularity_by_weighted_counts() -> None:
    recommender = PopularityRecommender(weights=WEIGHTS)
    recommender.fit(train=log_of([(1, 1, "view", 1.0), (1, 1, "favorite", 2.0), (2, 2, "view", 1.0),
                                  (2, 3, "impression", 1.0), (2, 9, "view", 1.0)]),
                    catalogue=np.array([1, 2, 3]))

    assert recommender.scores(history(user_id=3, seen=[])).tolist() == [4.0, 1.0, 0.0]


def test_it_scores_item_knn_by_cosine_co_occurrence() -> None:
    recommender = ItemKnnRecommender(weights=WEIGHTS)
    recommender.fit(train=leave_last_out(views(FIVE_USERS), weights=WEIGHTS).train, catalogue=CATALOGUE)

    scores = recommender.scores(history(user_id=2, seen=[1]))

    # Users per listing: 1 → 3, 2 → 3, 3 → 1, 4 → 1; co-occurring with 1: 2 (u1), 3 (u4).
    assert scores == pytest.approx([1.0, 1 / 3, 1 / ROOT3, 0.0, 0.0, 0.0])


def test_it_ranks_the_full_catalogue_without_the_seen_listings() -> None:
    result = protocol_run(split=leave_last_out(views(FIVE_USERS), weights=WEIGHTS), catalogue=CATALOGUE, k=2,
                          weights=WEIGHTS,
                          recommenders=[PopularityRecommender(weights=WEIGHTS), ItemKnnRecommender(weights=WEIGHTS)])

    popularity, knn = result.runs["popularity"], result.runs["itemknn"]
    assert popularity.user_ids.tolist() == [1, 2, 3, 4, 5]
    # Popularity 3, 3, 1, 1, 0, 0; held out at ranks 1, 2, 3, 1, 4.
    assert popularity.top_k.tolist() == [[3, 4], [2, 3], [1, 3], [2, 4], [1, 3]]
    assert popularity.metrics["mrr"] == pytest.approx([1, 1 / 2, 1 / 3, 1, 1 / 4])
    assert popularity.metrics["hr@2"].tolist() == [1, 1, 0, 1, 0]
    assert popularity.metrics["precision@2"].tolist() == [0.5, 0.5, 0, 0.5, 0]
    assert popularity.metrics["ndcg@2"] == pytest.approx([1, 1 / math.log2(3), 0, 1, 0])
    # u1: 3 and 4 tie at 1/√3, the lower id first.
    assert knn.top_k.tolist() == [[3, 4], [3, 2], [4, 1], [2, 4], [1, 3]]
    assert knn.metrics["mrr"] == pytest.approx([1, 1, 1, 1, 1 / 4])
    assert result.popularity.tolist() == [3, 3, 1, 1, 0, 0]


def test_it_leaves_out_users_whose_held_out_listing_left_the_catalogue() -> None:
    result = protocol_run(split=leave_last_out(views(FIVE_USERS), weights=WEIGHTS), catalogue=np.array([1, 2, 4, 5]),
                          k=2, weights=WEIGHTS, recommenders=[PopularityRecommender(weights=WEIGHTS)])

    assert result.runs["popularity"].user_ids.tolist() == [3, 4]


def test_it_ranks_no_listing_published_after_the_held_out_event() -> None:
    # Listing 4 (u3's held-out one, in this made-up case) appears at t = 100, after every event.
    result = protocol_run(split=leave_last_out(views(FIVE_USERS), weights=WEIGHTS), catalogue=CATALOGUE, k=2,
                          weights=WEIGHTS, recommenders=[PopularityRecommender(weights=WEIGHTS)],
                          published=np.array([0.0, 0.0, 0.0, 100.0, 0.0, 0.0]))

    assert result.runs["popularity"].top_k.tolist() == [[3, 5], [2, 3], [1, 3], [2, 5], [1, 3]]
    assert result.runs["popularity"].metrics["mrr"] == pytest.approx([1, 1 / 2, 0, 1, 1 / 4])


def test_it_breaks_ties_by_the_lower_position_and_drops_minus_infinity() -> None:
    assert rank_by_score(np.array([0.5, 1.0, -np.inf, 1.0, np.nan, 0.5])).tolist() == [1, 3, 0, 5]


def test_it_draws_random_scores_by_seed_and_user_alone() -> None:
    one, same, other = RandomRecommender(seed=7), RandomRecommender(seed=7), RandomRecommender(seed=8)
    for recommender in (one, same, other):
        recommender.fit(train=views({}), catalogue=CATALOGUE)

    assert one.scores(history(user_id=4, seen=[])).tolist() == same.scores(history(user_id=4, seen=[])).tolist()
    assert one.scores(history(user_id=4, seen=[])).tolist() != other.scores(history(user_id=4, seen=[])).tolist()
    assert one.scores(history(user_id=4, seen=[])).tolist() != one.scores(history(user_id=5, seen=[])).tolist()


@pytest.fixture
def features() -> ListingFeatures:
    """Listing 1 (history only) and a catalogue of 2 .. 5, all published long before the events."""
    return ListingFeatures(
        ids=np.array([1, 2, 3, 4, 5]),
        item_vectors=np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.6, 0.8], [1.0, 0.0]]),
        text_vectors=None,
        prices=np.array([100.0, 100.0, 110.0, 100.0, 100.0]),
        offers=np.array(["sale", "sale", "sale", "sale", "rent"], dtype=object),
        published=np.zeros(5),
    )


def test_it_ranks_by_cosine_to_the_centroid_for_content_and_diversifies_the_feed(
    features: ListingFeatures,
) -> None:
    # Viewed 1 for sale at 100, then 3 (held out). Freshness is 1: everything is 30 years old.
    at = 1e9
    split = leave_last_out(log_of([(9, 1, "view", at - 10), (9, 3, "view", at)]), weights=WEIGHTS)
    settings = RankingSettings(diversity=0.5)

    result = protocol_run(split=split, catalogue=np.array([2, 3, 4, 5]), k=2, weights=WEIGHTS, recommenders=[
        ContentRecommender(features=features, interest=INTEREST, settings=settings),
        FeedRecommender(features=features, interest=INTEREST, settings=settings),
    ])

    # Content: cosine 1, 1, 0.6, 1 → 2, 3, 5, 4.
    assert result.runs["content"].top_k.tolist() == [[2, 3]]
    assert result.runs["content"].metrics["mrr"].tolist() == [0.5]
    # Feed: a buyer (5 is for rent: never shown); scores 1, 0.5 ** 0.25 (price 10 % off), 0.6. After 2,
    # 3 is worth 0.5 × 0.84 - 0.5 × 1 < 0 and 4 is worth 0.5 × 0.6 - 0.5 × 0.6 = 0: 2, 4, then 3.
    assert result.runs["feed"].top_k.tolist() == [[2, 4]]
    assert result.runs["feed"].metrics["mrr"].tolist() == [pytest.approx(1 / 3)]


def test_it_scores_the_feed_by_similarity_price_fit_and_intent(features: ListingFeatures) -> None:
    feed = FeedRecommender(features=features, interest=INTEREST, settings=RankingSettings())
    feed.fit(train=views({}), catalogue=np.array([2, 3, 4, 5]))

    scores = feed.scores(history(user_id=9, seen=[1], at=1e9))

    assert scores.tolist() == [1.0, pytest.approx(0.5**0.25), pytest.approx(0.6), -np.inf]


def test_it_infers_intent_from_the_whole_history(features: ListingFeatures) -> None:
    def intent(items: list[int]) -> str:
        return intent_predict(features=features, item_ids=np.array(items), events=np.array(["view"] * len(items)),
                              times=np.full(len(items), 100.0), interest=INTEREST)

    # Interest log10(1 + views): 6 sale views against 1 rent view is 0.845 / 1.146 = 74 % sale.
    assert intent([1] * 6 + [5]) == "buyer"
    assert intent([1] * 3 + [5]) == "hybrid"
    assert intent([5, 5]) == "renter"
    assert intent([]) == ""


def test_it_merges_kinds_into_one_summary() -> None:
    def run(users: list[int], reciprocal: list[float], top_k: list[list[int]]) -> RankingRun:
        ones = np.array([1.0 if value == 1 else 0.0 for value in reciprocal])
        return RankingRun(user_ids=np.array(users), top_k=np.array(top_k), metrics={
            "hr@1": ones, "ndcg@1": ones, "precision@1": ones, "recall@1": ones, "mrr": np.array(reciprocal)})

    homes = KindResult(catalogue=np.array([1, 2, 3]), popularity=np.array([2.0, 1.0, 1.0]),
                       runs={"popularity": run([7, 8], [1.0, 0.5], [[1], [1]])})
    cars = KindResult(catalogue=np.array([10, 11]), popularity=np.array([0.0, 4.0]),
                      runs={"popularity": run([8], [0.25], [[PAD_ID]])})

    summary = results_summary([homes, cars], k=1)

    # Shares over both kinds: 1 → 2/8 (2 bits); listing 1 fills both non-empty slots.
    assert summary == {"popularity": {
        "hr@1": pytest.approx(1 / 3), "ndcg@1": pytest.approx(1 / 3), "precision@1": pytest.approx(1 / 3),
        "recall@1": pytest.approx(1 / 3), "mrr": pytest.approx(1.75 / 3), "coverage": 0.2, "novelty": 2.0,
    }}
    assert evaluated_users([homes, cars]) == 2


def history(*, user_id: int, seen: list[int], at: float = 10.0) -> UserHistory:
    """A user who viewed ``seen`` a second before ``at``."""
    items = np.array(seen, dtype=np.int64)
    return UserHistory(user_id=user_id, held_out=-1, at=at, item_ids=items,
                       events=np.array(["view"] * len(seen), dtype=object), times=np.full(len(seen), at - 1.0),
                       seen=np.unique(items))


def test_it_holds_out_the_final_run_of_a_validation_users_last_listing() -> None:
    """User 1 viewed 10, then 20, then favorited 20: listing 20 is held out from its first view, and 10
    alone is the history. User 2 only ever looked at one listing: nothing to hold out."""
    log = log_of([(1, 10, "view", 1.0), (1, 20, "view", 2.0), (1, 20, "favorite", 3.0), (2, 30, "view", 1.0),
                  (2, 30, "favorite", 2.0), (3, 40, "view", 1.0), (3, 50, "view", 2.0)])

    histories = last_item_histories(log, user_ids=np.array([1, 2]), weights=WEIGHTS)

    assert [(user.user_id, user.held_out, user.at, user.item_ids.tolist(), user.seen.tolist())
            for user in histories] == [(1, 20, 2.0, [10], [10])]
