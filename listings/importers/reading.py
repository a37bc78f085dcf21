"""Streaming CSV in (one row at a time, with its line number) and rejected rows out. No Django here.

Input may start with a UTF-8 byte-order mark and use CRLF line ends; bytes that are not UTF-8
become U+FFFD so that the row is rejected, never the file.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from tqdm import tqdm

NOT_UTF8 = "\ufffd"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, a header of another format, …)."""


def text_problem(cells: list[str]) -> str | None:
    """Why these cells cannot be stored as text (bytes that were not UTF-8, NUL characters), or None."""
    text = "".join(cells)
    if NOT_UTF8 in text:
        return "text that is not UTF-8"
    if "\x00" in text:
        return "text with NUL characters"
    return None


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


class RejectsFile:
    """``PATH.rejects.csv``: every rejected row as it was (padded or cut to the header), plus
    ``line`` and ``reason``. Opened (and truncated) up front so an unwritable path fails early."""

    def __init__(self, path: Path, *, header: Sequence[str], source: Path) -> None:
        if path.resolve() == source.resolve():
            raise ImportFileError(f"The rejects file {path} would overwrite the file being read.")
        self.path = path
        self._width = len(header)
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow([*header, "line", "reason"])

    def write(self, *, line: int, cells: Sequence[str], reason: str) -> None:
        fitted = list(cells[: self._width]) + [""] * (self._width - len(cells))
        self._writer.writerow([*fitted, line, reason])

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._file.close()
