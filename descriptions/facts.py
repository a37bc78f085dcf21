"""What a listing description may state: the listing's facts, as plain values. No Django here."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

_TEXT_FIELDS = frozenset({
    "kind", "offer", "title", "city", "state", "zip_code", "make", "model", "condition", "cylinders", "fuel",
    "transmission", "drive", "size", "body_type", "paint_color", "title_status",
})


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """Every fact a description may state about one listing; ``None`` or ``""`` means unknown.

    ``price`` is in dollars, per month for rentals; ``house_size`` in square feet; ``acre_lot`` in
    acres; ``odometer`` in miles. ``price_per_sqft_median`` is the median price per square foot of
    comparable listings (same kind and offer, nearby), computed elsewhere; None when not known.
    """

    kind: str
    offer: str = "sale"
    title: str = ""
    price: Decimal | float | None = None
    city: str = ""
    state: str = ""
    zip_code: str = ""
    bed: int | None = None
    bath: Decimal | float | None = None
    house_size: int | None = None
    acre_lot: float | None = None
    prev_sold_date: date | None = None
    year: int | None = None
    make: str = ""
    model: str = ""
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
    price_per_sqft_median: float | None = None


FACT_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(ListingFacts))


def listing_facts(listing: object, *, price_per_sqft_median: float | None = None) -> ListingFacts:
    """The facts of anything with the attributes of a listing (a ``Listing``, a ``ListingRecord``, …).

    Missing attributes are unknown; text is stripped and ``None`` text becomes ``""``, so choice
    values (``Kind.HOME``) arrive as plain strings.
    """
    values: dict[str, object] = {}
    for name in FACT_FIELDS:
        if name == "price_per_sqft_median":
            continue
        value = getattr(listing, name, None)
        if name in _TEXT_FIELDS:
            value = "" if value is None else str(value).strip()
        values[name] = value
    return ListingFacts(**values, price_per_sqft_median=price_per_sqft_median)  # type: ignore[arg-type]


def facts_with_comparables(listings: Sequence[ListingFacts]) -> list[ListingFacts]:
    """``listings`` with each home's ``price_per_sqft_median`` set to the median price per square foot of
    the homes of the list in its city with the same offer (the production reads its comparables from the
    database instead); cars and homes without comparables are unchanged."""
    prices: dict[tuple[str, str], list[float]] = defaultdict(list)
    for facts in listings:
        if facts.kind == "home" and facts.house_size and facts.price:
            prices[facts.offer, facts.city].append(float(facts.price) / facts.house_size)
    return [
        replace(facts, price_per_sqft_median=statistics.median(prices[facts.offer, facts.city]))
        if facts.kind == "home" and prices[facts.offer, facts.city] else facts
        for facts in listings
    ]
