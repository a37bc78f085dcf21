"""One listing as the importers and the demo generator hand it to the batch writer. No Django here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(slots=True)
class ListingRecord:
    """The values of one ``Listing`` row, already normalized and checked against the sane ranges.

    ``price`` is None only for a row about to be rejected for it (``record_validate``).
    ``published_at`` None means "now" for a new row (except drafts) and "keep" for an existing one.
    """

    source: str
    external_id: str
    kind: str
    offer: str
    status: str
    title: str
    price: Decimal | None
    state: str
    city: str = ""
    zip_code: str = ""
    lat: float | None = None
    lon: float | None = None
    description: str = ""
    published_at: datetime | None = None
    seller_id: int | None = None
    bed: int | None = None
    bath: Decimal | None = None
    house_size: int | None = None
    acre_lot: float | None = None
    prev_sold_date: date | None = None
    brokered_by: str = ""
    make: str = ""
    model: str = ""
    year: int | None = None
    odometer: int | None = None
    condition: str = ""
    cylinders: str = ""
    fuel: str = ""
    transmission: str = ""
    drive: str = ""
    size: str = ""
    body_type: str = ""
    paint_color: str = ""
    title_status: str = ""


# Column order of the batch writer's staging table: every field above, in declaration order.
RECORD_FIELDS: tuple[str, ...] = tuple(ListingRecord.__dataclass_fields__)
