"""Streaming CSV in: one record at a time, with its line number. Plain Python, no Django or app imports,
so the listing importers and ``recommendations.ml`` read files by the same rules.

Input may start with a UTF-8 byte-order mark and use CRLF line ends; bytes that are not UTF-8 become
``UNDECODABLE`` (U+FFFD), so that a reader can reject the row, never the file.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

UNDECODABLE = "\ufffd"  # what bytes that are not UTF-8 read as


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One record; ``line`` is where it starts in the file (the header is line 1). ``error`` is set,
    and ``cells`` empty, when the csv module could not read the record at all."""

    line: int
    cells: list[str]
    error: str = ""


class _ProgressReader(io.RawIOBase):
    """Counts the bytes read from ``raw`` on a progress bar."""

    def __init__(self, raw: BinaryIO, bar: tqdm) -> None:
        self._raw = raw
        self._bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._bar.update(count)
        return count


class CsvInput:
    """A CSV file read lazily: ``header`` first, then ``rows()``."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._reader = csv.reader(text)

    def header(self) -> list[str] | None:
        """The first non-empty record, or None for an empty file."""
        for row in self.rows():
            if row.cells:
                return row.cells
        return None

    def rows(self) -> Iterator[CsvRow]:
        """The remaining records; blank lines are skipped, unreadable records come with an error."""
        reader = self._reader
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield CsvRow(line=line, cells=[], error=f"unreadable CSV: {error}")
                continue
            if cells:
                yield CsvRow(line=line, cells=cells)


@contextmanager
def csv_open(path: Path, *, progress: bool) -> Iterator[CsvInput]:
    """Open ``path`` for streaming, with a tqdm bar of bytes read on stderr when ``progress``."""
    with (
        path.open("rb") as raw,
        tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name, file=sys.stderr,
             disable=not progress) as bar,
    ):
        buffered = io.BufferedReader(_ProgressReader(raw, bar), buffer_size=1 << 20)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline="")
        yield CsvInput(text)
