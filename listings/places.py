"""US states and ZIP codes: normalization and coordinates, offline (the ``zipcodes`` package)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import zipcodes

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "VI": "Virgin Islands", "GU": "Guam", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
_STATE_ALIASES = {
    "us virgin islands": "VI", "u.s. virgin islands": "VI", "washington dc": "DC", "washington d.c.": "DC",
    "d.c.": "DC",
}
_ZIP_PATTERN = re.compile(r"^\d{1,5}$")


@dataclass(frozen=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    lat: float
    lon: float


def state_code(value: str) -> str | None:
    """``"Puerto Rico"``, ``"pr"`` or ``"PR"`` → ``"PR"``; None when it names no state we serve."""
    text = " ".join(value.split()).strip()
    if text.upper() in STATE_NAMES:
        return text.upper()
    return _state_codes_by_name().get(text.lower())


@cache
def _state_codes_by_name() -> dict[str, str]:
    codes = {name.lower(): code for code, name in STATE_NAMES.items()}
    codes.update(_STATE_ALIASES)
    return codes


def zip_code_normalize(value: str) -> str | None:
    """``"601"`` → ``"00601"``, ``"00601-1234"`` and ``"601.0"`` too; None when not a ZIP code."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    text = text.split("-", 1)[0]
    if not _ZIP_PATTERN.match(text) or int(text) == 0:
        return None
    return text.zfill(5)


def zip_place(zip_code: str) -> ZipPlace | None:
    """The centroid and city of a 5-digit ZIP code, or None if the ZIP is unknown."""
    return _zip_places().get(zip_code)


def city_place(city: str, state: str) -> ZipPlace | None:
    """The first ZIP code of a city (by number): a stand-in centroid for rows without a ZIP."""
    return _city_places().get((city.lower(), state))


@cache
def _zip_places() -> dict[str, ZipPlace]:
    places = {}
    for row in zipcodes.list_all():
        places[row["zip_code"]] = ZipPlace(
            zip_code=row["zip_code"], city=row["city"], state=row["state"],
            lat=float(row["lat"]), lon=float(row["long"]),
        )
    return places


@cache
def _city_places() -> dict[tuple[str, str], ZipPlace]:
    places: dict[tuple[str, str], ZipPlace] = {}
    for place in sorted(_zip_places().values(), key=lambda place: place.zip_code):
        places.setdefault((place.city.lower(), place.state), place)
    return places


@cache
def standard_zip_places() -> tuple[ZipPlace, ...]:
    """Active, standard (street-delivery) ZIP codes in the states we serve, ordered by ZIP."""
    return tuple(
        ZipPlace(zip_code=row["zip_code"], city=row["city"], state=row["state"],
                 lat=float(row["lat"]), lon=float(row["long"]))
        for row in zipcodes.list_all()
        if row["active"] and row["zip_code_type"] == "STANDARD" and row["state"] in STATE_NAMES
    )
