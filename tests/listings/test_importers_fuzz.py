"""import_listings and import_interactions under arbitrary input (Hypothesis): bytes that are not CSV, not UTF-8,
with BOMs, NULs and fields past the csv module's limit; rows with text, blanks and extreme numbers in every column.

Whatever the file holds: the command never crashes (a file-level problem is a CommandError); every record after
the header is imported, updated or rejected, each reject with its line and a reason; and a batch lands whole or
not at all, also when the database fails in the middle of one. Generation is derandomized: CI runs the same
examples every time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csv_stream import csv_open
from listings.importers.layouts import REALTOR_V1_COLUMNS, TRUSTASSET_COLUMNS, VEHICLES_COLUMNS
from listings.models import Interaction, Listing, PriceChange
from tests.factories import HomeFactory

FUZZ = settings(
    derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
BATCH_SIZE = 2  # several batches per file
LISTING_SUMMARY = re.compile(r"^imported (\d+), updated (\d+), rejected (\d+)\n$")
INTERACTION_SUMMARY = re.compile(r"^imported (\d+), rejected (\d+)\n$")

# A readable row of each layout: the rows below start from these and break some cells.
VEHICLES_HEADER = ("", *VEHICLES_COLUMNS)
REALTOR_ROW = dict(zip(REALTOR_V1_COLUMNS, (
    "for_sale", "3", "2", "0.12", "Adjuntas", "Puerto Rico", "601", "920", "6/28/2019", "105000"), strict=True))
VEHICLES_ROW = dict(zip(VEHICLES_HEADER, (
    "419409", "7309312148", "la crosse", "12595", "2005.0", "gmc", "sierra c 3500 cube", "good", "8 cylinders",
    "gas", "89276.0", "clean", "automatic", "rwd", "full-size", "truck", "white", "", "wi", "44.0455",
    "-91.668119", "2021-04-19T11:46:44-0500"), strict=True))
TRUSTASSET_ROW = {**dict.fromkeys(TRUSTASSET_COLUMNS, ""), **{
    "kind": "home", "offer": "sale", "status": "active", "price": "150000", "city": "Ponce", "state": "PR",
    "zip_code": "00731", "bed": "3", "bath": "2", "description": "Ocean view."}}
LAYOUTS = {"realtor": REALTOR_ROW, "vehicles": VEHICLES_ROW, "trustasset": TRUSTASSET_ROW}
# Listings already there, so that rows can update them (and change their price).
EXISTING_IDS = ("fuzz-1", "fuzz-2")
LISTING_KEYS = ("trustasset:fuzz-1", "trustasset:fuzz-2", "realtor:nope", "fuzz-1")
INTERACTION_COLUMNS = ("user", "external_id", "event", "timestamp")
INTERACTION_ROW = dict(zip(INTERACTION_COLUMNS, ("buyer", "trustasset:fuzz-1", "view", "2024-05-01T10:00:00Z"),
                           strict=True))

# Cells: any text (NULs and lone surrogates included), numbers far outside every range, dates at the ends of time.
extreme_numbers = st.one_of(
    st.sampled_from(["9" * 4301, "0." + "0" * 400 + "1", "-0", "1e5", "nan", "inf", "１２３", "٣", "0x10", "1_000", " 3 ", "3,5"]),
    st.integers(min_value=1, max_value=6000).map(lambda digits: "9" * digits),  # Python prints ints of ≤ 4,300
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.decimals().map(str),
)
moments = st.one_of(
    # Years 1 and 9999 that leave them in UTC; offsets PostgreSQL refuses (it takes up to ±15:59).
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2024-05-01T10:00:00+23:59"]),
    st.builds(lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
              st.datetimes(), st.integers(min_value=-1439, max_value=1439)),
)
dates = st.one_of(moments, st.dates().map(str), st.dates().map(lambda day: f"{day.month}/{day.day}/{day.year}"),
                  st.datetimes().map(str))
odd_cells = st.one_of(extreme_numbers, dates, st.text(max_size=40), st.none())


@st.composite
def broken_rows(draw: st.DrawFn, normal: dict[str, str], varied: dict[str, st.SearchStrategy[str]],
                max_broken: int) -> dict[str, str | None]:
    """``normal`` with ``varied`` columns drawn from their strategies, and up to ``max_broken`` cells replaced by
    anything."""
    row: dict[str, str | None] = {name: draw(varied[name]) if name in varied else value for name, value in normal.items()}
    for name in draw(st.sets(st.sampled_from(sorted(normal)), max_size=max_broken)):
        row[name] = draw(odd_cells)
    return row


def listing_rows(layout: str, *, max_broken: int = 3) -> st.SearchStrategy[dict[str, str | None]]:
    varied: dict[str, st.SearchStrategy[str]] = {
        # The id is the listing: mostly distinct ones, so that rows land.
        "vehicles": {"id": st.integers(min_value=1, max_value=10**6).map(str)},
        "trustasset": {"external_id": st.sampled_from(["", *EXISTING_IDS, "trustasset:fuzz-1", "fuzz-3"]),
                       "price": st.integers(min_value=1000, max_value=10**6).map(str)},
        "realtor": {"price": st.integers(min_value=1000, max_value=10**6).map(str)},
    }[layout]
    return broken_rows(LAYOUTS[layout], varied, max_broken)


def shaped(rows: st.SearchStrategy[dict[str, str | None]]) -> st.SearchStrategy[list[str | None]]:
    """A row's cells in header order, sometimes a cell short or one too many."""
    return st.tuples(rows, st.sampled_from(["whole"] * 6 + ["short", "long"])).map(
        lambda drawn: _reshape(list(drawn[0].values()), drawn[1])
    )


