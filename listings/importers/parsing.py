"""Pure text → value helpers for the importers: numbers, dates, titles. No Django here.

Every ``parse_*`` function returns None for a blank cell and raises :class:`Unreadable`
for text that is not what it should be, so the caller can reject the row with a reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

MAX_WHOLE_DIGITS = 18
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_WORD_START = re.compile(r"(^|[\s/(-])([a-z])")

MAKE_NAMES = {
    "alfa-romeo": "Alfa Romeo", "alfa romeo": "Alfa Romeo", "aston-martin": "Aston Martin",
    "aston martin": "Aston Martin", "bmw": "BMW", "gmc": "GMC", "harley-davidson": "Harley-Davidson",
    "land rover": "Land Rover", "mercedes-benz": "Mercedes-Benz", "mercedes": "Mercedes-Benz",
    "mini": "MINI", "ram": "Ram", "rover": "Land Rover", "vw": "Volkswagen", "fiat": "FIAT",
    "mclaren": "McLaren", "ds": "DS",
}
# Model words written in capitals (trim levels, drive types, names that are initials).
_UPPER_WORDS = frozenset({
    "4wd", "2wd", "awd", "fwd", "rwd", "amg", "crv", "cr-v", "hr-v", "br-v", "cx", "gt", "gti", "gts",
    "gtx", "hd", "lx", "ex", "ex-l", "dx", "le", "xle", "se", "sel", "sle", "slt", "lt", "ltz", "ls", "xl",
    "xlt", "sr", "sr5", "srt", "ss", "st", "sv", "sl", "trd", "rs", "rt", "r/t", "sx", "tdi", "tsi", "v6",
    "v8", "z71", "zr2", "ev", "phev", "suv", "usa", "drw", "srw", "ii", "iii", "iv",
    # models named by initials
    "mdx", "rdx", "tlx", "tsx", "ilx", "rlx", "nsx", "tl", "cts", "ats", "xts", "srx", "dts", "gto", "wrx", "sti",
    "brz", "fr-s", "xj", "xf", "xk", "gs", "rx", "nx", "gx", "qx", "fx", "jx", "rc", "gl", "glk",
    "ml", "slk", "clk", "cls", "sls", "gla", "glc", "gle", "gls", "cla", "mx-5", "crz", "cr-z",
})


class Unreadable(ValueError):
    """The cell holds text that cannot be read as the value the column needs."""


def parse_decimal(text: str) -> Decimal | None:
    """``"105000"``, ``"2005.0"``, ``" 2.5 "`` → Decimal; blank → None; anything else is Unreadable."""
    text = text.strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        raise Unreadable(f"unreadable number {text!r}")
    return Decimal(text)


def parse_float(text: str) -> float | None:
    value = parse_decimal(text)
    return None if value is None else float(value)


def parse_whole(text: str) -> int | None:
    """A whole number, also written as ``"2005.0"``; ``"3.5"`` is Unreadable."""
    value = parse_decimal(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise Unreadable(f"not a whole number {text.strip()!r}")
    return _whole(value, text)


def parse_rounded(text: str) -> int | None:
    """A quantity rounded to the nearest whole unit (``"1450.6"`` sqft → 1451)."""
    value = parse_decimal(text)
    return None if value is None else _whole(value.to_integral_value(rounding=ROUND_HALF_UP), text)


def _whole(value: Decimal, text: str) -> int:
    # Python refuses to print an int of more than 4,300 digits (a ValueError in any message naming it), and
    # no column holds more than 18.
    if value.adjusted() >= MAX_WHOLE_DIGITS:
        raise Unreadable(f"number too large {text.strip()!r}")
    return int(value)


def parse_date(text: str) -> date | None:
    """``"6/28/2019"`` (M/D/YYYY), ``"2019-06-28"`` or an ISO date-time (its date) → date."""
    text = text.strip()
    if not text:
        return None
    us_date = _US_DATE.match(text)
    try:
        if us_date:
            month, day, year = (int(part) for part in us_date.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).date()
    except ValueError as error:
        raise Unreadable(f"unreadable date {text!r}") from error


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time (``"2021-04-19T11:46:44-0500"``) or a date → an aware datetime in UTC; naive is UTC.
    A moment outside years 1–9999 in UTC is Unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        day = parse_date(text)
        assert day is not None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python reads up to ±23:59. "0001-01-01T00:00+05:00"
    # is before year 1 in UTC: PostgreSQL would store it, and nothing could read it back.
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise Unreadable(f"date-time out of range {text!r}") from error


def number_text(value: Decimal | float | int) -> str:
    """``Decimal("2.0")`` → ``"2"``, ``2.5`` → ``"2.5"``, ``0.12`` → ``"0.12"``: no trailing zeros."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return f"{value:g}"


