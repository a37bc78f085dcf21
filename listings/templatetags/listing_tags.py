"""Presentation helpers for listing pages: prices, fact tables, placeholder URLs, the price chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString

from listings.models import Kind, Listing, ListingPhoto, Offer
from listings.paths import listing_path
from listings.selectors import listing_photos

register = template.Library()

CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_PAD_LEFT = 84
CHART_PAD_RIGHT = 16
CHART_PAD_TOP = 16
CHART_PAD_BOTTOM = 32

FILTER_LABELS = {
    "kind": "Kind", "offer": "Offer", "price_min": "Min price", "price_max": "Max price",
    "beds_min": "Min beds", "baths_min": "Min baths", "make": "Make", "model": "Model",
    "year_min": "From year", "year_max": "To year", "city": "City", "state": "State",
    "zip_code": "ZIP", "q": "Keywords",
}


@register.filter
def money(value: Decimal | float | int | None) -> str:
    """``150000`` → ``$150,000``; cents only when there are some."""
    if value is None:
        return ""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


@register.filter
def listing_price(listing: Listing) -> str:
    """The asking price as shown on cards: ``$1,250/mo`` for rentals."""
    suffix = "/mo" if listing.offer == Offer.RENT else ""
    return f"{money(listing.price)}{suffix}"


@register.filter
def number(value: Decimal | float | int | None) -> str:
    """``2.0`` → ``2``, ``2.5`` → ``2.5``, ``104340`` → ``104,340``."""
    if value is None:
        return ""
    amount = Decimal(str(value)).normalize()
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,f}"


@register.filter
def key_facts(listing: Listing) -> str:
    """One line of the facts buyers scan first: ``3 bd · 2 ba · 1,500 sqft`` or ``2016 · 104,340 mi``."""
    if listing.kind == Kind.HOME:
        parts = [
            f"{listing.bed} bd" if listing.bed is not None else "",
            f"{number(listing.bath)} ba" if listing.bath is not None else "",
            f"{number(listing.house_size)} sqft" if listing.house_size else "",
        ]
    else:
        parts = [
            str(listing.year or ""),
            f"{number(listing.odometer)} mi" if listing.odometer is not None else "",
            listing.transmission,
        ]
    return " · ".join(part for part in parts if part)


@register.filter
def place(listing: Listing) -> str:
    """``Ponce, PR``, or just the state when the city is unknown."""
    return ", ".join(part for part in (listing.city, listing.state) if part)


def placeholder_caption(listing: Listing) -> str:
    """The generated picture's caption: ``3 bd · Ponce, PR`` for a home, ``2016 Ford`` for a car."""
    if listing.kind == Kind.HOME:
        city = listing.city if len(listing.city) <= 18 else f"{listing.city[:17]}…"
        where = ", ".join(part for part in (city, listing.state) if part)
        parts = [f"{listing.bed} bd" if listing.bed is not None else "", where]
    else:
        parts = [f"{listing.year or ''} {listing.make}".strip()]
    return " · ".join(part for part in parts if part)[:40]


@register.simple_tag
def placeholder_url(listing: Listing) -> str:
    """The generated picture's URL, versioned by the last edit so long cache lifetimes stay correct."""
    version = int(listing.updated_at.timestamp()) if listing.updated_at else 0
    return f"{listing_path('listing_placeholder', listing.pk)}?v={version}"


@register.simple_tag
def listing_card(listing: Listing, href: str = "", came_from: str = "") -> SafeString:
    """The card of ``listing``, linking to ``href`` (default: its page, noting ``came_from`` if given): search
    results, the home page's and the feed's shelves, similar listings, favorites."""
    if not href:
        href = listing.get_absolute_url() + (f"?from={came_from}" if came_from else "")
    photo = _first_photo(listing)
    return _render("listings/_card.html", {
        "href": href, "photo_url": photo.image.url if photo is not None else "",
        "placeholder_url": placeholder_url(listing) if photo is None else "", "offer": listing.offer,
        "offer_label": listing.get_offer_display(), "price": listing_price(listing), "title": listing.title,
        "facts": key_facts(listing), "place": place(listing),
    })


def _first_photo(listing: Listing) -> ListingPhoto | None:
    """The first of the photos that every page showing cards prefetched; a listing read alone costs a query."""
    return next(iter(listing_photos(listing)), None)


@register.simple_tag
def search_result_url(listing: Listing, position: int) -> str:
    """A result's link: through the detail page, which records the click and its 1-based position."""
    return f"{listing_path('listing_detail', listing.pk)}?from=search&pos={position}"