def _reshape(cells: list[str | None], shape: str) -> list[str | None]:
    return {"whole": cells, "short": cells[:-1], "long": [*cells, "extra"]}[shape]


# Files as bytes: fragments that trouble a CSV reader, glued in any order.
FRAGMENTS = [
    b"\xef\xbb\xbf", b"\x00", b"\r\n", b"\n", b"\r", b'"', b'""', b",", b",,,,", b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80",
    b"\xe2\x82", "é".encode(), "\U0001f3e0".encode(), b"a" * 140_000, b'"' + b"b\n" * 70_000, b"for_sale,3,2",
    b"\t", b" ",
]
byte_soup = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=40)), max_size=25).map(b"".join)


def header_line(names: tuple[str, ...]) -> bytes:
    return ",".join(names).encode() + b"\r\n"


def write_rows(path: Path, header: tuple[str, ...], rows: list[list[str | None]], *, bom: bool,
               line_end: str) -> Path:
    # surrogatepass: a lone surrogate in a cell becomes bytes that are not UTF-8, as in a broken export.
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
        if bom:
            file.write("\ufeff")
        writer = csv.writer(file, lineterminator=line_end)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def records_after_header(path: Path) -> int:
    """What the importers' reader yields after the header: each must end imported, updated or rejected."""
    with csv_open(path, progress=False) as source:
        if source.header() is None:
            return 0
        return sum(1 for _ in source.rows())


def logged_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def assert_every_reject_has_a_line_and_a_reason(rejects_path: Path, *, rejected: int) -> None:
    logged = logged_rejects(rejects_path)
    lines = [int(row["line"]) for row in logged]
    assert len(logged) == rejected
    assert all(row["reason"].strip() for row in logged)
    assert len(set(lines)) == len(lines)
    assert all(line >= 2 for line in lines)


def listings_snapshot() -> list[tuple[Any, ...]]:
    fields = ("source", "external_id", "kind", "offer", "status", "title", "price", "city", "bed", "year",
              "published_at", "prev_sold_date")
    return list(Listing.objects.order_by("source", "external_id").values_list(*fields))


@pytest.fixture
def existing_listings(db) -> None:
    for external_id in EXISTING_IDS:
        HomeFactory(source="trustasset", external_id=external_id, seller=None)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example in a savepoint that is rolled back: every one starts from the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def import_listings(path: Path, layout: str, rejects_path: Path) -> tuple[int, int, int] | CommandError:
    out = StringIO()
    try:
        call_command("import_listings", str(path), "--format", layout, "--rejects", str(rejects_path),
                     "--batch-size", str(BATCH_SIZE), verbosity=0, stdout=out)
    except CommandError as error:  # the file as a whole: no header of the format, unreadable, …
        return error
    summary = LISTING_SUMMARY.match(out.getvalue())
    assert summary is not None, out.getvalue()
    imported, updated, rejected = map(int, summary.groups())
    return imported, updated, rejected


def import_interactions(path: Path, rejects_path: Path) -> tuple[int, int] | CommandError:
    out = StringIO()
    try:
        call_command("import_interactions", str(path), "--rejects", str(rejects_path),
                     "--batch-size", str(BATCH_SIZE), verbosity=0, stdout=out)
    except CommandError as error:
        return error
    summary = INTERACTION_SUMMARY.match(out.getvalue())
    assert summary is not None, out.getvalue()
    imported, rejected = map(int, summary.groups())
    return imported, rejected


def check_listings_import(path: Path, layout: str, folder: Path) -> None:
    rejects_path = folder / "rejects.csv"
    rejects_path.unlink(missing_ok=True)
    before = Listing.objects.count()

    outcome = import_listings(path, layout, rejects_path)

    if isinstance(outcome, CommandError):
        assert str(outcome)
        assert Listing.objects.count() == before
        return
    imported, updated, rejected = outcome
    records = records_after_header(path)
    assert imported + updated + rejected == records
    assert len(listings_snapshot()) == before + imported  # and every value that landed reads back
    assert_every_reject_has_a_line_and_a_reason(rejects_path, rejected=rejected)


