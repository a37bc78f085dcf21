"""Claims about where a listing is: its city ("in Ponce", "located in San Juan"), state and ZIP code.
No Django here. ``ZIP`` reads the lower-cased text, ``CITY`` the text as written."""

from __future__ import annotations

import re

from descriptions.checks.numbers import Qualifier
from descriptions.facts import ListingFacts
from descriptions.vocabulary import place_key, state_name
from listings.places import STATE_NAMES

ZIP = re.compile(r"\bzip(?:\s+code)?\s*:?\s*(?P<zip>\d{5})\b")
# A place is capitalized words ("San Juan", "Toa Baja", "St. Louis"), with Spanish and English joining
# words inside ("Lake of the Ozarks", "Sabana de la Mar"). Case matters here: no IGNORECASE.
_WORD = r"(?:(?:St|Ft|Mt)\.|[A-ZÀ-Þ][\w'’-]*)"
CITY = re.compile(
    rf"(?<![\w-])(?:in|In|IN)\s+(?P<place>{_WORD}(?:\s+(?:(?:de|del|la|las|los|el|of|the)\s+)?{_WORD})*)"
)
# Capitalized words after "in" that name no place.
_NOT_PLACES = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "english", "spanish", "addition", "total", "short", "fact", "general", "particular", "summary", "other",
    "excellent", "good", "great", "fair", "new", "like", "mint", "perfect", "person", "stock", "the", "a", "an",
    "this", "that", "our", "your", "its", "their", "his", "her", "my", "us", "usa", "america", "zip", "i",
    "white", "black", "silver", "grey", "gray", "blue", "red", "brown", "green", "yellow", "orange", "purple",
})
_STATES_BY_KEY = {place_key(name): code for code, name in STATE_NAMES.items()} | {
    (code.lower(),): code for code in STATE_NAMES
}


def zip_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    stated = match.group("zip")
    said = f"Says ZIP code {stated}"
    if not facts.zip_code:
        return f"{said}; the listing does not give a ZIP code."
    return None if facts.zip_code == stated else f"{said}; the listing is in {facts.zip_code}."


def city_judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str | None:
    place = match.group("place")
    stated = place_key(place)
    if not stated or stated[0] in _NOT_PLACES:
        return None
    city = place_key(facts.city)
    if city and (_starts_with(city, stated) or _city_then_state(stated, city=city, state=facts.state)):
        return None
    state = _STATES_BY_KEY.get(stated)
    if state is not None:
        if not facts.state:
            return f"Says {place}; the listing does not give the state."
        return None if state == facts.state.upper() else f"Says {place}; the listing is in {state_name(facts.state)}."
    if not city:
        return f"Says {place}; the listing does not give the city."
    return f"Says {place}; the listing is in {facts.city}."


def _starts_with(words: tuple[str, ...], prefix: tuple[str, ...]) -> bool:
    """"Kansas City" names the listing's "Kansas City, MO"; "San" alone would too, but is never written."""
    return words[: len(prefix)] == prefix


def _city_then_state(stated: tuple[str, ...], *, city: tuple[str, ...], state: str) -> bool:
    """"San Juan Puerto Rico": the city, then its state."""
    return stated[: len(city)] == city and _STATES_BY_KEY.get(stated[len(city):]) == state.upper()
