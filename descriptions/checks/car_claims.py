"""Claims about a car: model year, make and model, mileage, condition, powertrain, body, colour and
title. No Django here.

Patterns read the lower-cased text, except ``MODEL_YEAR`` and ``MAKE``, which need capitals. Each
``*_judge`` takes a match of its pattern, the facts and the qualifier written before the claim, and
returns the finding's message, or None when the facts back the claim.
"""

from __future__ import annotations

import re

from descriptions.checks.numbers import MULTIPLIER, NUMBER, Qualifier, qualified, quantity, quantity_agrees
from descriptions.facts import ListingFacts
from descriptions.vocabulary import DRIVE_NAMES, NUMBER_WORDS, known

MPG = re.compile(NUMBER + r"[\s-]*(?:mpg\b|miles\s+per\s+gallon\b)")
MILES = re.compile(
    NUMBER + MULTIPLIER
    + r"[\s-]*(?:miles?\b|mi\b)(?P<away>\s+(?:from|to|away|of|north|south|east|west|outside|out)\b)?"
)
ODOMETER = re.compile(
    r"\b(?:odometer|mileage)(?:\s+(?:reads?|reading|shows?|of|is|at))?\s*:?\s*" + NUMBER + MULTIPLIER
    + r"(?!\s*(?:miles?|mi)\b)"
)
# "2018 Ford", "this 2018 model", "model year 2018"; a bare number is no model year ("in 2018 we …").
MODEL_YEAR = re.compile(r"(?<![\w$.,/#-])(?P<year>(?:19|20)\d{2})(?![\w,.]?\d)(?=\s+(?:[Mm]odel\b|[A-Z]))")
MODEL_YEAR_LABELLED = re.compile(r"\b(?:model\s+)?year\s*:?\s+(?P<year>(?:19|20)\d{2})\b")
_NOT_A_MODEL_YEAR = re.compile(r"\b(?:in|since|from|until|by|of|through)\s+$", re.IGNORECASE)
CONDITION = re.compile(
    r"\b(?P<condition>like[\s-]new|brand[\s-]new|new|excellent|good|fair|poor|rough|mint|salvage|great|perfect)"
    r"\s+(?:overall\s+)?condition\b"
    r"|\bcondition\s*(?::|is)\s*(?P<labelled>like[\s-]new|brand[\s-]new|new|excellent|good|fair|poor|salvage)\b"
)
_CONDITIONS_BACKED = {
    "new": {"new"}, "brand new": {"new"}, "like new": {"like new", "new"}, "mint": {"like new", "new"},
    "perfect": {"like new", "new"}, "excellent": {"excellent", "like new", "new"},
    "great": {"excellent", "like new", "new"}, "good": {"good", "excellent", "like new", "new"}, "fair": {"fair"},
    "poor": {"fair", "salvage"}, "rough": {"fair", "salvage"}, "salvage": {"salvage"},
}

