"""Numbers as people write them in descriptions ("1,850", "2.5", "three", "45k", "about $350k"). No Django here.

The patterns here are pieces of the claim patterns, which read the lower-cased text; each piece names
its groups (``num``, ``mult``), so a claim pattern uses each piece once. A qualifier ("about",
"under") is read backwards from where a claim starts, which keeps the patterns fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from descriptions.vocabulary import NUMBER_WORDS

_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000}
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# Not glued to a longer number or word: "1,850" but not the "850" of it, nor the "250" of "F-250"
# ("F-250 miles" is no mileage of 250). After a slash it is: "3 bd/2 ba".
NUMBER = rf"(?<![\w.,$-])(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+|\b(?:{_WORDS})\b)"
MULTIPLIER = r"(?:\s?(?P<mult>k|thousand|mm|m|million)\b)?"
# Hedges say the writer rounded; bounds say the truth lies on one side. Read backwards from a number.
_QUALIFIER_BEFORE = re.compile(
    r"(?:\b(?P<hedge>about|approximately|approx\.?|around|roughly|nearly|almost|close\s+to|some)\b\s*|(?P<tilde>~)\s*"
    r"|\b(?P<upper>under|less\s+than|below|fewer\s+than|up\s+to|at\s+most|no\s+more\s+than)\s+"
    r"|\b(?P<lower>over|more\s+than|above|at\s+least|upwards\s+of)\s+)$"
)


@dataclass(frozen=True, slots=True)
class Qualifier:
    """What is written just before a number: ``kind`` "hedge" ("about", "~"), "upper" ("under"),
    "lower" ("over") or "" for none; ``words`` as written, lower case; ``start`` where it begins."""

    kind: str
    words: str
    start: int


def qualifier_before(lowered: str, start: int) -> Qualifier:
    """The qualifier written right before ``lowered[start:]``, if any."""
    found = _QUALIFIER_BEFORE.search(lowered, max(0, start - 24), start)
    if found is None:
        return Qualifier(kind="", words="", start=start)
    kind = found.lastgroup or ""
    words = "about" if kind == "tilde" else " ".join(found.group(kind).split())
    return Qualifier(kind="hedge" if kind == "tilde" else kind, words=words, start=found.start())


NO_QUALIFIER = Qualifier(kind="", words="", start=0)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as stated: ``unit`` is the precision of its digits (1 for "1,850", 0.01 for "0.25",
    1,000 for "45k"); ``rounded_unit`` the place of its last non-zero digit (1,000 for "45,000");
    ``rounded`` says the writer rounded ("about 45,000", "45k"); ``bound`` is "upper" for
    "under 50,000", "lower" for "over 100k", else ""."""

    value: float
    unit: float
    rounded_unit: float
    rounded: bool
    bound: str


def number_value(text: str) -> tuple[float, float, float]:
    """``"1,850"`` → (1850, 1, 10); ``"0.25"`` → (0.25, 0.01, 0.01); ``"three"`` → (3, 1, 1):
    the value, the precision of its digits and the place of its last non-zero digit."""
    word = NUMBER_WORDS.get(text.lower())
    if word is not None:
        return float(word), 1.0, 1.0
    digits = text.replace(",", "")
    whole, _, decimals = digits.partition(".")
    unit = 10.0 ** -len(decimals)
    significant = (whole + decimals).rstrip("0")
    trailing = len(whole + decimals) - len(significant) if significant else 0
    return float(digits), unit, unit * 10.0**trailing


def quantity(match: re.Match[str], qualifier: Qualifier = NO_QUALIFIER) -> Quantity:
    """The Quantity a claim pattern matched, from its ``num`` and optional ``mult`` groups."""
    groups = match.groupdict()
    value, unit, rounded_unit = number_value(groups["num"])
    multiplier = _MULTIPLIERS[groups["mult"]] if groups.get("mult") else 1
    bound = qualifier.kind if qualifier.kind in ("upper", "lower") else ""
    return Quantity(
        value=value * multiplier, unit=unit * multiplier, rounded_unit=rounded_unit * multiplier,
        rounded=qualifier.kind == "hedge" or multiplier > 1, bound=bound,
    )


def quantity_agrees(stated: Quantity, actual: float, *, relative: float = 0.01) -> bool:
    """Whether ``stated`` is a fair statement of ``actual``: on the right side of a bound; else within
    ``relative`` of it, or within what its writing can hold (half its last digit; for a rounded
    number one unit of its last non-zero digit, so "45k" covers 44,001–45,999 miles)."""
    if stated.bound == "upper":
        return actual <= stated.value
    if stated.bound == "lower":
        return actual >= stated.value
    tolerance = max(relative * abs(actual), stated.rounded_unit if stated.rounded else stated.unit / 2)
    return abs(stated.value - actual) <= tolerance * (1 + 1e-9)


def quantity_text(value: float) -> str:
    """``3.0`` → ``"3"``, ``2.5`` → ``"2.5"``, ``1850.0`` → ``"1,850"``: for messages."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def qualified(qualifier: Qualifier, text: str) -> str:
    """``text`` with the qualifier the claim was written with: "under 50,000", "about 1,800"."""
    return f"{qualifier.words} {text}" if qualifier.words else text


def plural(count: float, noun: str) -> str:
    """``plural(1, "bedroom")`` → ``"1 bedroom"``; ``plural(2.5, "bathroom")`` → ``"2.5 bathrooms"``."""
    return f"{quantity_text(count)} {noun}{'' if count == 1 else 's'}"
