"""The template engine: fluent, varied descriptions written from the facts alone. No Django here.

Every sentence states only facts the listing holds, and is left out when they are unknown; it never
mentions an amenity. Each tone has its own vocabulary and structure, and several phrasings per
sentence, chosen from the seed (same facts, tone and seed: same text). Pure string formatting: a
few tens of microseconds per draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from descriptions.engines import tone_check
from descriptions.facts import ListingFacts
from descriptions.vocabulary import (
    BODY_NOUNS,
    DRIVE_NAMES,
    NUMBER_WORDS,
    PRICE_IN_LINE_PERCENT,
    known,
    make_name,
    model_name,
    percent_above,
    place_key,
    state_name,
)

RECENT_SALE_YEARS = 3
_WORDS_BY_NUMBER = {value: word for word, value in NUMBER_WORDS.items()}
_NAMED_TITLES = frozenset({"clean", "rebuilt", "salvage"})  # "a clean title"; others read "title status: lien"


class TemplateEngine:
    """Drafts from templates; ``today`` (default: the day the engine is made) decides which earlier
    sales are recent enough to mention (within ``RECENT_SALE_YEARS``)."""

    name: str = "template"

    def __init__(self, *, today: date | None = None) -> None:
        today = today or date.today()
        self.today = today
        self._recent_since = _years_before(today, RECENT_SALE_YEARS)

    def draft(self, facts: ListingFacts, *, tone: str, seed: int) -> str:
        tone_check(tone)
        pick = _Picker(seed)
        if facts.kind == "car":
            sentences = _CAR_TONES[tone](_car_words(facts), pick)
        else:
            sold = facts.prev_sold_date
            sold_year = sold.year if sold is not None and self._recent_since <= sold <= self.today else None
            sentences = _HOME_TONES[tone](_home_words(facts, sold_year=sold_year, tone=tone), pick)
        return " ".join(sentence for sentence in sentences if sentence)


class _Picker:
    """Chooses one phrasing per sentence slot from the seed: deterministic, and different slots vary
    independently."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def __call__(self, slot: int, options: list[str]) -> str:
        mixed = (self._seed * 2654435761 + slot * 40503 + 12345) & 0xFFFFFFFF
        mixed ^= mixed >> 15
        mixed = (mixed * 2246822519) & 0xFFFFFFFF
        mixed ^= mixed >> 13
        return options[mixed % len(options)]


@dataclass(frozen=True, slots=True)
class _Home:
    """A home's facts as words; "" where unknown."""

    rooms: str  # "3-bed, 2-bath" / "3-bedroom, 2-bathroom" / "three-bedroom, two-bathroom", by tone
    noun: str  # "home", "residence", or "property" when nothing says it is a dwelling
    size: str  # "1,850"
    lot: str  # "0.12"
    acres: str  # "0.12 acres"
    place: str  # "Ponce, PR"
    place_long: str  # "Ponce, Puerto Rico"
    price: str  # "$349,000"
    rent: bool
    comparison: float | None  # percent above comparable listings' median price per square foot
    comparables: str  # "homes" / "rentals"
    sold_year: int | None


@dataclass(frozen=True, slots=True)
class _Car:
    """A car's facts as words; "" where unknown."""

    name: str  # "2016 Ford Transit Connect Titanium"
    miles: str  # "104,340"
    condition: str
    power: str  # "4-cylinder gas engine" / "electric drivetrain"
    transmission: str  # "automatic transmission"
    drive: str  # "front-wheel drive"
    body: str  # "mid-size van"
    color: str  # "silver"
    title: str  # "clean title" / "title status: lien"
    place: str
    place_long: str
    price: str
    rent: bool