# Makes as written (capitalized or in capitals, so "ram" and "mini" in a sentence are no make) → the
# make's key (lower case, spaces for hyphens). The model is the capitalized word after the make.
_MAKES = {
    "Acura": "acura", "Alfa Romeo": "alfa romeo", "Aston Martin": "aston martin", "Audi": "audi",
    "Bentley": "bentley", "BMW": "bmw", "Buick": "buick", "Cadillac": "cadillac", "Chevrolet": "chevrolet",
    "Chevy": "chevrolet", "Chrysler": "chrysler", "Datsun": "datsun", "Dodge": "dodge", "Ferrari": "ferrari",
    "Fiat": "fiat", "Ford": "ford", "Genesis": "genesis", "GMC": "gmc", "Harley-Davidson": "harley davidson",
    "Honda": "honda", "Hummer": "hummer", "Hyundai": "hyundai", "Infiniti": "infiniti", "Isuzu": "isuzu",
    "Jaguar": "jaguar", "Jeep": "jeep", "Kia": "kia", "Lamborghini": "lamborghini", "Land Rover": "land rover",
    "Range Rover": "land rover", "Lexus": "lexus", "Lincoln": "lincoln", "Maserati": "maserati", "Mazda": "mazda",
    "McLaren": "mclaren", "Mercedes-Benz": "mercedes benz", "Mercedes Benz": "mercedes benz",
    "Mercedes": "mercedes benz", "Mercury": "mercury", "Mini": "mini", "Mitsubishi": "mitsubishi",
    "Nissan": "nissan", "Oldsmobile": "oldsmobile", "Plymouth": "plymouth", "Polestar": "polestar",
    "Pontiac": "pontiac", "Porsche": "porsche", "Ram": "ram", "Rivian": "rivian", "Rolls-Royce": "rolls royce",
    "Saab": "saab", "Saturn": "saturn", "Scion": "scion", "Subaru": "subaru", "Suzuki": "suzuki",
    "Tesla": "tesla", "Toyota": "toyota", "Volkswagen": "volkswagen", "VW": "volkswagen", "Volvo": "volvo",
}
_MAKE_KEYS = {**_MAKES, **{name.upper(): key for name, key in _MAKES.items()}}
_MAKE_ALIASES = {"chevy": "chevrolet", "vw": "volkswagen", "mercedes": "mercedes benz", "rover": "land rover"}
MAKE = re.compile(
    r"(?<![\w-])(?=[A-Z])(?P<claim>(?P<make>" + "|".join(sorted(map(re.escape, _MAKE_KEYS), key=len, reverse=True))
    + r")(?![\w-])(?:\s+(?P<model>[A-Z0-9][\w-]*))?)"
)
_NOT_MODELS = frozenset({"a", "an", "the", "in", "is", "it", "for", "with", "and", "this", "that", "at", "i"})

TITLE_STATUS = re.compile(
    r"\b(?P<status>clean|clear|salvaged?|rebuilt|reconstructed|branded|lien|missing)\s+title\b"
    r"|\btitle(?:\s+status)?\s*(?::|is)\s*(?P<labelled>clean|clear|salvage|rebuilt|lien|missing|parts\s+only)\b"
    r"|\b(?P<parts>parts\s+only)\b"
)
_TITLES_BACKED = {
    "clean": {"clean"}, "clear": {"clean"}, "salvage": {"salvage"}, "salvaged": {"salvage"}, "rebuilt": {"rebuilt"},
    "reconstructed": {"rebuilt"}, "branded": {"rebuilt", "salvage"}, "lien": {"lien"}, "missing": {"missing"},
    "parts only": {"parts only"},
}
FUEL = re.compile(
    r"\b(?P<fuel>plug-in\s+hybrid|hybrid|diesel|gasoline|gas|electric|ev)\b(?!\s+(?:station|stations|stove|range"
    r"|windows?|seats?|mirrors?|locks?|fireplace|heat|heater|water|bills?|prices?|mileage|cap|tank|pedal|steering))"
)
_FUELS = {"plug-in hybrid": "hybrid", "hybrid": "hybrid", "diesel": "diesel", "gasoline": "gas", "gas": "gas",
          "electric": "electric", "ev": "electric"}
TRANSMISSION = re.compile(
    r"(?<!owner's\s)(?<!owners\s)(?<!owner’s\s)\b(?P<transmission>automatic|manual|stick[\s-]shift|cvt)\b"
    r"(?!\s+(?:windows?|locks?|seats?|mirrors?|headlights|climate|wipers|doors?|lift\s?gate|tailgate|sliding))"
)
_TRANSMISSIONS = {"automatic": "automatic", "cvt": "automatic", "manual": "manual", "stick shift": "manual",
                  "stick-shift": "manual"}
