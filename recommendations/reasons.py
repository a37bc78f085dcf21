"""One-line reasons a person understands for why a listing is similar to another, from facts only."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Protocol

EARTH_RADIUS_KM = 6371.0


class Facts(Protocol):
    kind: str
    city: str
    state: str
    price: Decimal
    lat: float | None
    lon: float | None
    bed: int | None
    bath: Decimal | None
    make: str
    model: str
    year: int | None
    odometer: int | None
    body_type: str


def similarity_reason(source: Facts, target: Facts) -> str:
    """E.g. "same city · 3 bd · price within 8 %" or "same make · 2016 · 40 km away · price within 5 %"."""
    parts = [_place(source, target)]
    if source.kind == "home":
        if target.bed is not None:
            parts.append(f"{target.bed} bd")
        if target.bath is not None:
            parts.append(f"{_number(target.bath)} ba")
    else:
        if target.make and target.make.lower() == source.make.lower():
            same_model = target.model and target.model.lower() == source.model.lower()
            parts.append("same model" if same_model else "same make")
        elif target.body_type and target.body_type == source.body_type:
            parts.append(f"also a {target.body_type}")
        if target.year is not None:
            parts.append(str(target.year))
    parts.append(_price(source, target))
    return " · ".join(part for part in parts if part)


def _place(source: Facts, target: Facts) -> str:
    if source.city and target.city.lower() == source.city.lower() and target.state == source.state:
        return "same city"
    distance = distance_km(source, target)
    if distance is not None and distance < 100:
        return f"{distance:.0f} km away"
    return "same state" if target.state == source.state else f"in {target.state}"


def _price(source: Facts, target: Facts) -> str:
    if not source.price:
        return ""
    difference = abs(float(target.price) - float(source.price)) / float(source.price)
    if difference < 0.005:
        return "same price"
    direction = "lower" if target.price < source.price else "higher"
    if difference <= 0.25:
        return f"price within {math.ceil(difference * 100)} %"
    return f"price {difference * 100:.0f} % {direction}"


def distance_km(source: Facts, target: Facts) -> float | None:
    if None in (source.lat, source.lon, target.lat, target.lon):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (source.lat, source.lon, target.lat, target.lon))  # type: ignore[arg-type]
    haversine = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(haversine))


def _number(value: Decimal) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")
