"""Import interactions (``user,external_id,event,timestamp``) for training and replaying the recommender."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from csv_stream import CsvRow, csv_open
from listings.importers.layouts import external_key_split, header_normalize
from listings.importers.parsing import Unreadable, parse_datetime
from listings.importers.reading import ImportFileError, RejectsFile, text_problem
from listings.importers.services import rejects_path_for
from listings.importers.streaming import batched
from listings.importers.validation import COLUMNS, DUPLICATE, UNREADABLE, RowRejected
from listings.models import Event, Interaction, Listing

INTERACTION_COLUMNS = ("user", "external_id", "event", "timestamp")
DEFAULT_BATCH_SIZE = 5000
USER_INVALID = "user_invalid"
EVENT_UNKNOWN = "event_unknown"
LISTING_UNKNOWN = "listing_unknown"
ALREADY_IMPORTED = "already_imported"

_EVENTS = frozenset(Event.values)
_USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length or 150
_username_validator = UnicodeUsernameValidator()


@dataclass
class InteractionImportResult:
    imported: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    rejects_path: Path | None = None

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def summary(self) -> str:
        return f"imported {self.imported}, rejected {self.rejected}"


@dataclass(frozen=True)
class _Signal:
    row: CsvRow
    username: str
    listing_key: tuple[str, str]
    event: str
    created_at: datetime


def interactions_import(
    *, path: Path, batch_size: int = DEFAULT_BATCH_SIZE, rejects_path: Path | None = None, progress: bool = False,
) -> InteractionImportResult:
    """Import the interactions CSV at ``path``, one transaction per batch.

    ``external_id`` names a listing as ``source:id`` (as ``export_listings`` writes it). Users are
    created, with unusable passwords, when missing. Rows naming an unknown listing or event, with an
    unreadable timestamp, repeating an earlier row, or already imported (same user, listing, event
    and time) go to ``rejects_path`` (default ``PATH.rejects.csv``) with their reason.
    """
    rejects_path = rejects_path or rejects_path_for(path)
    result = InteractionImportResult(rejects_path=rejects_path)
    with csv_open(path, progress=progress) as source:
        header = source.header()
        names = header_normalize(header or [])
        missing = [column for column in INTERACTION_COLUMNS if column not in names]
        if missing:
            raise ImportFileError(f"The header of {path} lacks the interaction columns {', '.join(missing)}.")
        assert header is not None
        with RejectsFile(rejects_path, header=header, source=path) as rejects:
            screen = _SignalScreen(names=names, rejects=rejects, result=result)
            for batch in batched(screen.signals(source.rows()), batch_size):
                result.imported += _batch_write(signals=batch, screen=screen)
    return result


class _SignalScreen:
    """Reads rows into signals, rejecting (and logging) bad ones and exact repeats."""

    def __init__(self, *, names: list[str], rejects: RejectsFile, result: InteractionImportResult) -> None:
        self._names = names
        self._rejects = rejects
        self._result = result
        self._lines: dict[int, int] = {}  # hash of the raw row → first line

    def signals(self, rows: Iterable[CsvRow]) -> Iterable[_Signal]:
        for row in rows:
            try:
                yield self._signal(row)
            except RowRejected as rejected:
                self.reject(row=row, rejected=rejected)

    def reject(self, *, row: CsvRow, rejected: RowRejected) -> None:
        self._result.rejected_by_reason[rejected.code] += 1
        self._rejects.write(line=row.line, cells=row.cells, reason=rejected.message)

    def _signal(self, row: CsvRow) -> _Signal:
        if row.error:
            raise RowRejected(COLUMNS, row.error)
        if len(row.cells) != len(self._names):
            raise RowRejected(COLUMNS, f"has {len(row.cells)} columns, expected {len(self._names)}")
        problem = text_problem(row.cells)
        if problem:
            raise RowRejected(UNREADABLE, problem)
        earlier = self._lines.setdefault(hash(tuple(row.cells)), row.line)
        if earlier != row.line:
            raise RowRejected(DUPLICATE, f"duplicate of line {earlier}")
        cells = dict(zip(self._names, row.cells, strict=True))
        return _Signal(
            row=row, username=_username(cells["user"]), listing_key=external_key_split(cells["external_id"]),
            event=_event(cells["event"]), created_at=_timestamp(cells["timestamp"]),
        )


def _username(text: str) -> str:
    username = text.strip()
    try:
        _username_validator(username)
    except ValidationError:
        raise RowRejected(USER_INVALID, f"user: not a valid username {username!r}") from None
    if len(username) > _USERNAME_MAX_LENGTH:
        raise RowRejected(USER_INVALID, f"user: longer than {_USERNAME_MAX_LENGTH} characters")
    return username


def _event(text: str) -> str:
    event = text.strip().lower()
    if event not in _EVENTS:
        raise RowRejected(EVENT_UNKNOWN, f"event: unknown {text.strip()!r} (one of {', '.join(sorted(_EVENTS))})")
    return event


def _timestamp(text: str) -> datetime:
    try:
        moment = parse_datetime(text)
    except Unreadable as error:
        raise RowRejected(UNREADABLE, f"timestamp: {error}") from None
    if moment is None:
        raise RowRejected(UNREADABLE, "timestamp: missing")
    return moment


@transaction.atomic
def _batch_write(*, signals: list[_Signal], screen: _SignalScreen) -> int:
    listing_ids = _listing_ids(keys={signal.listing_key for signal in signals})
    known = []
    for signal in signals:
        if signal.listing_key in listing_ids:
            known.append(signal)
        else:
            source, external_id = signal.listing_key
            screen.reject(row=signal.row, rejected=RowRejected(LISTING_UNKNOWN, f"no listing {source}:{external_id}"))
    user_ids = _user_ids_ensure(usernames={signal.username for signal in known})
    rows = [
        (signal, (user_ids[signal.username], listing_ids[signal.listing_key], signal.event, signal.created_at))
        for signal in known
    ]
    existing = _existing(keys=[key for _, key in rows])
    new = []
    for signal, key in rows:
        if key in existing:
            screen.reject(row=signal.row, rejected=RowRejected(
                ALREADY_IMPORTED, "already imported (same user, listing, event and time)"
            ))
        else:
            new.append(Interaction(user_id=key[0], listing_id=key[1], event=key[2], created_at=key[3]))
    Interaction.objects.bulk_create(new)
    return len(new)


def _listing_ids(*, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    for source in {source for source, _ in keys}:
        external_ids = [external_id for key_source, external_id in keys if key_source == source]
        rows = Listing.objects.filter(source=source, external_id__in=external_ids).values_list("external_id", "id")
        ids.update(((source, external_id), pk) for external_id, pk in rows)
    return ids


def _user_ids_ensure(*, usernames: set[str]) -> dict[str, int]:
    """Ids of ``usernames``, creating the missing users with unusable passwords."""
    ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    missing = usernames - ids.keys()
    if missing:
        User.objects.bulk_create(
            [User(username=username, password=make_password(None)) for username in sorted(missing)],
            ignore_conflicts=True,  # another import may create the same user meanwhile
        )
        ids.update(User.objects.filter(username__in=missing).values_list("username", "id"))
    return ids


def _existing(*, keys: list[tuple[int, int, str, datetime]]) -> set[tuple[int, int, str, datetime]]:
    if not keys:
        return set()
    found = Interaction.objects.filter(
        user_id__in={key[0] for key in keys}, listing_id__in={key[1] for key in keys},
        created_at__in={key[3] for key in keys},
    ).values_list("user_id", "listing_id", "event", "created_at")
    return set(found) & set(keys)