# Listings


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(layout=st.sampled_from(sorted(LAYOUTS)), with_header=st.booleans(), body=byte_soup)
def test_it_survives_arbitrary_bytes(layout: str, with_header: bool, body: bytes, tmp_path: Path) -> None:
    header = header_line(tuple(LAYOUTS[layout])) if with_header else b""
    path = tmp_path / "listings.csv"
    path.write_bytes(header + body)

    with rolled_back():
        check_listings_import(path, layout, tmp_path)


@pytest.mark.django_db
@settings(FUZZ, max_examples=200)
@given(data=st.data(), layout=st.sampled_from(sorted(LAYOUTS)), bom=st.booleans(),
       line_end=st.sampled_from(["\r\n", "\n"]))
def test_it_imports_or_rejects_every_row_with_a_reason(data: st.DataObject, layout: str, bom: bool, line_end: str,
                                                       tmp_path: Path, existing_listings: None) -> None:
    rows = data.draw(st.lists(shaped(listing_rows(layout)), max_size=8), label="rows")
    path = write_rows(tmp_path / "listings.csv", tuple(LAYOUTS[layout]), rows, bom=bom, line_end=line_end)

    with rolled_back():
        check_listings_import(path, layout, tmp_path)


@pytest.mark.django_db
@settings(FUZZ, max_examples=60)
@given(rows=st.lists(shaped(listing_rows("trustasset", max_broken=1)), min_size=4, max_size=10),
       failing_batch=st.sampled_from([2, 3, 1]))
def test_it_never_leaves_a_partial_batch_of_listings(rows: list[list[str | None]], failing_batch: int,
                                                     tmp_path: Path, existing_listings: None) -> None:
    """The database fails at the end of one batch, after its rows and price changes were written in it."""
    path = write_rows(tmp_path / "listings.csv", TRUSTASSET_COLUMNS, rows, bom=False, line_end="\r\n")
    with rolled_back(), pytest.MonkeyPatch.context() as patch:
        landed = [listings_snapshot()]  # the table after each batch that landed
        patch.setattr(PriceChange.objects, "bulk_create", failing_call(
            failing_batch, PriceChange.objects.bulk_create, landed=landed, snapshot=listings_snapshot
        ))

        with suppress(OperationalError):  # not raised when the file has fewer batches
            import_listings(path, "trustasset", tmp_path / "rejects.csv")

        assert listings_snapshot() == landed[-1]