def _home_words(facts: ListingFacts, *, sold_year: int | None, tone: str) -> _Home:
    bed = facts.bed if facts.bed else None
    bath = float(facts.bath) if facts.bath else None
    dwelling = bool(bed or bath or facts.house_size)
    return _Home(
        rooms=_rooms(bed, bath, tone=tone),
        noun=("residence" if tone == "premium" else "home") if dwelling else "property",
        size=f"{facts.house_size:,}" if facts.house_size else "", lot=_acre_number(facts.acre_lot),
        acres=_acres(facts.acre_lot), place=_place(facts, long=False), place_long=_place(facts, long=True),
        price=_money(facts.price), rent=facts.offer == "rent", comparison=_comparison(facts),
        comparables="rentals" if facts.offer == "rent" else "homes", sold_year=sold_year,
    )


def _car_words(facts: ListingFacts) -> _Car:
    fuel = facts.fuel.lower() if known(facts.fuel) else ""
    cylinders = facts.cylinders.split()[0] if facts.cylinders and facts.cylinders.split()[0].isdigit() else ""
    if fuel == "electric":
        power = "electric drivetrain"
    elif cylinders or fuel:
        power = " ".join(part for part in (f"{cylinders}-cylinder" if cylinders else "", fuel, "engine") if part)
    else:
        power = ""
    title = facts.title_status.lower() if known(facts.title_status) else ""
    size = facts.size.lower() if known(facts.size) else ""
    body = BODY_NOUNS.get(facts.body_type.lower(), "")
    return _Car(
        name=" ".join(part for part in (str(facts.year) if facts.year else "", make_name(facts.make),
                                        model_name(facts.model)) if part)
        or "vehicle",
        miles=f"{facts.odometer:,}" if facts.odometer else "",
        condition=facts.condition.lower().replace("like new", "like-new") if known(facts.condition) else "",
        power=power, transmission=f"{facts.transmission.lower()} transmission" if known(facts.transmission) else "",
        drive=DRIVE_NAMES.get(facts.drive.lower(), ""), body=" ".join(part for part in (size, body) if part),
        color=facts.paint_color.lower() if known(facts.paint_color) else "",
        title=(f"{title} title" if title in _NAMED_TITLES else f"title status: {title}") if title else "",
        place=_place(facts, long=False), place_long=_place(facts, long=True), price=_money(facts.price),
        rent=facts.offer == "rent",
    )


# Homes, one function per tone: each returns its sentences ("" for a sentence without facts).


def _home_concise(home: _Home, pick: _Picker) -> list[str]:
    offer = "for rent" if home.rent else "for sale"
    subject = f"{home.rooms} {home.noun}" if home.rooms else home.noun
    where = f" in {home.place}" if home.place else ""
    return [
        pick(1, [_cap(f"{subject} {offer}{where}."), f"{_cap(offer)}{where}: {subject}."]),
        _home_size(home, pick, 2, both=[
            f"{home.size} sq ft on a {home.lot}-acre lot.", f"{home.size} sq ft of living space; lot of {home.acres}.",
        ], size=[f"{home.size} sq ft of living space.", f"Living area: {home.size} sq ft."],
            lot=[f"Lot size: {home.acres}.", f"Set on {home.acres}."]),
        _home_price(home, pick, 3, sale=["Asking {price}{comparison}.", "Priced at {price}{comparison}."],
                    rent=["Rent: {price} a month{comparison}.", "{price} per month{comparison}."],
                    basis="per square foot"),
        pick(4, [f"Last sold in {home.sold_year}.", f"Previously sold in {home.sold_year}."]) if home.sold_year else "",
    ]