def content_id(values: Iterable[str]) -> str:
    """A stable 32-hex-digit id for rows that carry none: blake2b of the normalized values."""
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


def place_text(*, city: str, state: str, zip_code: str = "") -> str:
    """``"Ponce, PR"``; ``"00731, PR"`` when the city is unknown."""
    return f"{city or zip_code}, {state}" if (city or zip_code) else state


def home_title(
    *, bed: int | None, bath: Decimal | None, acre_lot: float | None, house_size: int | None, place: str,
    noun: str = "house",
) -> str:
    """``"3 bd, 2 ba house in Ponce, PR"``; ``"0.5-acre lot in Ponce, PR"`` for land (no rooms, no size)."""
    rooms = [f"{bed} bd" if bed is not None else "", f"{number_text(bath)} ba" if bath is not None else ""]
    described = ", ".join(part for part in rooms if part)
    if described:
        return f"{described} {noun} in {place}"
    if house_size:
        return f"{house_size:,} sqft {noun} in {place}"
    if acre_lot:
        return f"{number_text(acre_lot)}-acre lot in {place}"
    return f"{noun.capitalize()} in {place}"


def make_display(make: str) -> str:
    """``"gmc"`` → ``"GMC"``, ``"mercedes-benz"`` → ``"Mercedes-Benz"``, ``"ford"`` → ``"Ford"``."""
    text = " ".join(make.split())
    known = MAKE_NAMES.get(text.lower())
    if known:
        return known
    return text if any(letter.isupper() for letter in text) else words_capitalize(text)


def model_display(model: str) -> str:
    """``"transit connect titanium"`` → ``"Transit Connect Titanium"``, ``"f-150 xlt"`` → ``"F-150 XLT"``."""
    text = " ".join(model.split())
    if any(letter.isupper() for letter in text):
        return text  # already cased by a person: keep it
    return " ".join(_model_word(word) for word in text.split(" "))


def _model_word(word: str) -> str:
    if word in _UPPER_WORDS:
        return word.upper()
    if not any(character.isdigit() for character in word):
        return "-".join(part.upper() if part in _UPPER_WORDS else part.capitalize() for part in word.split("-"))
    if word[0].isalpha():
        return word.upper()  # q5, rav4, f-150, cx-5, e350
    digits = len(word) - len(word.lstrip("0123456789"))
    suffix = word[digits:]
    if suffix in _UPPER_WORDS:
        return word[:digits] + suffix.upper()  # 2500hd
    return word[:digits] + suffix.capitalize() if len(suffix) >= 3 else word  # 4runner, but 328i


def car_title(*, year: int | None, make: str, model: str) -> str:
    """``"2016 Ford Transit Connect Titanium"``."""
    parts = [str(year) if year else "", make_display(make), model_display(model)]
    return " ".join(part for part in parts if part)


def words_capitalize(text: str) -> str:
    """Capitalize each word, also after ``-``, ``/`` and ``(``: ``"seattle-tacoma"`` → ``"Seattle-Tacoma"``."""
    return _WORD_START.sub(lambda match: match.group(1) + match.group(2).upper(), text.lower())