@register.simple_tag
def listing_facts(listing: Listing) -> list[tuple[str, str]]:
    """(label, value) rows of the facts table; unknown values read ``—``."""
    if listing.kind == Kind.HOME:
        per = "/mo" if listing.offer == Offer.RENT else ""
        rows = [
            ("Bedrooms", number(listing.bed)),
            ("Bathrooms", number(listing.bath)),
            ("House size", f"{number(listing.house_size)} sqft" if listing.house_size else ""),
            ("Lot", f"{number(listing.acre_lot)} acres" if listing.acre_lot is not None else ""),
            ("Price per sqft", f"{money(listing.price_per_sqft)}{per}" if listing.price_per_sqft else ""),
            ("Previously sold", date_format(listing.prev_sold_date, "M j, Y") if listing.prev_sold_date else ""),
        ]
    else:
        rows = [
            ("Year", str(listing.year or "")), ("Make", listing.make), ("Model", listing.model),
            ("Odometer", f"{number(listing.odometer)} miles" if listing.odometer is not None else ""),
            ("Condition", listing.condition), ("Cylinders", listing.cylinders), ("Fuel", listing.fuel),
            ("Transmission", listing.transmission), ("Drive", listing.drive), ("Size", listing.size),
            ("Body type", listing.body_type), ("Paint color", listing.paint_color),
            ("Title status", listing.title_status),
        ]
    return [(label, value or "—") for label, value in rows]


@register.filter
def filters_query(filters: Mapping[str, Any]) -> str:
    """A saved search's filters as a query string for the search page."""
    return urlencode(sorted(filters.items()))


@register.filter
def filters_summary(filters: Mapping[str, Any]) -> str:
    """``Kind: home · City: Ponce``; ``All listings`` when there are none."""
    if not filters:
        return "All listings"
    return " · ".join(f"{FILTER_LABELS.get(name, name)}: {value}" for name, value in sorted(filters.items()))


@register.simple_tag
def price_chart(points: Sequence[tuple[datetime, Decimal]], offer: str = Offer.SALE) -> SafeString:
    """The price history (``selectors.price_history``) as an SVG step chart with its changes listed below."""
    chart = price_chart_data(points, offer)
    labels = {"label_x": chart["left"] - 8, "label_y": chart["height"] - 10}  # beside the axis, below it
    return _render("listings/_price_chart.html", chart | labels)


def price_chart_data(points: Sequence[tuple[datetime, Decimal]], offer: str = Offer.SALE) -> dict[str, Any]:
    """A step chart of the asking price from the first known price until now, in SVG coordinates.

    ``points`` are (when, price) pairs, oldest first (``selectors.price_history``).
    """
    now = timezone.now()
    timeline = [(when, Decimal(price)) for when, price in points]
    timeline.append((max(now, timeline[-1][0]), timeline[-1][1]))
    start, end = timeline[0][0].timestamp(), timeline[-1][0].timestamp()
    prices = [price for _, price in timeline]
    low, high = min(prices), max(prices)
    span = float(high - low) or float(high) or 1.0
    bottom, top = float(low) - span * 0.1, float(high) + span * 0.1
    plot_width = CHART_WIDTH - CHART_PAD_LEFT - CHART_PAD_RIGHT
    plot_height = CHART_HEIGHT - CHART_PAD_TOP - CHART_PAD_BOTTOM

    def x(when: datetime) -> float:
        return round(CHART_PAD_LEFT + plot_width * (when.timestamp() - start) / ((end - start) or 1.0), 1)

    def y(price: Decimal) -> float:
        return round(CHART_PAD_TOP + plot_height * (top - float(price)) / (top - bottom), 1)

    steps: list[tuple[float, float]] = []
    for index, (when, price) in enumerate(timeline):
        if index and timeline[index - 1][1] != price:
            steps.append((x(when), y(timeline[index - 1][1])))
        steps.append((x(when), y(price)))
    suffix = "/mo" if offer == Offer.RENT else ""
    markers = [
        {"x": x(when), "y": y(price), "label": f"{date_format(when, 'M j, Y')}: {money(price)}{suffix}"}
        for when, price in timeline[:-1]
    ]
    return {
        "width": CHART_WIDTH, "height": CHART_HEIGHT,
        "left": CHART_PAD_LEFT, "right": CHART_WIDTH - CHART_PAD_RIGHT,
        "top": CHART_PAD_TOP, "bottom": CHART_HEIGHT - CHART_PAD_BOTTOM,
        "polyline": " ".join(f"{px},{py}" for px, py in steps),
        "markers": markers,
        "high_label": f"{money(high)}{suffix}", "high_y": y(high),
        "low_label": f"{money(low)}{suffix}", "low_y": y(low),
        "start_label": date_format(timeline[0][0], "M j, Y"), "end_label": "Today",
        "summary": f"Asking price from {money(timeline[0][1])}{suffix} to {money(timeline[-1][1])}{suffix}",
    }


def _render(name: str, context: dict[str, Any]) -> SafeString:
    """The template ``name`` rendered with ``context``, plain values.

    Cards through a tag rather than ``{% include %}``: a page shows 8 to 24 of them, and an included card took
    about 0.25 ms, the largest part of a listing page's rendering (bench/load.sh). A page renders in the time
    it took when this tag built its cards with ``format_html`` (bench/listing_render.py).
    """
    return cast(SafeString, get_template(name).render(context))  # the engine's SafeString; its stubs say str
