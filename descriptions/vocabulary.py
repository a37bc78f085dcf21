"""How facts are named in words, shared by the engines that write them and the checks that read them.
No Django here."""

from __future__ import annotations

import unicodedata

from listings.places import STATE_NAMES

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
# Craigslist's drive values; AWD is filed under 4wd there.
DRIVE_NAMES = {"4wd": "four-wheel drive", "fwd": "front-wheel drive", "rwd": "rear-wheel drive"}
# Body types as words in a sentence ("this full-size truck"); "other" says nothing, so it has none.
BODY_NOUNS = {
    "sedan": "sedan", "suv": "SUV", "truck": "truck", "pickup": "pickup", "coupe": "coupe",
    "hatchback": "hatchback", "van": "van", "convertible": "convertible", "mini-van": "minivan",
    "wagon": "wagon", "offroad": "off-road vehicle", "bus": "bus",
}
# Values that say nothing: a description must not turn them into a claim.
UNKNOWN_VALUES = frozenset({"", "other", "unknown", "n/a"})
# A price per square foot within this many percent of comparable listings' median is "in line" with
# them; beyond it the difference is stated in whole percent.
PRICE_IN_LINE_PERCENT = 3.0


def state_name(code: str) -> str:
    """``"PR"`` → ``"Puerto Rico"``; a code we do not know stays as it is."""
    return STATE_NAMES.get(code.upper(), code)


def place_key(text: str) -> tuple[str, ...]:
    """``"Bayamón, PR"`` → ``("bayamon", "pr")``: words without accents or punctuation, for comparing places."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple("".join(character if character.isalnum() else " " for character in plain).split())


def known(value: str) -> bool:
    """Whether a text fact holds a value worth stating."""
    return value.strip().lower() not in UNKNOWN_VALUES


def percent_above(*, price: float, house_size: float, median: float) -> float:
    """How many percent this price per square foot lies above ``median`` (negative: below)."""
    return (price / house_size / median - 1) * 100
