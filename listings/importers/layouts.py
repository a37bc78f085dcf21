"""The CSV layouts the importer reads, chosen with ``--format`` and recognized by their header.

Each layout turns one row (a dict of header name → cell text) into a checked ``ListingRecord`` or
raises ``RowRejected``, and names the columns a re-import may overwrite on an existing listing
(never the ones the file does not carry, such as a description written on TrustAsset).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from listings import places
from listings.importers.parsing import (
    car_title,
    content_id,
    home_title,
    make_display,
    model_display,
    number_text,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_float,
    parse_rounded,
    parse_whole,
    place_text,
    words_capitalize,
)
from listings.importers.reading import ImportFileError
from listings.importers.records import ListingRecord
from listings.importers.validation import (
    ID_MISSING,
    Place,
    RowRejected,
    cell_parse,
    choice_check,
    place_resolve,
    record_validate,
)
from listings.models import Kind, Offer, Source, Status

Cells = dict[str, str]
RowParser = Callable[[Cells, str], ListingRecord]

REALTOR_V1_COLUMNS = (
    "status", "bed", "bath", "acre_lot", "city", "state", "zip_code", "house_size", "prev_sold_date", "price",
)
REALTOR_V2_COLUMNS = (
    "brokered_by", "status", "price", "bed", "bath", "acre_lot", "street", "city", "state", "zip_code",
    "house_size", "prev_sold_date",
)
# The Craigslist file's first column is an unnamed row index: not needed, so not required.
VEHICLES_COLUMNS = (
    "id", "region", "price", "year", "manufacturer", "model", "condition", "cylinders", "fuel", "odometer",
    "title_status", "transmission", "drive", "size", "type", "paint_color", "image_url", "state", "lat", "long",
    "posting_date",
)
TRUSTASSET_COLUMNS = (
    "external_id", "kind", "offer", "status", "title", "description", "price", "city", "state", "zip_code",
    "lat", "lon", "bed", "bath", "house_size", "acre_lot", "prev_sold_date", "year", "make", "model", "odometer",
    "condition", "fuel", "transmission", "drive", "body_type", "paint_color",
)
_VEHICLE_TEXT_COLUMNS = (
    "condition", "cylinders", "fuel", "title_status", "transmission", "drive", "size", "paint_color",
)
_TRUSTASSET_TEXT_COLUMNS = ("make", "model", "condition", "fuel", "transmission", "drive", "body_type", "paint_color")
# Django's Choices.values builds a new list on every access: read them once.
_KINDS, _OFFERS, _STATUSES, _SOURCES = Kind.values, Offer.values, Status.values, frozenset(Source.values)
REALTOR_STATUSES = {"for_sale": Status.ACTIVE, "ready_to_build": Status.ACTIVE, "sold": Status.SOLD}

_PLACE_FIELDS = ("city", "state", "zip_code", "lat", "lon")
_HOME_FIELDS = ("bed", "bath", "house_size", "acre_lot", "prev_sold_date")
_CAR_FIELDS = ("year", "make", "model", "odometer", "condition", "fuel", "transmission", "drive", "body_type",
               "paint_color")


@dataclass(frozen=True)
class Layout:
    name: str
    columns: tuple[str, ...]
    update_fields: tuple[str, ...]
    parse: RowParser


def external_key(*, source: str, external_id: str) -> str:
    """``"realtor:ab12…"``: how exports and interaction files name a listing."""
    return f"{source}:{external_id}"


def external_key_split(text: str) -> tuple[str, str]:
    """``"realtor:ab12"`` → ``("realtor", "ab12")``; without a known source prefix the source is trustasset."""
    source, separator, external_id = text.strip().partition(":")
    if separator and source in _SOURCES:
        return source, external_id
    return Source.TRUSTASSET, text.strip()


def layout_detect(*, format_name: str, header: Sequence[str]) -> Layout:
    """The layout of ``format_name`` whose columns the header has (the widest first), else ImportFileError
    naming the columns missing from the closest one."""
    names = set(header)
    candidates = FORMATS[format_name]
    for layout in candidates:
        if names.issuperset(layout.columns):
            return layout
    closest = min(candidates, key=lambda layout: len(set(layout.columns) - names))
    missing = ", ".join(column for column in closest.columns if column not in names)
    raise ImportFileError(
        f"The header does not match the {format_name} format ({closest.name}): missing columns {missing}."
    )


def header_normalize(header: Sequence[str]) -> list[str]:
    return [name.strip().lower() for name in header]


def _realtor_parse(cells: Cells, offer: str) -> ListingRecord:
    status_text = choice_check(cells["status"].strip().lower(), column="status", choices=list(REALTOR_STATUSES))
    price = cell_parse(cells, "price", parse_decimal)
    bed = cell_parse(cells, "bed", parse_whole)
    bath = cell_parse(cells, "bath", parse_decimal)
    acre_lot = cell_parse(cells, "acre_lot", parse_float)
    house_size = cell_parse(cells, "house_size", parse_rounded) or None  # 0 means "not recorded" here
    prev_sold_date = cell_parse(cells, "prev_sold_date", parse_date)
    place = place_resolve(city=cells["city"], state=cells["state"], zip_code=cells["zip_code"], lat=None, lon=None)
    brokered_by, street = _id_text(cells.get("brokered_by", "")), _id_text(cells.get("street", ""))
    # No id in the data: the listing is its content. A row whose price changed is another listing.
    identity = (status_text, price, bed, bath, acre_lot, place.city, place.state, place.zip_code, house_size,
                prev_sold_date, brokered_by, street)
    return record_validate(ListingRecord(
        source=Source.REALTOR, external_id=content_id(_identity_text(value) for value in identity),
        kind=Kind.HOME, offer=offer, status=REALTOR_STATUSES[status_text],
        title=home_title(bed=bed, bath=bath, acre_lot=acre_lot, house_size=house_size, place=_place_text(place)),
        price=price, **_place_values(place), bed=bed, bath=bath, house_size=house_size, acre_lot=acre_lot,
        prev_sold_date=prev_sold_date, brokered_by=brokered_by,
    ))


def _vehicle_parse(cells: Cells, offer: str) -> ListingRecord:
    external_id = _id_text(cells["id"])
    if not external_id:
        raise RowRejected(ID_MISSING, "id: missing")
    year = cell_parse(cells, "year", parse_whole)
    make, model = make_display(cells["manufacturer"]), model_display(cells["model"])
    place = place_resolve(
        city=_region_city(cells["region"]), state=cells["state"], zip_code="",
        lat=cell_parse(cells, "lat", parse_float), lon=cell_parse(cells, "long", parse_float),
    )
    return record_validate(ListingRecord(
        source=Source.CRAIGSLIST, external_id=external_id, kind=Kind.CAR, offer=offer, status=Status.ACTIVE,
        title=car_title(year=year, make=make, model=model), price=cell_parse(cells, "price", parse_decimal),
        **_place_values(place), published_at=cell_parse(cells, "posting_date", parse_datetime),
        make=make, model=model, year=year, odometer=cell_parse(cells, "odometer", parse_rounded),
        body_type=cells["type"].strip(), **_texts(cells, _VEHICLE_TEXT_COLUMNS),
    ))


def _trustasset_parse(cells: Cells, offer: str) -> ListingRecord:
    kind = choice_check(cells["kind"].strip().lower(), column="kind", choices=_KINDS)
    values: dict[str, Any] = {
        "offer": choice_check(cells["offer"].strip().lower() or offer, column="offer", choices=_OFFERS),
        "status": choice_check(cells["status"].strip().lower() or Status.ACTIVE, column="status",
                               choices=_STATUSES),
        "price": cell_parse(cells, "price", parse_decimal),
        "bed": cell_parse(cells, "bed", parse_whole), "bath": cell_parse(cells, "bath", parse_decimal),
        "house_size": cell_parse(cells, "house_size", parse_rounded),
        "acre_lot": cell_parse(cells, "acre_lot", parse_float),
        "prev_sold_date": cell_parse(cells, "prev_sold_date", parse_date),
        "year": cell_parse(cells, "year", parse_whole), "odometer": cell_parse(cells, "odometer", parse_rounded),
        "description": cells["description"].strip(),
        **_texts(cells, _TRUSTASSET_TEXT_COLUMNS),
    }
    place = place_resolve(
        city=cells["city"], state=cells["state"], zip_code=cells["zip_code"],
        lat=cell_parse(cells, "lat", parse_float), lon=cell_parse(cells, "lon", parse_float),
    )
    source, external_id = external_key_split(cells["external_id"])
    if not external_id:
        external_id = content_id(cells[column].strip() for column in TRUSTASSET_COLUMNS)
    title = " ".join(cells["title"].split()) or _generated_title(kind=kind, place=place, values=values)
    return record_validate(ListingRecord(
        source=source, external_id=external_id, kind=kind, title=title, **_place_values(place), **values,
    ))


def _generated_title(*, kind: str, place: Place, values: dict[str, Any]) -> str:
    if kind == Kind.CAR:
        return car_title(year=values["year"], make=values["make"], model=values["model"])
    return home_title(bed=values["bed"], bath=values["bath"], acre_lot=values["acre_lot"],
                      house_size=values["house_size"], place=_place_text(place))


def _texts(cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
    return {column: cells[column].strip() for column in columns}


def _place_values(place: Place) -> dict[str, Any]:
    return {field: getattr(place, field) for field in _PLACE_FIELDS}


def _place_text(place: Place) -> str:
    return place_text(city=place.city, state=place.state, zip_code=place.zip_code)


def _region_city(region: str) -> str:
    """Craigslist regions as cities: ``"kansas city, mo"`` → ``"Kansas City, MO"``."""
    city = words_capitalize(" ".join(region.split()))
    head, _, last = city.rpartition(" ")
    if head and len(last) == 2 and places.state_code(last):
        return f"{head} {last.upper()}"
    return city


def _id_text(text: str) -> str:
    """``"103378.0"`` (an id that went through a float column) → ``"103378"``."""
    text = text.strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _identity_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_COMMON_FIELDS = ("kind", "offer", "status", "title", "price", *_PLACE_FIELDS)
REALTOR_V1 = Layout(
    name="realtor, 10-column layout", columns=REALTOR_V1_COLUMNS,
    update_fields=(*_COMMON_FIELDS, *_HOME_FIELDS), parse=_realtor_parse,
)
REALTOR_V2 = Layout(
    name="realtor, 12-column layout", columns=REALTOR_V2_COLUMNS,
    update_fields=(*_COMMON_FIELDS, *_HOME_FIELDS, "brokered_by"), parse=_realtor_parse,
)
VEHICLES = Layout(
    name="Craigslist vehicles", columns=VEHICLES_COLUMNS,
    update_fields=(*_COMMON_FIELDS, *_CAR_FIELDS, "cylinders", "size", "title_status"),
    parse=_vehicle_parse,
)
TRUSTASSET = Layout(
    name="TrustAsset layout", columns=TRUSTASSET_COLUMNS,
    update_fields=(*_COMMON_FIELDS, "description", *_HOME_FIELDS, *_CAR_FIELDS), parse=_trustasset_parse,
)
FORMATS: dict[str, tuple[Layout, ...]] = {
    "realtor": (REALTOR_V2, REALTOR_V1), "vehicles": (VEHICLES,), "trustasset": (TRUSTASSET,),
}