def failing_call(number: int, real: Callable[..., Any], *, landed: list[Any],
                 snapshot: Callable[[], Any]) -> Callable[..., Any]:
    """``real``, except that call ``number`` raises; each call before it adds ``snapshot()`` to ``landed``."""
    calls = 0

    def patched(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == number:
            raise OperationalError("simulated: the server closed the connection")
        created = real(*args, **kwargs)
        landed.append(snapshot())
        return created

    return patched


# Interactions


def interaction_rows(*, max_broken: int = 2) -> st.SearchStrategy[list[str | None]]:
    return shaped(broken_rows(INTERACTION_ROW, {
        "user": st.sampled_from(["buyer", "newcomer", "x" * 151, "bad user!"]),
        "external_id": st.sampled_from(LISTING_KEYS),
        "event": st.sampled_from(["view", "Favorite", "contact", "teleport"]),
        "timestamp": moments,
    }, max_broken))


def check_interactions_import(path: Path, folder: Path) -> None:
    rejects_path = folder / "rejects.csv"
    rejects_path.unlink(missing_ok=True)
    before = Interaction.objects.count()

    outcome = import_interactions(path, rejects_path)

    if isinstance(outcome, CommandError):
        assert str(outcome)
        assert Interaction.objects.count() == before
        return
    imported, rejected = outcome
    records = records_after_header(path)
    assert imported + rejected == records
    assert len(interactions_snapshot()[0]) == before + imported  # and every value that landed reads back
    assert_every_reject_has_a_line_and_a_reason(rejects_path, rejected=rejected)


@pytest.mark.django_db
@settings(FUZZ, max_examples=80)
@given(with_header=st.booleans(), body=byte_soup)
def test_it_survives_arbitrary_bytes_of_interactions(with_header: bool, body: bytes, tmp_path: Path,
                                                     existing_listings: None) -> None:
    path = tmp_path / "interactions.csv"
    path.write_bytes((header_line(INTERACTION_COLUMNS) if with_header else b"") + body)

    with rolled_back():
        check_interactions_import(path, tmp_path)


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(rows=st.lists(interaction_rows(), max_size=10), bom=st.booleans())
def test_it_imports_or_rejects_every_interaction_with_a_reason(rows: list[list[str | None]], bom: bool,
                                                                tmp_path: Path, existing_listings: None) -> None:
    path = write_rows(tmp_path / "interactions.csv", INTERACTION_COLUMNS, rows, bom=bom, line_end="\r\n")

    with rolled_back():
        check_interactions_import(path, tmp_path)


def interactions_snapshot() -> tuple[list[tuple[Any, ...]], list[str]]:
    return (sorted(Interaction.objects.values_list("user__username", "listing_id", "event", "created_at")),
            sorted(User.objects.values_list("username", flat=True)))


@pytest.mark.django_db
@settings(FUZZ, max_examples=50)
@given(rows=st.lists(interaction_rows(max_broken=1), min_size=4, max_size=10),
       failing_batch=st.sampled_from([2, 3, 1]))
def test_it_never_leaves_a_partial_batch_of_interactions(rows: list[list[str | None]], failing_batch: int,
                                                         tmp_path: Path, existing_listings: None) -> None:
    """The database fails at the end of one batch, after its new users were created in it."""
    path = write_rows(tmp_path / "interactions.csv", INTERACTION_COLUMNS, rows, bom=False, line_end="\r\n")
    with rolled_back(), pytest.MonkeyPatch.context() as patch:
        landed = [interactions_snapshot()]
        patch.setattr(Interaction.objects, "bulk_create", failing_call(
            failing_batch, Interaction.objects.bulk_create, landed=landed, snapshot=interactions_snapshot
        ))

        with suppress(OperationalError):
            import_interactions(path, tmp_path / "rejects.csv")

        assert interactions_snapshot() == landed[-1]


# What the runs above found (each crashed the import, or stored what nothing could read back)


@pytest.mark.django_db
@pytest.mark.parametrize(("layout", "column"), [
    ("realtor", "bed"), ("realtor", "house_size"), ("vehicles", "year"), ("vehicles", "odometer"),
    ("trustasset", "bed"), ("trustasset", "year"), ("trustasset", "odometer"), ("trustasset", "house_size"),
])
def test_it_rejects_a_whole_number_too_long_to_print(layout: str, column: str, tmp_path: Path) -> None:
    digits = "9" * 4301
    path = write_rows(tmp_path / "listings.csv", tuple(LAYOUTS[layout]), [list({**LAYOUTS[layout], column: digits}.values())],
                      bom=False, line_end="\r\n")

    assert import_listings(path, layout, tmp_path / "rejects.csv") == (0, 0, 1)
    assert [(row["line"], row["reason"]) for row in logged_rejects(tmp_path / "rejects.csv")] == [
        ("2", f"{column}: number too large '{digits}'")
    ]


def vehicle_with_posting_date(path: Path, posting_date: str) -> Path:
    return write_rows(path, VEHICLES_HEADER, [list({**VEHICLES_ROW, "posting_date": posting_date}.values())],
                      bom=False, line_end="\r\n")


@pytest.mark.django_db
@pytest.mark.parametrize("posting_date", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_it_rejects_posting_dates_outside_the_years_of_utc(posting_date: str, tmp_path: Path) -> None:
    path = vehicle_with_posting_date(tmp_path / "cars.csv", posting_date)

    assert import_listings(path, "vehicles", tmp_path / "rejects.csv") == (0, 0, 1)
    assert [row["reason"] for row in logged_rejects(tmp_path / "rejects.csv")] == [
        f"posting_date: date-time out of range '{posting_date}'"
    ]


@pytest.mark.django_db
def test_it_stores_a_posting_date_with_an_offset_postgresql_refuses_in_utc(tmp_path: Path) -> None:
    path = vehicle_with_posting_date(tmp_path / "cars.csv", "2021-04-19T11:46:44+23:59")  # PostgreSQL: ±15:59

    assert import_listings(path, "vehicles", tmp_path / "rejects.csv") == (1, 0, 0)
    assert list(Listing.objects.values_list("published_at", flat=True)) == [
        datetime(2021, 4, 18, 11, 47, 44, tzinfo=UTC)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_it_rejects_interactions_outside_the_years_of_utc(timestamp: str, tmp_path: Path,
                                                         existing_listings: None) -> None:
    path = write_rows(tmp_path / "interactions.csv", INTERACTION_COLUMNS,
                      [list({**INTERACTION_ROW, "timestamp": timestamp}.values())], bom=False, line_end="\r\n")

    assert import_interactions(path, tmp_path / "rejects.csv") == (0, 1)
    assert [row["reason"] for row in logged_rejects(tmp_path / "rejects.csv")] == [
        f"timestamp: date-time out of range '{timestamp}'"
    ]
