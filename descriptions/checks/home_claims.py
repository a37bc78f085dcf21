"""Claims about rooms, sizes, the price, the offer and past sales. No Django here.

Patterns read the lower-cased text. Each ``*_judge`` takes a match of its pattern, the facts and the
qualifier written before the claim, and returns the finding's message, or None when the facts back
the claim.
"""

from __future__ import annotations

import math
import re

from descriptions.checks.numbers import (
    MULTIPLIER,
    NUMBER,
    Qualifier,
    Quantity,
    plural,
    qualified,
    quantity,
    quantity_agrees,
    quantity_text,
)
from descriptions.facts import ListingFacts
from descriptions.vocabulary import PRICE_IN_LINE_PERCENT, percent_above

BEDS = re.compile(NUMBER + r"[\s-]*(?:bed(?:room)?s?|bdrms?|bds?|brs?)\b")
BATHS = re.compile(
    NUMBER + r"(?P<half>\s+and\s+a\s+half|\s?½|\s+1/2)?[\s-]*(?:(?P<full>full)|(?P<halves>half))?"
    r"[\s-]*(?:bath(?:room)?s?|ba|bths?)\b"
)
HALF_BATH = re.compile(r"\b(?:a|an)\s+half[\s-]+bath(?:room)?\b")
SQUARE_FEET = re.compile(
    NUMBER + MULTIPLIER
    + r"[\s-]*(?:sq\.?\s?(?:ft\b|feet\b|foot\b)|sqft\b|square[\s-]+(?:feet|foot|ft)\b|sf\b|ft²|ft2\b)"
)
ACRES = re.compile(NUMBER + r"[\s-]*acres?\b")
ACRE_WORDS = re.compile(
    r"\b(?:(?P<one>(?:a|an|one)[\s-]+acre)|(?P<half>(?:a\s+)?half[\s-]+(?:an[\s-]+)?acre)"
    r"|(?P<quarter>(?:a\s+)?quarter[\s-]+(?:of\s+an[\s-]+)?acre))\b"
)
# "$349,000", "$349k", "$1.2M", "$2,100/month", "$2,100 a month", "$150 per sq ft".
PRICE = re.compile(
    r"\$\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)" + MULTIPLIER
    + r"(?P<per_sqft>\s?(?:/|per|a)\s?(?:sq\.?\s?ft\b|sqft\b|square\s+(?:foot|feet)\b|sf\b))?"
    r"(?:\s?(?:/|per|a|an|each)\s?(?P<period>month|mo|mth|week|wk|day|night|year|yr)\b|\s(?P<monthly>monthly)\b)?"
)
_FEE_BEFORE = re.compile(
    r"\b(?:hoa|fees?|dues|deposits?|tax(?:es)?|down\s+payment|credit|insurance|utilities|closing\s+costs?"
    r"|assessments?|payments?|financing)\b[^$.]{0,20}$"
)
_FEE_AFTER = re.compile(
    r"\s*(?:in\s+)?(?:hoa|fees?|dues|deposits?|tax(?:es)?|down|credit|off|reduction|price\s+(?:drop|cut)"
    r"|insurance|utilities|cash\s+back|rebate|below|under|less|more)\b"
)
COMPARISON = re.compile(
    r"(?P<percent>\d+(?:\.\d+)?)\s?%\s+(?P<direction>below|under|less\s+than|lower\s+than|cheaper\s+than|above"
    r"|over|more\s+than|higher\s+than)\s+(?:the\s+(?:median\s+(?:of\s+)?)?)?comparable\b"
    r"|\b(?P<in_line>in\s+line\s+with)\s+(?:the\s+)?comparable\b"
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?"
SOLD = re.compile(
    r"\b(?:(?:last|previously|recently)\s+)?(?:sold|changed\s+hands|purchased|bought)\s+(?:in\s+)?"
    rf"(?:{_MONTHS})?(?P<year>(?:19|20)\d{{2}})\b"
)
BUILT = re.compile(
    r"\b(?:built|constructed|erected|renovated|remodell?ed|updated|roof\s+replaced)\s+(?:in\s+)?(?:19|20)\d{2}\b"
    r"|\byear\s+built:?\s+(?:19|20)\d{2}\b"
)
FOR_SALE = re.compile(r"\bfor\s+(?:sale|purchase)\b")
FOR_RENT = re.compile(r"\bfor\s+(?:rent|lease)\b|\bto\s+(?:rent|lease)\b|\bmonthly\s+rent\b")



def beds_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    said = f"Says {qualified(qualifier, plural(stated.value, 'bedroom'))}"
    if facts.bed is None:
        return f"{said}; the listing does not give the number of bedrooms."
    if quantity_agrees(stated, facts.bed, relative=0):
        return None
    return f"{said}; the listing has {facts.bed}."


def baths_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    value = stated.value + (0.5 if match.group("half") else 0)
    if match.group("halves"):
        return _half_baths_verdict(value, facts)
    noun = "full bathroom" if match.group("full") else "bathroom"
    said = f"Says {qualified(qualifier, plural(value, noun))}"
    if facts.bath is None:
        return f"{said}; the listing does not give the number of bathrooms."
    actual = float(facts.bath)
    if stated.bound:
        agrees = quantity_agrees(stated, actual, relative=0)
    elif match.group("full"):
        agrees = value == math.floor(actual)
    else:
        # Half baths are often left out of a count: "2 baths" is fair for 2.5.
        agrees = value in (actual, math.floor(actual))
    return None if agrees else f"{said}; the listing has {quantity_text(actual)}."


def half_bath_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    return _half_baths_verdict(1, facts)


def _half_baths_verdict(count: float, facts: ListingFacts) -> str | None:
    said = f"Says {plural(count, 'half bathroom')}"
    if facts.bath is None:
        return f"{said}; the listing does not give the number of bathrooms."
    actual = float(facts.bath)
    if count == 1 and actual % 1 == 0.5:
        return None
    return f"{said}; the listing has {plural(actual, 'bathroom')} and no half bathroom."


def square_feet_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    said = f"Says {qualified(qualifier, quantity_text(stated.value))} square feet"
    if facts.house_size is None:
        return f"{said}; the listing does not give the size."
    if quantity_agrees(stated, facts.house_size):
        return None
    return f"{said}; the listing has {facts.house_size:,}."


def acres_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = quantity(match, qualifier)
    return _acres_verdict(stated, qualified(qualifier, f"{stated.value:g}"), facts)


def acre_words_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    value, rounded_unit = (1.0, 0.1) if match.group("one") else (0.5, 0.1) if match.group("half") else (0.25, 0.05)
    stated = Quantity(value=value, unit=rounded_unit, rounded_unit=rounded_unit, rounded=True, bound="")
    return _acres_verdict(stated, f"{value:g}", facts)


def _acres_verdict(stated: Quantity, said_value: str, facts: ListingFacts) -> str | None:
    said = f"Says {said_value} acre{'' if stated.value == 1 else 's'}"
    if facts.acre_lot is None:
        return f"{said}; the listing does not give the lot size."
    if quantity_agrees(stated, facts.acre_lot):
        return None
    return f"{said}; the listing has {facts.acre_lot:g}."


def price_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    text = match.string
    start, end = match.span()
    if _FEE_BEFORE.search(text, max(0, start - 40), start) or _FEE_AFTER.match(text, end, end + 30):
        return f"Mentions an amount ({match.group(0).strip()}) other than the price, which the listing does not state."
    stated = quantity(match, qualifier)
    if match.group("per_sqft"):
        return _price_per_sqft_verdict(stated, qualifier, facts)
    period = "month" if match.group("monthly") else _PERIODS.get(match.group("period") or "", "")
    said = f"Says {qualified(qualifier, _money(stated.value))}{f' a {period}' if period else ''}"
    if facts.price is None:
        return f"{said}; the listing does not give a price."
    listed = _listed_price(facts)
    if facts.offer == "sale" and period:
        return f"{said}; the listing is for sale at {listed}."
    if facts.offer == "rent" and period and period != "month":
        return f"{said}; the listing's rent is {listed}."
    if quantity_agrees(stated, float(facts.price)):
        return None
    return f"{said}; the listing's {'rent' if facts.offer == 'rent' else 'price'} is {listed}."


_PERIODS = {"month": "month", "mo": "month", "mth": "month", "week": "week", "wk": "week", "day": "day",
            "night": "night", "year": "year", "yr": "year"}


def _price_per_sqft_verdict(stated: Quantity, qualifier: Qualifier, facts: ListingFacts) -> str | None:
    said = f"Says {qualified(qualifier, _money(stated.value))} per square foot"
    if facts.price is None or not facts.house_size:
        return f"{said}; the listing does not give the price and size to work it out."
    actual = float(facts.price) / facts.house_size
    if quantity_agrees(stated, actual):
        return None
    return f"{said}; the listing works out to {_money(actual)}."


def comparison_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    said = f"Says {' '.join(match.group(0).split())}"
    if facts.price is None or not facts.house_size or not facts.price_per_sqft_median:
        return f"{said}; the listing has no comparison with other listings."
    actual = percent_above(price=float(facts.price), house_size=facts.house_size, median=facts.price_per_sqft_median)
    if match.group("in_line"):
        agrees = abs(actual) < PRICE_IN_LINE_PERCENT
    else:
        below = match.group("direction").split()[0] in ("below", "under", "less", "lower", "cheaper")
        stated = -float(match.group("percent")) if below else float(match.group("percent"))
        agrees = abs(stated - actual) <= 1  # stated in whole percent
    if agrees:
        return None
    side = "below" if actual < 0 else "above"
    return f"{said}; the price per square foot is {abs(actual):.0f}% {side} the median of comparable listings."


def sold_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    year = int(match.group("year"))
    said = f"Says sold in {year}"
    if facts.prev_sold_date is None:
        return f"{said}; the listing gives no earlier sale."
    if facts.prev_sold_date.year == year:
        return None
    return f"{said}; the listing last sold in {facts.prev_sold_date.year}."


def built_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    return f"Says {' '.join(match.group(0).split())}; the listing does not say when it was built or renovated."


def for_sale_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    return "Says for sale; the listing is for rent." if facts.offer == "rent" else None


def for_rent_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    return "Says for rent; the listing is for sale." if facts.offer == "sale" else None


def _listed_price(facts: ListingFacts) -> str:
    assert facts.price is not None
    price = _money(float(facts.price))
    return f"{price} a month" if facts.offer == "rent" else price


def _money(value: float) -> str:
    return f"${value:,.0f}" if value >= 100 or value == int(value) else f"${value:,.2f}"
