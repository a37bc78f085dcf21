"""Interaction files ``user,item,timestamp``: read into an ``EventLog``, write, and generate one with a known order.

The format: a CSV with a header naming at least the columns ``user``, ``item`` and ``timestamp`` (any
order, any case, other columns ignored), one event per row. ``user`` and ``item`` are any non-blank
text; ``timestamp`` is seconds since the epoch (a plain decimal number) or ISO 8601 (naive means UTC).
UTF-8, optionally with a byte-order mark; bytes that are not UTF-8 spoil their row, never the file.

Reading maps user and item names to ids ``0 .. u - 1`` and ``0 .. n - 1`` in sorted name order. Rows
that cannot be read are skipped and counted by reason, with the line numbers of the first few.

``ordered_pattern_generate`` makes a log whose next item follows from the previous one (walks along
one fixed cycle through every item, with random jumps) while item popularity stays flat: a test of
whether an algorithm learns order. Pure Python and numpy: no Django here.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from csv_stream import UNDECODABLE, csv_open
from recommendations.ml.evaluation.generic import GENERIC_EVENT
from recommendations.ml.evaluation.protocol import EventLog

USER, ITEM, TIMESTAMP = "user", "item", "timestamp"
COLUMNS = (USER, ITEM, TIMESTAMP)
# Why a row was skipped.
UNREADABLE_CSV = "unreadable CSV"
NOT_UTF8 = "text that is not UTF-8"
WRONG_WIDTH = "wrong number of columns"
BLANK_USER = "blank user"
BLANK_ITEM = "blank item"
BAD_TIMESTAMP = "unreadable timestamp"
LINES_SHOWN = 5  # line numbers kept per reason

_EPOCH_SECONDS = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


class InteractionFileError(Exception):
    """The file as a whole cannot be read: no header, a column missing, no readable row."""


@dataclass(frozen=True)
class SkippedRows:
    """Rows skipped for one reason: ``count``, and ``lines`` the first few line numbers (the header is line 1)."""

    count: int
    lines: tuple[int, ...]


@dataclass(frozen=True)
class InteractionFile:
    """A read file: ``log`` (m,) events in file order, every event ``GENERIC_EVENT``; ``user_names`` (u,) and
    ``item_names`` (n,) the name of each id; ``skipped`` reason → rows, in order of first occurrence."""

    log: EventLog
    user_names: np.ndarray
    item_names: np.ndarray
    skipped: dict[str, SkippedRows]

    @property
    def items(self) -> int:
        return len(self.item_names)

    @property
    def users(self) -> int:
        return len(self.user_names)

    def skipped_summary(self) -> str:
        """``"skipped 3 rows: unreadable timestamp 2 (lines 4, 7), blank user 1 (line 9)"``; "" when none."""
        return _skipped_summary(self.skipped)


def _skipped_summary(skipped: dict[str, SkippedRows]) -> str:
    if not skipped:
        return ""
    total = sum(rows.count for rows in skipped.values())
    parts = []
    for reason, rows in skipped.items():
        more = ", …" if rows.count > len(rows.lines) else ""
        label = "line" if rows.count == 1 else "lines"
        parts.append(f"{reason} {rows.count} ({label} {', '.join(map(str, rows.lines))}{more})")
    return f"skipped {total} row{'' if total == 1 else 's'}: {', '.join(parts)}"


class _RowSkipped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def timestamp_seconds(text: str) -> float:
    """Seconds since the epoch written in ``text``: a plain decimal number is epoch seconds
    (``"1700000000"``, ``"1700000000.25"``), anything else ISO 8601 as ``datetime.fromisoformat`` reads
    it (``"2024-05-01T12:30:00+02:00"``, ``"2024-05-01T10:30:00Z"``, ``"2024-05-01"``), naive as UTC.
    A ValueError says why text is neither."""
    text = text.strip()
    if not text:
        raise ValueError("blank timestamp")
    if _EPOCH_SECONDS.fullmatch(text):
        seconds = float(text)
        if not math.isfinite(seconds):
            raise ValueError(f"timestamp out of range: {text!r}")
        return seconds
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"neither epoch seconds nor ISO 8601: {text!r}") from None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()


def interaction_file_read(*, path: Path) -> InteractionFile:
    """Read the interaction file at ``path`` (module docstring). Raises InteractionFileError for a file
    without a header, whose header lacks a column (named), or without one readable row; OSError when the
    file cannot be opened."""
    with csv_open(path, progress=False) as reader:
        header = reader.header()
        if header is None:
            raise InteractionFileError(f"{path} is empty: it needs a header with the columns {', '.join(COLUMNS)}.")
        names = [name.strip().lower() for name in header]
        missing = [column for column in COLUMNS if column not in names]
        if missing:
            raise InteractionFileError(
                f"The header of {path} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(it has {', '.join(header)})."
            )
        columns = [names.index(column) for column in COLUMNS]
        users: list[str] = []
        items: list[str] = []
        times: list[float] = []
        skipped_lines: dict[str, list[int]] = {}
        for record in reader.rows():
            try:
                user, item, seconds = _row(record.cells, error=record.error, width=len(names), columns=columns)
            except _RowSkipped as skip:
                skipped_lines.setdefault(skip.reason, []).append(record.line)
                continue
            users.append(user)
            items.append(item)
            times.append(seconds)
    skipped = {reason: SkippedRows(count=len(lines), lines=tuple(lines[:LINES_SHOWN]))
               for reason, lines in skipped_lines.items()}
    if not users:
        summary = _skipped_summary(skipped)
        raise InteractionFileError(f"{path} has no readable rows" + (f" ({summary})." if summary else "."))
    user_names, user_ids = np.unique(np.array(users), return_inverse=True)
    item_names, item_ids = np.unique(np.array(items), return_inverse=True)
    log = EventLog(user_ids=user_ids.astype(np.int64), item_ids=item_ids.astype(np.int64),
                   events=np.full(len(users), GENERIC_EVENT, dtype=object), times=np.array(times, dtype=np.float64))
    return InteractionFile(log=log, user_names=user_names, item_names=item_names, skipped=skipped)


def _row(cells: list[str], *, error: str, width: int, columns: list[int]) -> tuple[str, str, float]:
    if error:
        raise _RowSkipped(UNREADABLE_CSV)
    if len(cells) != width:
        raise _RowSkipped(WRONG_WIDTH)
    user, item, timestamp = (cells[column].strip() for column in columns)
    if UNDECODABLE in user + item + timestamp:
        raise _RowSkipped(NOT_UTF8)
    if not user:
        raise _RowSkipped(BLANK_USER)
    if not item:
        raise _RowSkipped(BLANK_ITEM)
    try:
        return user, item, timestamp_seconds(timestamp)
    except ValueError:
        raise _RowSkipped(BAD_TIMESTAMP) from None


def timestamp_text(seconds: float) -> str:
    """ISO 8601 in UTC of ``seconds`` since the epoch, to the microsecond: ``"2025-01-01T00:00:00+00:00"``."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def interaction_file_write(*, path: Path, users: np.ndarray, items: np.ndarray, times: np.ndarray) -> int:
    """Write ``user,item,timestamp`` rows to ``path`` (replacing it): ``users`` (m,) and ``items`` (m,)
    written as ``str`` does, ``times`` (m,) seconds since the epoch as ISO 8601 UTC. Returns m."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(zip(users.tolist(), items.tolist(), map(timestamp_text, times.tolist()), strict=True))
    return len(times)


# The generator's clock: walks start in the 30 days from 2025-01-01 UTC, steps 30 s to 30 min apart.
PATTERN_START = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
PATTERN_DAYS = 30
PATTERN_STEP_SECONDS = (30, 1800)


@dataclass(frozen=True)
class OrderedPattern:
    """A synthetic log with a known order. ``successors`` (n,): the item that follows each item on one
    cycle through all n items; ``log`` (m,): every user's walk, user ids ``0 .. u - 1``, item ids
    ``0 .. n - 1``, times in seconds, rows by time (ties by user)."""

    log: EventLog
    successors: np.ndarray

    @property
    def items(self) -> int:
        return len(self.successors)


def ordered_pattern_generate(
    *, users: int, items: int, seed: int, noise: float = 0.2, min_length: int = 5, max_length: int = 30
) -> OrderedPattern:
    """``users`` walks over ``items`` items along one random cycle, the same for a seed.

    Each user starts at a uniformly drawn item and takes ``min_length .. max_length`` events (uniform);
    each next item is the current one's successor, or with probability ``noise`` a uniformly drawn
    item. As the cycle is a permutation and starts and jumps are uniform, every event is uniform over
    the items: popularity is flat, and the previous item predicts the next one with probability
    ``1 - noise + noise / items``. Raises ValueError for arguments outside their ranges.
    """
    if users < 1 or items < 2 or not 0 <= noise <= 1 or not 2 <= min_length <= max_length:
        raise ValueError(
            f"Need users ≥ 1, items ≥ 2, 0 ≤ noise ≤ 1 and 2 ≤ min_length ≤ max_length (got users {users}, "
            f"items {items}, noise {noise}, lengths {min_length} .. {max_length})."
        )
    rng = np.random.default_rng(seed)
    cycle = rng.permutation(items)
    successors = np.empty(items, dtype=np.int64)
    successors[cycle] = np.roll(cycle, -1)
    lengths = rng.integers(min_length, max_length + 1, size=users)
    starts = PATTERN_START + rng.integers(0, PATTERN_DAYS * 86_400, size=users)
    walks = []
    for length in lengths.tolist():
        walk = [int(rng.integers(items))]
        jumps = rng.random(length - 1) < noise
        landings = rng.integers(items, size=length - 1)
        for jump, landing in zip(jumps.tolist(), landings.tolist(), strict=True):
            walk.append(landing if jump else int(successors[walk[-1]]))
        walks.append(walk)
    user_ids = np.repeat(np.arange(users, dtype=np.int64), lengths)
    gaps = rng.integers(*PATTERN_STEP_SECONDS, endpoint=True, size=len(user_ids))
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    gaps[first] = 0
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], lengths)
    times = np.repeat(starts, lengths).astype(np.float64) + offsets
    order = np.lexsort((user_ids, times))
    log = EventLog(user_ids=user_ids[order], item_ids=np.concatenate(walks).astype(np.int64)[order],
                   events=np.full(len(order), GENERIC_EVENT, dtype=object), times=times[order])
    return OrderedPattern(log=log, successors=successors)


def ordered_pattern_write(*, pattern: OrderedPattern, path: Path) -> int:
    """Write ``pattern`` as an interaction file: users ``user-0007``, items ``item-042`` (zero-padded, so
    reading it back gives the same ids). Returns the rows written."""
    users = len(np.unique(pattern.log.user_ids))
    return interaction_file_write(
        path=path, users=_names("user", pattern.log.user_ids, count=users),
        items=_names("item", pattern.log.item_ids, count=pattern.items), times=pattern.log.times,
    )


def _names(prefix: str, ids: np.ndarray, *, count: int) -> np.ndarray:
    width = len(str(count - 1))
    return np.array([f"{prefix}-{index:0{width}d}" for index in ids.tolist()])
