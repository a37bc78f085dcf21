"""Rejected rows out, and why a row's text cannot be stored; reading is ``csv_stream``'s. No Django here."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from csv_stream import UNDECODABLE


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, a header of another format, …)."""


def text_problem(cells: list[str]) -> str | None:
    """Why these cells cannot be stored as text (bytes that were not UTF-8, NUL characters), or None."""
    text = "".join(cells)
    if UNDECODABLE in text:
        return "text that is not UTF-8"
    if "\x00" in text:
        return "text with NUL characters"
    return None


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
