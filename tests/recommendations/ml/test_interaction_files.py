"""Interaction files: reading ``user,item,timestamp`` (ids, timestamps, loud file errors, skipped rows with
their reasons), writing, and the generator of files with a known order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommendations.ml.evaluation.protocol import user_sequences
from recommendations.ml.interaction_files import (
    BAD_TIMESTAMP,
    BLANK_ITEM,
    BLANK_USER,
    NOT_UTF8,
    WRONG_WIDTH,
    InteractionFileError,
    SkippedRows,
    interaction_file_read,
    interaction_file_write,
    ordered_pattern_generate,
    ordered_pattern_write,
    timestamp_seconds,
)

# 2024-05-01T10:30:00Z: 19 844 days and 10.5 hours after the epoch.
MAY_FIRST_1030 = 19_844 * 86_400 + 10.5 * 3600


def file_of(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "interactions.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_it_reads_users_and_items_as_ids_in_name_order(tmp_path: Path) -> None:
    path = file_of(tmp_path, "\ufeffItem, Timestamp ,USER,source\r\n"
                             "house-9,1714559400,bob,web\r\n"
                             "house-1,2024-05-01T12:30:00+02:00,alice,app\r\n"
                             "\r\n"
                             "house-9,2024-05-01,alice,web\r\n")

    interactions = interaction_file_read(path=path)

    assert interactions.user_names.tolist() == ["alice", "bob"]
    assert interactions.item_names.tolist() == ["house-1", "house-9"]
    assert (interactions.users, interactions.items) == (2, 2)
    assert interactions.log.user_ids.tolist() == [1, 0, 0]
    assert interactions.log.item_ids.tolist() == [1, 0, 1]
    assert interactions.log.times.tolist() == [MAY_FIRST_1030, MAY_FIRST_1030, MAY_FIRST_1030 - 10.5 * 3600]
    assert interactions.log.events.tolist() == ["interaction"] * 3
    assert interactions.skipped == {}
    assert interactions.skipped_summary() == ""


@pytest.mark.parametrize(("text", "seconds"), [
    ("1714559400", MAY_FIRST_1030),
    (" 1714559400.25 ", MAY_FIRST_1030 + 0.25),
    ("-86400", -86_400.0),
    ("2024-05-01T10:30:00Z", MAY_FIRST_1030),
    ("2024-05-01T12:30:00+02:00", MAY_FIRST_1030),
    ("2024-05-01 10:30:00", MAY_FIRST_1030),  # naive is UTC
    ("2024-05-01T10:30:00.500000+00:00", MAY_FIRST_1030 + 0.5),
    ("2024-05-01", MAY_FIRST_1030 - 10.5 * 3600),
])
def test_it_reads_epoch_seconds_and_iso_8601(text: str, seconds: float) -> None:
    assert timestamp_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "  ", "yesterday", "1e9", "nan", "inf", "9" * 400, "2024-13-01",
                                  "05/01/2024"])
def test_it_refuses_timestamps_that_are_neither(text: str) -> None:
    with pytest.raises(ValueError):
        timestamp_seconds(text)


def test_it_names_the_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InteractionFileError, match=r"lacks the column timestamp \(it has user, item, time\)"):
        interaction_file_read(path=file_of(tmp_path, "user,item,time\nu,i,1\n"))


def test_it_names_every_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InteractionFileError, match=r"lacks the columns item, timestamp \(it has User, when\)"):
        interaction_file_read(path=file_of(tmp_path, "User,when\n7,1\n"))


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InteractionFileError, match="is empty: it needs a header with the columns user, item, "
                                                   "timestamp"):
        interaction_file_read(path=file_of(tmp_path, "\n\n"))


def test_it_refuses_a_file_with_a_header_only(tmp_path: Path) -> None:
    with pytest.raises(InteractionFileError, match=r"has no readable rows\.$"):
        interaction_file_read(path=file_of(tmp_path, "user,item,timestamp\n"))


def test_it_refuses_a_file_without_a_readable_row_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(InteractionFileError,
                       match=r"has no readable rows \(skipped 2 rows: unreadable timestamp 1 \(line 2\), "
                             r"blank user 1 \(line 3\)\)\."):
        interaction_file_read(path=file_of(tmp_path, "user,item,timestamp\nu,i,soon\n,i,1\n"))


def test_it_skips_bad_rows_and_counts_them_by_reason_with_the_first_lines(tmp_path: Path) -> None:
    bad_times = "".join(f"u{line},i,never\n" for line in range(7, 14))  # lines 7 .. 13
    path = file_of(tmp_path, (
        "user,item,timestamp\n"
        "u1,i1,1\n"             # 2
        "u1,i2\n"               # 3: a column short
        ",i3,3\n"               # 4
        "u2, ,4\n"              # 5
        "u2,i1,5,extra\n"       # 6: a column too many
        f"{bad_times}"
        "u3,i2,14\n"            # 14
    ).encode() + b"u\xff,i1,15\n")  # 15: not UTF-8

    interactions = interaction_file_read(path=path)

    assert interactions.user_names.tolist() == ["u1", "u3"]
    assert interactions.log.times.tolist() == [1.0, 14.0]
    assert interactions.skipped == {
        WRONG_WIDTH: SkippedRows(count=2, lines=(3, 6)),
        BLANK_USER: SkippedRows(count=1, lines=(4,)),
        BLANK_ITEM: SkippedRows(count=1, lines=(5,)),
        BAD_TIMESTAMP: SkippedRows(count=7, lines=(7, 8, 9, 10, 11)),
        NOT_UTF8: SkippedRows(count=1, lines=(15,)),
    }
    assert interactions.skipped_summary() == (
        "skipped 12 rows: wrong number of columns 2 (lines 3, 6), blank user 1 (line 4), blank item 1 (line 5), "
        "unreadable timestamp 7 (lines 7, 8, 9, 10, 11, …), text that is not UTF-8 1 (line 15)"
    )


def test_it_counts_lines_of_quoted_cells_that_span_lines(tmp_path: Path) -> None:
    path = file_of(tmp_path, 'user,item,timestamp\n"u\n1",i,1\nu2,i,\n')

    assert interaction_file_read(path=path).skipped == {BAD_TIMESTAMP: SkippedRows(count=1, lines=(4,))}


def test_it_writes_a_file_it_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"

    count = interaction_file_write(path=path, users=np.array([12, 12, 3]), items=np.array([5, 7, 5]),
                                   times=np.array([MAY_FIRST_1030, MAY_FIRST_1030 + 0.25, 0.0]))

    assert count == 3
    assert path.read_text().splitlines() == [
        "user,item,timestamp",
        "12,5,2024-05-01T10:30:00+00:00",
        "12,7,2024-05-01T10:30:00.250000+00:00",
        "3,5,1970-01-01T00:00:00+00:00",
    ]
    interactions = interaction_file_read(path=path)
    assert interactions.user_names.tolist() == ["12", "3"]
    assert interactions.log.times.tolist() == [MAY_FIRST_1030, MAY_FIRST_1030 + 0.25, 0.0]


def test_it_generates_the_same_file_for_a_seed() -> None:
    first = ordered_pattern_generate(users=50, items=30, seed=7)
    again = ordered_pattern_generate(users=50, items=30, seed=7)
    other = ordered_pattern_generate(users=50, items=30, seed=8)

    assert first.successors.tolist() == again.successors.tolist()
    for name in ("user_ids", "item_ids", "events", "times"):
        assert getattr(first.log, name).tolist() == getattr(again.log, name).tolist()
    assert first.successors.tolist() != other.successors.tolist()


def test_it_walks_one_cycle_through_every_item_without_noise() -> None:
    pattern = ordered_pattern_generate(users=40, items=25, seed=3, noise=0.0, min_length=4, max_length=9)

    item, visited = 0, []
    for _ in range(25):
        visited.append(item)
        item = int(pattern.successors[item])
    assert (item, sorted(visited)) == (0, list(range(25)))
    sequences = user_sequences(pattern.log)
    assert list(sequences) == list(range(40))
    for sequence in sequences.values():
        assert 4 <= len(sequence) <= 9
        assert pattern.successors[sequence[:-1]].tolist() == sequence[1:].tolist()


def test_it_keeps_popularity_flat_and_the_next_item_predictable_with_noise() -> None:
    pattern = ordered_pattern_generate(users=4000, items=20, seed=1, noise=0.2)

    counts = np.bincount(pattern.log.item_ids, minlength=20)
    # About 70 000 events, 3 500 per item: Poisson spread ±60, so within 10 % of the mean.
    assert np.abs(counts / counts.mean() - 1).max() < 0.1
    follows = [pattern.successors[sequence[:-1]] == sequence[1:] for sequence in user_sequences(pattern.log).values()]
    assert np.concatenate(follows).mean() == pytest.approx(1 - 0.2 + 0.2 / 20, abs=0.01)


def test_it_spaces_each_walk_30_seconds_to_30_minutes_apart_in_time_order() -> None:
    pattern = ordered_pattern_generate(users=30, items=10, seed=2)

    assert np.all(np.diff(pattern.log.times) >= 0)
    gaps = np.concatenate([np.diff(pattern.log.times[pattern.log.user_ids == user]) for user in range(30)])
    assert (gaps.min() >= 30, gaps.max() <= 1800) == (True, True)


def test_it_writes_the_pattern_with_names_that_read_back_as_the_same_ids(tmp_path: Path) -> None:
    pattern = ordered_pattern_generate(users=12, items=11, seed=5)
    path = tmp_path / "ordered.csv"

    count = ordered_pattern_write(pattern=pattern, path=path)

    interactions = interaction_file_read(path=path)
    assert count == len(pattern.log)
    assert interactions.user_names.tolist()[:3] == ["user-00", "user-01", "user-02"]
    assert interactions.item_names.tolist()[-2:] == ["item-09", "item-10"]
    assert interactions.log.user_ids.tolist() == pattern.log.user_ids.tolist()
    assert interactions.log.item_ids.tolist() == pattern.log.item_ids.tolist()
    assert interactions.log.times.tolist() == pattern.log.times.tolist()


@pytest.mark.parametrize("arguments", [
    {"users": 0, "items": 5}, {"users": 5, "items": 1}, {"users": 5, "items": 5, "noise": 1.5},
    {"users": 5, "items": 5, "min_length": 1}, {"users": 5, "items": 5, "min_length": 6, "max_length": 5},
])
def test_it_refuses_arguments_out_of_range(arguments: dict) -> None:
    with pytest.raises(ValueError, match="Need users ≥ 1, items ≥ 2"):
        ordered_pattern_generate(seed=0, **arguments)