DRIVE = re.compile(
    r"\b(?P<drive>awd|4wd|4x4|4\s?wd|(?:four|4|all)[\s-]wheel[\s-]drive|fwd|front[\s-]wheel[\s-]drive|rwd"
    r"|rear[\s-]wheel[\s-]drive|2wd|(?:two|2)[\s-]wheel[\s-]drive)\b"
)
CYLINDERS = re.compile(
    r"\b[vilw](?P<engine>\d{1,2})\b"
    r"|(?<![\w.,-])(?P<count>\d{1,2}|three|four|five|six|eight|ten|twelve)[\s-]cyl(?:inders?\b|\.|\b)"
)
_ENGINE_CYLINDERS = frozenset({2, 3, 4, 5, 6, 8, 10, 12, 16})
SIZE = re.compile(r"\b(?P<size>full[\s-]?sized?|mid[\s-]?sized?|sub[\s-]?compact|compact)\b")
_SIZES_BACKED = {
    "full": {"full-size"}, "mid": {"mid-size"}, "sub": {"sub-compact"}, "compact": {"compact", "sub-compact"},
}
BODY = re.compile(
    r"\b(?P<body>pickup(?:\s+truck)?|truck|sedan|suv|coupe|hatchback|station\s+wagon|wagon|mini-?van|van|convertible"
    r"|off-?road(?:er)?|bus(?!\s+(?:stops?|lines?|routes?|stations?)))\b"
)
_BODIES_BACKED = {
    "pickup": {"pickup", "truck"}, "truck": {"pickup", "truck"}, "sedan": {"sedan"}, "suv": {"suv"},
    "coupe": {"coupe"}, "hatchback": {"hatchback"}, "wagon": {"wagon"}, "minivan": {"mini-van"},
    "van": {"van", "mini-van"}, "convertible": {"convertible"}, "offroad": {"offroad", "truck", "pickup", "suv"},
    "bus": {"bus"},
}
_COLORS = (r"white|black|silver|grey|gray|charcoal|blue|red|maroon|burgundy|brown|tan|beige|green|yellow|gold|orange"
           r"|purple")
COLOR = re.compile(
    rf"\b(?P<color>{_COLORS})\b(?=\s+(?:paint|paintwork|exterior|finish|colou?r|body|car|truck|sedan|suv|coupe"
    r"|hatchback|wagon|van|minivan|mini-van|convertible|pickup|vehicle)\b)"
    rf"|\b(?:painted|finished|paint(?:ed)?\s+in|colou?r\s*(?::|is))\s+(?:in\s+)?(?P<labelled>{_COLORS})\b"
)
_COLOR_NAMES = {"gray": "grey", "charcoal": "grey", "maroon": "red", "burgundy": "red", "tan": "brown",
                "beige": "brown", "gold": "yellow"}


def mpg_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    return f"Says {qualified(qualifier, ' '.join(match.group(0).split()))}; the listing does not give fuel economy."


def miles_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    said = f"Says {qualified(qualifier, f'{stated.value:,.0f}')} miles"
    if match.group("away") or facts.kind != "car":
        return f"{said}; the listing gives no distances."
    return _mileage_verdict(match, qualifier, said, facts)


def odometer_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    return _mileage_verdict(match, qualifier, f"Says {qualified(qualifier, f'{stated.value:,.0f}')} miles", facts)


def _mileage_verdict(match: re.Match[str], qualifier: Qualifier, said: str, facts: ListingFacts) -> str | None:
    if facts.odometer is None:
        return f"{said}; the listing does not give the mileage."
    if quantity_agrees(quantity(match, qualifier), facts.odometer):
        return None
    return f"{said}; the listing has {facts.odometer:,}."


def model_year_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    start = match.start("year")
    if _NOT_A_MODEL_YEAR.search(match.string, max(0, start - 8), start):
        return None
    year = int(match.group("year"))
    said = f"Says model year {year}"
    if facts.year is None:
        return f"{said}; the listing does not give a model year."
    return None if facts.year == year else f"{said}; the listing has {facts.year}."


def make_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    make = _make_key(_MAKE_KEYS[match.group("make")])
    if not facts.make:
        return f"Says {match.group('make')}; the listing does not give the make."
    if make != _make_key(facts.make):
        return f"Says {match.group('make')}; the car is a {facts.make}."
    model = match.group("model")
    if model is None or model.lower() in _NOT_MODELS:
        return None
    words = {_model_key(word) for word in facts.model.split()}
    if _model_key(model) in words or facts.model.lower().startswith(model.lower()):
        return None
    return f"Says {match.group('make')} {model}; the car is a {facts.make} {facts.model}."


