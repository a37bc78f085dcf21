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


# Makes not written as plain title case.
_MAKE_NAMES = {"bmw": "BMW", "gmc": "GMC", "mini": "MINI", "fiat": "FIAT", "alfa-romeo": "Alfa Romeo",
               "aston-martin": "Aston Martin"}


def make_name(make: str) -> str:
    """A make as people write it: "honda" → "Honda", "bmw" → "BMW", "mercedes-benz" → "Mercedes-Benz"."""
    lowered = make.strip().lower()
    return _MAKE_NAMES.get(lowered) or lowered.title()


def model_name(model: str) -> str:
    """A model as people write it: words capitalized, codes in capitals ("civic ex" → "Civic EX", "f-150" →
    "F-150", "cr-v" → "CR-V", "rav4" → "RAV4"): a part with a digit, or of one or two letters, is a code."""
    def part_name(part: str) -> str:
        if any(character.isdigit() for character in part) or len(part) <= 2:
            return part.upper()
        return part.capitalize()

    return " ".join("-".join(part_name(part) for part in word.split("-")) for word in model.strip().lower().split())
