"""Interest scores: log-smoothed, event-weighted frequency with a 14-day half-life."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.ml.events import EVENTS
from recommendations.ml.interest import CANCELLATIONS, EVENT_WEIGHTS, decay, event_weights_merge, interest_scores

DAY = 86_400.0
NOW = 1_800_000_000.0


def scores(rows: list[tuple[int, str, float]], **options: object) -> dict[int, float]:
    ids, events, times = zip(*rows, strict=True) if rows else ((), (), ())
    interest = interest_scores(np.array(ids), np.array(events, dtype=object), np.array(times), now=NOW,
                               **options)  # type: ignore[arg-type]
    return dict(zip(interest.listing_ids.tolist(), interest.scores.tolist(), strict=True))


def test_it_weighs_or_cancels_every_event() -> None:
    assert sorted([*EVENT_WEIGHTS, *CANCELLATIONS]) == sorted(EVENTS)


def test_it_scores_one_fresh_view_log10_of_two() -> None:
    assert scores([(7, "view", NOW)]) == {7: pytest.approx(math.log10(2), abs=1e-12)}


def test_it_halves_the_score_every_fourteen_days() -> None:
    assert scores([(7, "view", NOW - 14 * DAY)]) == {7: pytest.approx(math.log10(2) / 2, abs=1e-12)}
    assert scores([(7, "view", NOW - 28 * DAY)]) == {7: pytest.approx(math.log10(2) / 4, abs=1e-12)}


def test_it_smooths_frequency_by_log_and_dates_from_the_last_event() -> None:
    rows = [(7, "view", NOW - 30 * DAY), *[(7, "view", NOW - 14 * DAY)] * 8]

    assert scores(rows) == {7: pytest.approx(math.log10(10) / 2, abs=1e-12)}


def test_it_weights_events_from_one_table() -> None:
    rows = [(1, "view", NOW), (1, "favorite", NOW), (2, "contact", NOW), (3, "share", NOW)]

    assert scores(rows) == {
        1: pytest.approx(math.log10(1 + 1 + 3)), 2: pytest.approx(math.log10(1 + 5)),
        3: pytest.approx(math.log10(1 + 2)),
    }


def test_it_lets_an_unfavorite_cancel_one_favorite() -> None:
    rows = [(1, "view", NOW), (1, "favorite", NOW - DAY), (1, "unfavorite", NOW), (2, "favorite", NOW),
            (2, "unfavorite", NOW)]

    assert scores(rows) == {1: pytest.approx(math.log10(2))}


def test_it_ignores_impressions_and_search_clicks() -> None:
    assert scores([(1, "impression", NOW), (1, "search_click", NOW), (2, "view", NOW)]) == {
        2: pytest.approx(math.log10(2))
    }


def test_it_takes_settable_weights() -> None:
    weights = event_weights_merge({"view": 9.0})

    assert scores([(1, "view", NOW)], weights=weights) == {1: pytest.approx(1.0)}
    assert EVENT_WEIGHTS["view"] == 1.0


def test_it_refuses_unknown_or_negative_weights() -> None:
    with pytest.raises(ValueError, match="Unknown event 'like'"):
        event_weights_merge({"like": 1.0})
    with pytest.raises(ValueError, match="must not be negative"):
        event_weights_merge({"view": -1.0})


def test_it_follows_the_decay_curve() -> None:
    assert decay(np.array([0.0, 7.0, 14.0, 28.0, -3.0])).tolist() == pytest.approx(
        [1.0, 2 ** -0.5, 0.5, 0.25, 1.0]
    )


def test_it_answers_nothing_for_no_history() -> None:
    assert scores([]) == {}