def _make_key(make: str) -> str:
    key = " ".join(make.lower().replace("-", " ").split())
    return _MAKE_ALIASES.get(key, key)


def _model_key(word: str) -> str:
    return word.lower().replace("-", "")


def condition_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = " ".join((match.group("condition") or match.group("labelled")).replace("-", " ").split())
    said = f"Says {stated} condition"
    if not known(facts.condition):
        return f"{said}; the listing does not give the condition."
    if facts.condition.lower() in _CONDITIONS_BACKED[stated]:
        return None
    return f"{said}; the listing gives {facts.condition}."


def title_status_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = " ".join((match.group("status") or match.group("labelled") or match.group("parts")).split())
    said = f"Says title status {stated}"
    if not known(facts.title_status):
        return f"{said}; the listing does not give the title status."
    if facts.title_status.lower() in _TITLES_BACKED[stated]:
        return None
    return f"{said}; the listing has {facts.title_status}."


def fuel_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = _FUELS[" ".join(match.group("fuel").split())]
    return _choice_verdict(said=f"Says {stated}", noun="fuel", stated={stated}, actual=facts.fuel)


def transmission_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = _TRANSMISSIONS[" ".join(match.group("transmission").split())]
    return _choice_verdict(
        said=f"Says {stated} transmission", noun="transmission", stated={stated}, actual=facts.transmission,
    )


def drive_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = match.group("drive").replace("-", " ")
    if text.startswith(("front", "fwd")):
        stated, said = {"fwd"}, DRIVE_NAMES["fwd"]
    elif text.startswith(("rear", "rwd")):
        stated, said = {"rwd"}, DRIVE_NAMES["rwd"]
    elif text.startswith(("2", "two")):
        stated, said = {"fwd", "rwd"}, "two-wheel drive"
    else:
        stated, said = {"4wd"}, "all- or four-wheel drive"
    actual = DRIVE_NAMES.get(facts.drive.lower(), facts.drive)
    return _choice_verdict(said=f"Says {said}", noun="drive", stated=stated, actual=facts.drive, actual_text=actual)


def cylinders_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = match.group("engine") or match.group("count")
    count = int(text) if text.isdigit() else NUMBER_WORDS[text]
    if count not in _ENGINE_CYLINDERS:
        return None  # "I5" is a road, "W1" no engine
    said = f"Says {count} cylinders"
    actual = facts.cylinders.split()[0] if facts.cylinders else ""
    if not actual.isdigit():
        return f"{said}; the listing does not give the cylinders."
    return None if int(actual) == count else f"{said}; the listing has {actual}."


def size_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = match.group("size")
    key = next(prefix for prefix in ("full", "mid", "sub", "compact") if text.startswith(prefix))
    return _choice_verdict(said=f"Says {text}", noun="size class", stated=_SIZES_BACKED[key], actual=facts.size)


def body_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = " ".join(match.group("body").split())
    key = "wagon" if text.startswith("station") else text.split()[0].replace("-", "")
    key = "offroad" if key.startswith("offroad") else key
    text = "SUV" if text == "suv" else text
    return _choice_verdict(said=f"Says {text}", noun="body type", stated=_BODIES_BACKED[key], actual=facts.body_type)


def color_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = match.group("color") or match.group("labelled")
    stated = _COLOR_NAMES.get(text, text)
    actual = "" if facts.paint_color.lower() == "custom" else facts.paint_color
    return _choice_verdict(said=f"Says {text} paint", noun="colour", stated={stated}, actual=actual)


def _choice_verdict(*, said: str, noun: str, stated: set[str], actual: str, actual_text: str = "") -> str | None:
    if not known(actual):
        return f"{said}; the listing does not give the {noun}."
    if actual.lower() in stated:
        return None
    return f"{said}; the listing has {actual_text or actual}."