def _home_warm(home: _Home, pick: _Picker) -> list[str]:
    offer = "for rent" if home.rent else "for sale"
    subject = f"{home.rooms} {home.noun}" if home.rooms else home.noun
    where = f" in {home.place_long}" if home.place_long else ""
    next_person = "tenant" if home.rent else "owner"
    return [
        pick(1, [f"Welcome to this inviting {subject}{where}, now {offer}.",
                 f"Come and see this {subject} {offer}{where}.",
                 f"Here is a welcoming {subject}{where}, waiting for its next {next_person}."]),
        _home_size(home, pick, 2, both=[
            f"Inside, you will find {home.size} square feet of living space, set on a {home.lot}-acre lot.",
            f"It offers {home.size} square feet of living space on a lot of {home.acres}.",
            f"With {home.size} square feet of living space on a {home.lot}-acre lot, "
            "there is room to make it your own.",
        ], size=[f"Inside, you will find {home.size} square feet of living space.",
                 f"It offers {home.size} square feet of living space."],
            lot=[f"It sits on a lot of {home.acres}.", f"The lot measures {home.acres}."]),
        _home_price(home, pick, 3,
                    sale=["It is offered at {price}{comparison}.", "The asking price is {price}{comparison}."],
                    rent=["It is available for rent at {price} a month{comparison}.",
                          "The monthly rent is {price}{comparison}."],
                    basis="per square foot"),
        pick(4, [f"It last sold in {home.sold_year}.", f"It was last sold in {home.sold_year}."])
        if home.sold_year else "",
        pick(5, ["Reach out to arrange a visit.", "Send a message to plan your visit.",
                 "Get in touch to see it in person."]),
    ]


def _home_premium(home: _Home, pick: _Picker) -> list[str]:
    offer = "for rent" if home.rent else "for sale"
    subject = f"{home.rooms} {home.noun}" if home.rooms else home.noun
    where = f" in {home.place_long}" if home.place_long else ""
    return [
        pick(1, [f"Presenting {_a(subject)} {subject}{where}, offered {offer}.",
                 f"An exceptional opportunity{where}: {_a(subject)} {subject}, offered {offer}.",
                 f"This {subject}{where} is now offered {offer}."]),
        _home_size(home, pick, 2, both=[
            f"The {home.noun} encompasses {home.size} square feet of interior space on a {home.lot}-acre parcel.",
            f"Its {home.size} square feet of living space are set on a {home.lot}-acre lot.",
        ], size=[f"The {home.noun} encompasses {home.size} square feet of interior space.",
                 f"It offers {home.size} square feet of refined living space."],
            lot=[f"It is set on a {home.lot}-acre parcel.", f"The grounds measure {home.acres}."]),
        _home_price(home, pick, 3, sale=["Offered at {price}{comparison}.", "The asking price is {price}{comparison}."],
                    rent=["Offered at {price} per month{comparison}.", "The monthly rent is {price}{comparison}."],
                    basis="on a per-square-foot basis"),
        pick(4, [f"The property last changed hands in {home.sold_year}.", f"It was last sold in {home.sold_year}."])
        if home.sold_year else "",
        pick(5, ["Private showings are available by appointment.", "Inquire to arrange a private showing."]),
    ]


def _home_size(home: _Home, pick: _Picker, slot: int, *, both: list[str], size: list[str], lot: list[str]) -> str:
    if home.size and home.lot:
        return pick(slot, both)
    if home.size:
        return pick(slot, size)
    return pick(slot, lot) if home.lot else ""


def _home_price(home: _Home, pick: _Picker, slot: int, *, sale: list[str], rent: list[str], basis: str) -> str:
    if not home.price:
        return ""
    compared = ""
    if home.comparison is not None:
        if abs(home.comparison) < PRICE_IN_LINE_PERCENT:
            compared = f", in line with comparable {home.comparables} {basis}"
        else:
            about = pick(slot + 10, ["about", "approximately"])
            side = "below" if home.comparison < 0 else "above"
            compared = f", {about} {abs(home.comparison):.0f}% {side} comparable {home.comparables} {basis}"
    return pick(slot, rent if home.rent else sale).format(price=home.price, comparison=compared)


# Cars, one function per tone.


