"""Why a row is refused, where a listing is, and whether a finished record is sane.

Ranges come from ``listing_range_errors`` (the one place that knows them); this module only
turns its messages into reject reasons and adds what only importers need (places, lengths).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter, gt
from typing import TypeVar

from django.db.models import CharField

from listings import places
from listings.importers.parsing import Unreadable
from listings.importers.records import RECORD_FIELDS, ListingRecord
from listings.models import Kind, Listing, listing_range_errors

# Reason codes: how rejects are counted (each message explains its own row).
COLUMNS = "columns"
UNREADABLE = "unreadable"
DUPLICATE = "duplicate"
SAME_ID = "same_id"
PRICE_MISSING = "price_missing"
PRICE_NOT_POSITIVE = "price_not_positive"
PRICE_RANGE = "price_range"
STATE_UNKNOWN = "state_unknown"
PLACE_MISSING = "place_missing"
COORDINATES = "coordinates"
CHOICE_UNKNOWN = "choice_unknown"
ID_MISSING = "id_missing"
CAR_INCOMPLETE = "car_incomplete"
TOO_LONG = "too_long"
IMPOSSIBLE = "impossible_"  # + the field: impossible_bed, impossible_house_size, …

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
_MAX_LENGTHS = {
    field.attname: field.max_length
    for field in Listing._meta.concrete_fields
    if isinstance(field, CharField) and field.attname in RECORD_FIELDS and field.max_length
}

_text_values = attrgetter(*_MAX_LENGTHS)
_TEXT_LIMITS = tuple(_MAX_LENGTHS.values())

Value = TypeVar("Value")


class RowRejected(Exception):
    """A row the importer refuses; ``code`` groups reasons for counting, ``message`` explains this row."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Place:
    city: str
    state: str
    zip_code: str
    lat: float | None
    lon: float | None


def cell_parse(cells: dict[str, str], column: str, parse: Callable[[str], Value]) -> Value:
    """``parse(cells[column])``, with an unreadable value turned into a reject naming the column."""
    try:
        return parse(cells.get(column, ""))
    except Unreadable as error:
        raise RowRejected(UNREADABLE, f"{column}: {error}") from None


def place_resolve(*, city: str, state: str, zip_code: str, lat: float | None, lon: float | None) -> Place:
    """Normalize a row's place; fill the city (and a blank state) from the ZIP code, and missing
    coordinates from the ZIP's centroid, else the city's. Rejects unknown states and rows with neither
    city nor ZIP code."""
    normalized_zip = _zip_code(zip_code)
    known_zip = places.zip_place(normalized_zip) if normalized_zip else None
    code = _state(state=state, known_zip=known_zip)
    city = " ".join(city.split()) or (known_zip.city if known_zip else "")
    if not city and not normalized_zip:
        raise RowRejected(PLACE_MISSING, "no city and no ZIP code")
    lat, lon = _coordinates(lat=lat, lon=lon)
    if lat is None or lon is None:
        centroid = known_zip or (places.city_place(city, code) if city else None)
        if centroid is not None:
            lat, lon = centroid.lat, centroid.lon
    return Place(city=city, state=code, zip_code=normalized_zip, lat=lat, lon=lon)


def _zip_code(text: str) -> str:
    """``"601"`` → ``"00601"``; blank stays blank; anything else is unreadable."""
    text = text.strip()
    if not text:
        return ""
    normalized = places.zip_code_normalize(text) if text.isascii() else None
    if normalized is None:
        raise RowRejected(UNREADABLE, f"zip_code: not a ZIP code {text!r}")
    return normalized


def _state(*, state: str, known_zip: places.ZipPlace | None) -> str:
    text = state.strip()
    if not text:
        if known_zip is None:
            raise RowRejected(STATE_UNKNOWN, "no state")
        return known_zip.state
    code = places.state_code(text)
    if code is None:
        raise RowRejected(STATE_UNKNOWN, f"unknown state {text!r}")
    return code


def _coordinates(*, lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None or lon is None:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RowRejected(COORDINATES, f"coordinates ({lat:g}, {lon:g}) are not on Earth")
    return lat, lon


def choice_check(value: str, *, column: str, choices: list[str]) -> str:
    if value not in choices:
        raise RowRejected(CHOICE_UNKNOWN, f"{column}: unknown value {value!r} (one of {', '.join(choices)})")
    return value


def record_validate(record: ListingRecord) -> ListingRecord:
    """``record`` with price and bath rounded to their columns' precision, when it is sane;
    otherwise RowRejected, with every range problem in the message and the first one as the code."""
    errors = listing_range_errors(
        kind=record.kind, offer=record.offer, price=record.price, bed=record.bed, bath=record.bath,
        house_size=record.house_size, acre_lot=record.acre_lot, year=record.year, odometer=record.odometer,
    )
    if errors:
        raise RowRejected(_range_code(record, field=next(iter(errors))), " ".join(errors.values()))
    if record.kind == Kind.CAR:
        missing = [field for field in ("make", "model", "year") if not getattr(record, field)]
        if missing:
            raise RowRejected(CAR_INCOMPLETE, f"a car needs make, model and year; missing {', '.join(missing)}")
    if any(map(gt, map(len, _text_values(record)), _TEXT_LIMITS)):
        field = next(field for field, limit in _MAX_LENGTHS.items() if len(getattr(record, field)) > limit)
        raise RowRejected(TOO_LONG, f"{field} is longer than {_MAX_LENGTHS[field]} characters")
    assert record.price is not None  # listing_range_errors refuses a missing price
    record.price = record.price.quantize(CENT)
    if record.bath is not None:
        record.bath = record.bath.quantize(TENTH)
    return record


def _range_code(record: ListingRecord, *, field: str) -> str:
    if field != "price":
        return IMPOSSIBLE + field
    if record.price is None:
        return PRICE_MISSING
    return PRICE_NOT_POSITIVE if record.price <= 0 else PRICE_RANGE
