"""Fact check: the claims a text makes (rooms, sizes, price, year, mileage, make, city, amenities, …)
compared with a listing's facts. No Django here.

A claim that contradicts a fact is *wrong* ("Says 4 bedrooms; the listing has 3."); a claim of
something the facts do not hold is *unsupported* ("…; the listing does not give …"). Amenities are
never in our data, so every amenity is unsupported.
"""

from __future__ import annotations

from descriptions.checks import car_claims as car
from descriptions.checks import home_claims as home
from descriptions.checks import place_claims as place
from descriptions.checks.amenities import CAR_AMENITIES, HOME_AMENITIES, amenity_claims
from descriptions.checks.claim import Claim
from descriptions.checks.findings import FACT, Finding
from descriptions.checks.numbers import NO_QUALIFIER, qualifier_before
from descriptions.facts import ListingFacts

# Earlier claims take their span first: "$150 per sq ft" is a price per square foot, not a size, and
# "30 miles per gallon" is fuel economy, not mileage.
_COMMON = (
    Claim(home.COMPARISON, home.comparison_judge, ("comparable",)),
    Claim(home.PRICE, home.price_judge, ("$",), qualified=True),
    Claim(car.MPG, car.mpg_judge, ("mpg", "gallon"), qualified=True),
    Claim(home.SQUARE_FEET, home.square_feet_judge, ("sq", "sf", "square", "ft"), qualified=True),
    Claim(home.ACRES, home.acres_judge, ("acre",), qualified=True),
    Claim(home.ACRE_WORDS, home.acre_words_judge, ("acre",)),
    Claim(home.BATHS, home.baths_judge, ("ba", "bth"), qualified=True),
    Claim(home.HALF_BATH, home.half_bath_judge, ("half",)),
    Claim(home.BEDS, home.beds_judge, ("bd", "bed", "br"), qualified=True),
    Claim(car.MILES, car.miles_judge, ("mi",), qualified=True),
    Claim(car.ODOMETER, car.odometer_judge, ("odometer", "mileage")),
    Claim(home.SOLD, home.sold_judge, ("sold", "changed", "purchased", "bought")),
    Claim(home.BUILT, home.built_judge, ("built", "constructed", "erected", "renovated", "remodel", "updated",
                                         "replaced")),
    Claim(car.MODEL_YEAR, car.model_year_judge, ("19", "20"), span_group="year", cased=True),
    Claim(car.MODEL_YEAR_LABELLED, car.model_year_judge, ("year",)),
    Claim(place.ZIP, place.zip_judge, ("zip",)),
    Claim(car.CONDITION, car.condition_judge, ("condition",)),
    Claim(home.FOR_SALE, home.for_sale_judge, ("sale", "purchase")),
    Claim(home.FOR_RENT, home.for_rent_judge, ("rent", "lease")),
)
# Only a car's text is read for these: "gas stove", "automatic gate" or "compact kitchen" in a home's
# description say nothing about a fuel, a transmission or a size class.
_CAR_ONLY = (
    Claim(car.MAKE, car.make_judge, span_group="claim", cased=True),
    Claim(car.TITLE_STATUS, car.title_status_judge, ("title", "parts")),
    Claim(car.FUEL, car.fuel_judge, ("hybrid", "diesel", "gas", "electric", "ev")),
    Claim(car.TRANSMISSION, car.transmission_judge, ("automatic", "manual", "stick", "cvt")),
    Claim(car.DRIVE, car.drive_judge, ("wd", "4x4", "wheel")),
    Claim(car.CYLINDERS, car.cylinders_judge),
    Claim(car.SIZE, car.size_judge, ("size", "compact")),
    Claim(car.BODY, car.body_judge, ("pickup", "truck", "sedan", "suv", "coupe", "hatchback", "wagon", "van",
                                     "convertible", "off", "bus")),
    Claim(car.COLOR, car.color_judge),
)
_CITY = Claim(place.CITY, place.city_judge, ("in",), span_group="place", cased=True)
HOME_CLAIMS = (*_COMMON, _CITY, *amenity_claims(HOME_AMENITIES))
CAR_CLAIMS = (*_COMMON, *_CAR_ONLY, _CITY, *amenity_claims(CAR_AMENITIES))


def fact_check(text: str, facts: ListingFacts) -> list[Finding]:
    """Every claim in ``text`` that ``facts`` contradict or do not hold, in text order.

    The listing's own model and city names are not read for claims ("F-150 4x4" is the model, not a
    drive claim; "Lake Elsinore" is the city, not a lake view).
    """
    lowered = _lower(text)
    protected = _own_names(lowered, facts)
    taken: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for claim in CAR_CLAIMS if facts.kind == "car" else HOME_CLAIMS:
        if claim.triggers and not any(trigger in lowered for trigger in claim.triggers):
            continue
        for match in claim.pattern.finditer(text if claim.cased else lowered):
            start, end = match.span(claim.span_group) if claim.span_group else match.span()
            qualifier = qualifier_before(lowered, start) if claim.qualified else NO_QUALIFIER
            start = min(start, qualifier.start) if qualifier.words else start
            if _inside(protected, start) or _overlaps(taken, start, end):
                continue
            taken.append((start, end))
            message = claim.judge(match, facts, qualifier)
            if message is not None:
                findings.append(Finding(kind=FACT, start=start, end=end, span=text[start:end], message=message))
    findings.sort(key=lambda finding: finding.start)
    return findings


def _lower(text: str) -> str:
    """``text`` in lower case, character for character, so that offsets stay those of ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(character if len(character.lower()) != 1 else character.lower() for character in text)


def _own_names(lowered: str, facts: ListingFacts) -> list[tuple[int, int]]:
    """Where the listing's model and city appear in the text as whole words."""
    spans = []
    for name in (facts.model.lower(), facts.city.lower()):
        if len(name) < 2:
            continue
        start = lowered.find(name)
        while start >= 0:
            end = start + len(name)
            if (start == 0 or not lowered[start - 1].isalnum()) and (end == len(lowered) or not lowered[end].isalnum()):
                spans.append((start, end))
            start = lowered.find(name, end)
    return spans


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    return any(start <= position < end for start, end in spans)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < taken_end and taken_start < end for taken_start, taken_end in spans)