def _car_concise(car: _Car, pick: _Picker) -> list[str]:
    offer = "for rent" if car.rent else "for sale"
    where = f" in {car.place}" if car.place else ""
    running = [f"{car.miles} miles" if car.miles else "", f"{car.condition} condition" if car.condition else "",
               car.power, car.transmission, car.drive]
    looks = [car.body, f"{car.color} paint" if car.color else "", car.title]
    separator = pick(2, [", ", "; "])
    price = pick(3, ["Rent: {price} a month.", "{price} per month."] if car.rent
                 else ["Asking {price}.", "Price: {price}."])
    return [
        pick(1, [f"{car.name} {offer}{where}.", f"{_cap(offer)}{where}: {car.name}."]),
        _sentence(separator.join(part for part in running if part)),
        _sentence(separator.join(part for part in looks if part)),
        price.format(price=car.price) if car.price else "",
    ]


def _car_warm(car: _Car, pick: _Picker) -> list[str]:
    offer = "for rent" if car.rent else "for sale"
    where = f" in {car.place_long}" if car.place_long else ""
    next_person = "driver" if car.rent else "owner"
    if car.miles and car.condition:
        running = pick(2, [f"It is in {car.condition} condition with {car.miles} miles on the odometer.",
                           f"With {car.miles} miles on the odometer, it is in {car.condition} condition."])
    elif car.miles or car.condition:
        running = (f"It shows {car.miles} miles on the odometer." if car.miles
                   else f"It is in {car.condition} condition.")
    else:
        running = ""
    extras = [_with_article(car.transmission), car.drive]
    if car.power:
        power = f"Under the hood is {_with_article(car.power)}"
        powertrain = f"{power}, paired with {_series(extras)}." if any(extras) else f"{power}."
    else:
        powertrain = f"It comes with {_series(extras)}." if any(extras) else ""
    subject = car.body or "vehicle"
    if car.color:
        looks = pick(4, [f"This {subject} is finished in {car.color}.", f"The {car.color} paint suits this {subject}."])
    else:
        looks = f"It is {_a(subject)} {subject}." if car.body else ""
    price = pick(6, ["It is available to rent at {price} a month.", "The rent is {price} per month."] if car.rent
                 else ["It is offered at {price}.", "The asking price is {price}."])
    return [
        pick(1, [f"Meet this {car.name}, {offer}{where}.", f"Take a look at this {car.name} {offer}{where}.",
                 f"Here is {_a(car.name)} {car.name}{where}, looking for its next {next_person}."]),
        running, powertrain, looks,
        (f"It comes with {_with_article(car.title)}." if car.title.endswith(" title") else f"{_cap(car.title)}.")
        if car.title else "",
        price.format(price=car.price) if car.price else "",
        pick(7, ["Message the seller to arrange a test drive.", "Reach out to set up a test drive."]),
    ]


def _car_premium(car: _Car, pick: _Picker) -> list[str]:
    offer = "for rent" if car.rent else "for sale"
    where = f" in {car.place_long}" if car.place_long else ""
    lead = f"Finished in {car.color}, this" if car.color else "This"
    states = _series([f"shows {car.miles} miles" if car.miles else "",
                      f"is in {car.condition} condition" if car.condition else ""])
    extras = [_with_article(car.transmission), car.drive]
    if car.power:
        powertrain = (f"It pairs {_with_article(car.power)} with {_series(extras)}." if any(extras)
                      else f"It is powered by {_with_article(car.power)}.")
    else:
        powertrain = f"It features {_series(extras)}." if any(extras) else ""
    named_title = car.title if car.title.endswith(" title") else ""
    if car.price:
        per = " per month" if car.rent else ""
        with_title = f" with {_with_article(named_title)}" if named_title else ""
        price = pick(4, [f"Offered{with_title} at {car.price}{per}.", f"Offered at {car.price}{per}{with_title}."])
    else:
        price = f"It comes with {_with_article(named_title)}." if named_title else ""
    if states:
        looks = f"{lead} {car.body or 'vehicle'} {states}."
    elif car.body:
        looks = f"{lead} is {_a(car.body)} {car.body}."
    else:
        looks = f"It is finished in {car.color}." if car.color else ""
    return [
        pick(1, [f"Presenting {_a(car.name)} {car.name}, offered {offer}{where}.",
                 f"This {car.name} is now offered {offer}{where}."]),
        looks, powertrain, price,
        f"{_cap(car.title)}." if car.title and not named_title else "",
        pick(5, ["Private viewings by appointment.", "Inquire to arrange a private viewing."]),
    ]


