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


def money_short(amount: float, *, per_month: bool = False) -> str:
    """E.g. "$250k", "$1.2M", "$950", "$1.8k/mo"."""
    suffix = "/mo" if per_month else ""
    if amount >= 999_500:
        return f"${amount / 1_000_000:.1f}M{suffix}".replace(".0M", "M")
    if amount >= 10_000:
        return f"${amount / 1000:.0f}k{suffix}"
    if amount >= 1000:
        return f"${amount / 1000:.1f}k{suffix}".replace(".0k", "k")
    return f"${amount:.0f}{suffix}"


def feed_reason(
    *, anchor_title: str | None, target_price: float | None, budget_is_set: bool, per_month: bool,
    price_fits: bool, is_new: bool, viewed_next_after: str | None = None,
) -> str:
    """Why an item is in a person's feed, e.g. "Because you viewed 12 Oak St · Within your ~$250k budget".
    An item the next-item model mainly recommends names the last listing the person looked at instead:
    "People who viewed 12 Oak St next looked at this"."""
    parts = []
    if viewed_next_after:
        parts.append(f"People who viewed {_shorten(viewed_next_after)} next looked at this")
    elif anchor_title:
        parts.append(f"Because you viewed {_shorten(anchor_title)}")
    if target_price is not None and price_fits:
        price = money_short(target_price, per_month=per_month)
        parts.append(f"Within your ~{price} budget" if budget_is_set else f"Near the ~{price} you have been viewing")
    if is_new:
        parts.append("New this week")
    return " · ".join(parts) or "Like what you have been viewing"


def _shorten(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def profile_describe(
    *, kind_plural: str, listings: int, sale_weight: float, rent_weight: float, target_sale: float | None,
    target_rent: float | None, chosen_intent: str, favourites: list[str],
) -> list[str]:
    """A profile in words, e.g. ["You look mostly at homes for sale (84 % of your recent interest).", …]."""
    sentences = []
    if not listings:
        sentences.append(f"We don't know which {kind_plural} you like yet: open a few and this feed follows you.")
    total = sale_weight + rent_weight
    if total > 0:
        sale_share = sale_weight / total
        if sale_share >= 0.5:
            sentences.append(f"You look mostly at {kind_plural} for sale ({sale_share:.0%} of your recent interest).")
        else:
            sentences.append(f"You look mostly at {kind_plural} for rent ({1 - sale_share:.0%} of your recent interest).")
    if chosen_intent:
        sentences.append(f"You told us you are {_INTENT_WORDS[chosen_intent]}: that wins over what we infer.")
    if target_sale is not None:
        sentences.append(f"The {kind_plural} for sale you view centre on ~{money_short(target_sale)}.")
    if target_rent is not None:
        sentences.append(f"The {kind_plural} for rent you view centre on ~{money_short(target_rent, per_month=True)}.")
    if favourites:
        sentences.append("Lately you were most interested in " + "; ".join(_shorten(t) for t in favourites) + ".")
    return sentences


_INTENT_WORDS = {"buyer": "buying", "renter": "renting", "hybrid": "both buying and renting"}