_HOME_TONES = {"concise": _home_concise, "warm": _home_warm, "premium": _home_premium}
_CAR_TONES = {"concise": _car_concise, "warm": _car_warm, "premium": _car_premium}


def _rooms(bed: int | None, bath: float | None, *, tone: str) -> str:
    words = tone == "warm"
    parts = []
    if bed:
        parts.append(f"{_count(bed, words=words)}-{'bed' if tone == 'concise' else 'bedroom'}")
    if bath:
        parts.append(f"{_count(bath, words=words)}-{'bath' if tone != 'premium' else 'bathroom'}")
    return ", ".join(parts)


def _count(value: float, *, words: bool) -> str:
    if value == int(value):
        return _WORDS_BY_NUMBER.get(int(value), str(int(value))) if words else str(int(value))
    return f"{value:g}"


def _acre_number(acres: float | None) -> str:
    """Two significant decimals below an acre ("0.12", "0.046"), one below ten ("1.4"), whole above."""
    if not acres or acres <= 0:
        return ""
    if acres >= 10:
        return f"{acres:,.0f}"
    if acres >= 1:
        return f"{acres:.1f}".removesuffix(".0")
    return f"{acres:.2g}"


def _acres(acres: float | None) -> str:
    number = _acre_number(acres)
    if not number:
        return ""
    return f"{number} acre" if number == "1" else f"{number} acres"


def _place(facts: ListingFacts, *, long: bool) -> str:
    """"Ponce, PR" (or "Ponce, Puerto Rico" when ``long``); a city that names its state already
    ("Kansas City, MO", "Southwest Michigan") stays as it is; without a city, the state and the ZIP code."""
    state = state_name(facts.state) if long and facts.state else facts.state
    city = facts.city
    if not city:
        zip_code = f" (ZIP code {facts.zip_code})" if facts.zip_code else ""
        return f"{state_name(facts.state)}{zip_code}" if facts.state else ""
    state_words = place_key(state_name(facts.state))
    if not facts.state or city.endswith(f", {facts.state}") or place_key(city)[-len(state_words):] == state_words:
        return city
    return f"{city}, {state}"


def _comparison(facts: ListingFacts) -> float | None:
    if facts.price is None or not facts.house_size or not facts.price_per_sqft_median:
        return None
    return percent_above(price=float(facts.price), house_size=facts.house_size, median=facts.price_per_sqft_median)


def _money(price: Decimal | float | None) -> str:
    if price is None:
        return ""
    value = float(price)
    return f"${value:,.0f}" if value >= 100 or value == int(value) else f"${value:,.2f}"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _series(parts: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b and c"``; empty parts are left out."""
    present = [part for part in parts if part]
    if len(present) <= 1:
        return "".join(present)
    return f"{', '.join(present[:-1])} and {present[-1]}"


def _a(phrase: str) -> str:
    """The indefinite article for ``phrase``: "an 8-bedroom", "an SUV", "an eight-bedroom", "a one-bedroom"."""
    lowered = phrase.lower()
    if phrase.startswith(("SUV", "8", "11", "18")):
        return "an"
    if lowered.startswith(("one", "uni", "use")):
        return "a"
    return "an" if lowered[:1] in ("a", "e", "i", "o", "u") else "a"


def _with_article(phrase: str) -> str:
    return f"{_a(phrase)} {phrase}" if phrase else ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    return f"{_cap(text)}." if text else ""
