"""Demo data: believable homes and cars across real US ZIP codes, and the demo logins.

Listing ``i`` of a kind draws from its own ``random.Random(f"{seed}:{kind}:{i}")``, so a seed always
gives the same listings, and ``--homes 200`` extends ``--homes 100`` instead of reshuffling it. Only
the publication times (spread over the 60 days before the first run) and the cars' model years
(counted back from the current year) depend on when it runs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from listings.importers.parsing import car_title, home_title, number_text, place_text
from listings.importers.records import RECORD_FIELDS, ListingRecord
from listings.importers.streaming import batched, prefetched
from listings.importers.validation import record_validate
from listings.importers.writer import BatchResult, listing_batch_write
from listings.models import Kind, Offer, Source, Status
from listings.places import ZipPlace, standard_zip_places

DEMO_PASSWORD = "trustasset-demo"  # noqa: S105  (documented demo login, created only for demo data)
DEMO_BUYER, DEMO_SELLER, DEMO_ADMIN = "buyer", "seller", "admin"
DEMO_OTHER_SELLERS = ("seller2", "seller3", "seller4", "seller5")
RENTAL_SHARE = 0.15
BATCH_SIZE = 2000
_UPDATE_FIELDS = tuple(field for field in RECORD_FIELDS if field not in ("source", "external_id", "published_at"))

# Typical home value by state, USD, rounded (Zillow home value index, 2024): the price level of the demo.
STATE_PRICE_LEVELS = {
    "AL": 225_000, "AK": 365_000, "AZ": 425_000, "AR": 205_000, "CA": 765_000, "CO": 545_000, "CT": 390_000,
    "DE": 380_000, "DC": 600_000, "FL": 395_000, "GA": 325_000, "HI": 840_000, "ID": 450_000, "IL": 265_000,
    "IN": 235_000, "IA": 220_000, "KS": 225_000, "KY": 205_000, "LA": 195_000, "ME": 400_000, "MD": 420_000,
    "MA": 620_000, "MI": 240_000, "MN": 330_000, "MS": 180_000, "MO": 250_000, "MT": 460_000, "NE": 260_000,
    "NV": 430_000, "NH": 480_000, "NJ": 520_000, "NM": 310_000, "NY": 470_000, "NC": 330_000, "ND": 255_000,
    "OH": 220_000, "OK": 200_000, "OR": 495_000, "PA": 260_000, "RI": 460_000, "SC": 300_000, "SD": 300_000,
    "TN": 320_000, "TX": 300_000, "UT": 530_000, "VT": 390_000, "VA": 390_000, "WA": 590_000, "WV": 165_000,
    "WI": 295_000, "WY": 340_000, "PR": 180_000, "VI": 450_000, "GU": 400_000, "AS": 200_000, "MP": 250_000,
}
DEFAULT_PRICE_LEVEL = 300_000
PREVIOUS_SALES_END = date(2024, 12, 31)


@dataclass(frozen=True)
class HomeType:
    noun: str
    share: float
    median_sqft: int  # 0: land, no building
    price_factor: float  # price per size relative to a house
    median_acres: float


HOME_TYPES = (
    HomeType("house", 0.55, 1900, 1.0, 0.25),
    HomeType("condo", 0.17, 1100, 0.95, 0.0),
    HomeType("townhouse", 0.12, 1500, 0.95, 0.05),
    HomeType("mobile home", 0.07, 1200, 0.45, 0.3),
    HomeType("lot", 0.09, 0, 0.0, 1.5),
)


@dataclass(frozen=True)
class CarModel:
    make: str
    model: str
    body_type: str
    msrp: int  # new, USD
    fuel: str = "gas"
    drives: tuple[str, ...] = ("fwd",)
    cylinders: str = "4 cylinders"


CAR_MODELS = (
    CarModel("Toyota", "Camry", "sedan", 28_000),
    CarModel("Toyota", "Corolla", "sedan", 23_000),
    CarModel("Toyota", "RAV4", "SUV", 31_000, drives=("fwd", "4wd")),
    CarModel("Toyota", "Tacoma", "pickup", 34_000, drives=("rwd", "4wd"), cylinders="6 cylinders"),
    CarModel("Toyota", "Sienna", "mini-van", 39_000, fuel="hybrid", cylinders="4 cylinders"),
    CarModel("Toyota", "Prius", "hatchback", 28_000, fuel="hybrid"),
    CarModel("Honda", "Civic", "sedan", 24_000),
    CarModel("Honda", "Accord", "sedan", 28_000),
    CarModel("Honda", "CR-V", "SUV", 31_000, drives=("fwd", "4wd")),
    CarModel("Honda", "Odyssey", "mini-van", 39_000, cylinders="6 cylinders"),
    CarModel("Ford", "F-150", "pickup", 42_000, drives=("rwd", "4wd"), cylinders="6 cylinders"),
    CarModel("Ford", "Escape", "SUV", 29_000, drives=("fwd", "4wd")),
    CarModel("Ford", "Explorer", "SUV", 38_000, drives=("rwd", "4wd"), cylinders="6 cylinders"),
    CarModel("Ford", "Mustang", "coupe", 33_000, drives=("rwd",), cylinders="8 cylinders"),
    CarModel("Ford", "Transit Connect", "van", 31_000),
    CarModel("Chevrolet", "Silverado 1500", "pickup", 42_000, drives=("rwd", "4wd"), cylinders="8 cylinders"),
    CarModel("Chevrolet", "Equinox", "SUV", 28_000, drives=("fwd", "4wd")),
    CarModel("Chevrolet", "Malibu", "sedan", 25_000),
    CarModel("Chevrolet", "Tahoe", "SUV", 58_000, drives=("rwd", "4wd"), cylinders="8 cylinders"),
    CarModel("Chevrolet", "Corvette", "coupe", 68_000, drives=("rwd",), cylinders="8 cylinders"),
    CarModel("GMC", "Sierra 1500", "pickup", 45_000, drives=("rwd", "4wd"), cylinders="8 cylinders"),
    CarModel("Ram", "1500", "pickup", 43_000, drives=("rwd", "4wd"), cylinders="8 cylinders"),
    CarModel("Jeep", "Wrangler", "SUV", 35_000, drives=("4wd",), cylinders="6 cylinders"),
    CarModel("Jeep", "Grand Cherokee", "SUV", 41_000, drives=("4wd",), cylinders="6 cylinders"),
    CarModel("Nissan", "Altima", "sedan", 26_000),
    CarModel("Nissan", "Rogue", "SUV", 29_000, drives=("fwd", "4wd")),
    CarModel("Subaru", "Outback", "wagon", 30_000, drives=("4wd",)),
    CarModel("Subaru", "Forester", "SUV", 29_000, drives=("4wd",)),
    CarModel("Hyundai", "Elantra", "sedan", 22_000),
    CarModel("Hyundai", "Tucson", "SUV", 29_000, drives=("fwd", "4wd")),
    CarModel("Kia", "Sorento", "SUV", 32_000, drives=("fwd", "4wd")),
    CarModel("Kia", "Soul", "hatchback", 21_000),
    CarModel("Mazda", "CX-5", "SUV", 29_000, drives=("fwd", "4wd")),
    CarModel("Mazda", "MX-5 Miata", "convertible", 30_000, drives=("rwd",)),
    CarModel("Volkswagen", "Jetta", "sedan", 22_000),
    CarModel("Volkswagen", "Golf GTI", "hatchback", 32_000),
    CarModel("BMW", "3 Series", "sedan", 45_000, drives=("rwd", "4wd")),
    CarModel("BMW", "X5", "SUV", 66_000, drives=("4wd",), cylinders="6 cylinders"),
    CarModel("Mercedes-Benz", "C-Class", "sedan", 47_000, drives=("rwd", "4wd")),
    CarModel("Mercedes-Benz", "GLE 350", "SUV", 62_000, drives=("4wd",)),
    CarModel("Audi", "A4", "sedan", 42_000, drives=("fwd", "4wd")),
    CarModel("Audi", "Q5", "SUV", 46_000, drives=("4wd",)),
    CarModel("Lexus", "RX 350", "SUV", 50_000, drives=("fwd", "4wd"), cylinders="6 cylinders"),
    CarModel("Tesla", "Model 3", "sedan", 42_000, fuel="electric", drives=("rwd", "4wd"), cylinders="other"),
    CarModel("Tesla", "Model Y", "SUV", 47_000, fuel="electric", drives=("4wd",), cylinders="other"),
    CarModel("Chrysler", "Pacifica", "mini-van", 41_000, cylinders="6 cylinders"),
    CarModel("Dodge", "Charger", "sedan", 35_000, drives=("rwd",), cylinders="6 cylinders"),
    CarModel("Porsche", "911", "coupe", 115_000, drives=("rwd",), cylinders="6 cylinders"),
)
PAINT_COLORS = ("white", "black", "silver", "grey", "blue", "red", "green", "brown")

HOME_FEATURES = (
    "Updated kitchen with stainless steel appliances.", "Hardwood floors throughout.",
    "Fenced backyard with a covered patio.", "Attached two-car garage and plenty of storage.",
    "Walking distance to shops and transit.", "Quiet street close to parks and trails.",
    "Open floor plan with lots of natural light.", "New roof and energy-efficient windows.",
    "Primary suite with a walk-in closet.", "Central air and a new water heater.",
    "Finished basement with a laundry room.", "Solar panels keep utility bills low.",
)
CONDO_FEATURES = ("The building has a gym and a pool.", "One parking space included.",
                  "Balcony with a view.", "Elevator building with secure entry.")
LOT_FEATURES = ("Utilities available at the street.", "Gentle slope with mature trees.",
                "Zoned residential; survey on file.", "Road frontage and easy access.")
RENT_TERMS = ("Available now, 12-month lease.", "Tenant pays electricity; water included.",
              "Pets considered with a deposit.", "Washer and dryer in the unit.")
CAR_FEATURES = ("Clean title, no accidents.", "Regularly serviced; records available.", "New tires and brakes.",
                "One owner, non-smoker.", "Backup camera and Bluetooth.", "Heated seats and remote start.",
                "Tow package.", "Second set of keys included.")


def demo_users_ensure() -> dict[str, User]:
    """The demo logins (``buyer``, ``seller``, ``admin`` staff+superuser, and the other sellers),
    created with the demo password when missing; existing users are left as they are."""
    users, password = {}, ""
    for username in (DEMO_BUYER, DEMO_SELLER, DEMO_ADMIN, *DEMO_OTHER_SELLERS):
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once
            is_admin = username == DEMO_ADMIN
            user = User.objects.create(username=username, email=f"{username}@example.com", password=password,
                                       is_staff=is_admin, is_superuser=is_admin)
        users[username] = user
    return users


@transaction.atomic
def demo_listings_generate(*, homes: int, cars: int, seed: int) -> BatchResult:
    """Upsert ``homes`` homes and ``cars`` cars (source "demo") owned by the demo sellers."""
    users = demo_users_ensure()
    seller_ids = [users[name].pk for name in (DEMO_SELLER, *DEMO_OTHER_SELLERS)]
    now = timezone.now()
    records = chain(
        (demo_home(seed=seed, index=index, seller_ids=seller_ids, now=now) for index in range(homes)),
        (demo_car(seed=seed, index=index, seller_ids=seller_ids, now=now) for index in range(cars)),
    )
    inserted = updated = price_changes = 0
    for batch in prefetched(batched(records, BATCH_SIZE)):
        written = listing_batch_write(records=batch, update_fields=_UPDATE_FIELDS)
        inserted, updated = inserted + written.inserted, updated + written.updated
        price_changes += written.price_changes
    return BatchResult(inserted=inserted, updated=updated, price_changes=price_changes)


def demo_home(*, seed: int, index: int, seller_ids: Sequence[int], now: datetime) -> ListingRecord:
    """Home ``index`` of ``seed``: priced from its state's level, size, rooms and type."""
    rng = random.Random(f"{seed}:home:{index}")
    place = rng.choice(standard_zip_places())
    home_type = rng.choices(HOME_TYPES, weights=[home_type.share for home_type in HOME_TYPES])[0]
    level = STATE_PRICE_LEVELS.get(place.state, DEFAULT_PRICE_LEVEL) * rng.lognormvariate(0, 0.25)
    if home_type.median_sqft:
        sqft = round(home_type.median_sqft * rng.lognormvariate(0, 0.3), -1)
        bed = max(1, min(7, round(sqft / 600 + rng.uniform(-0.6, 0.6))))
        bath = Decimal(max(2, round(bed * 1.5 * rng.uniform(0.8, 1.1)))) / 2
        price = level * (sqft / 1800) ** 0.75 * home_type.price_factor
    else:
        sqft, bed, bath = 0, None, None
        price = level * 0.12
    acres = round(home_type.median_acres * rng.lognormvariate(0, 0.7), 2) if home_type.median_acres else None
    if home_type.median_sqft == 0 and acres:
        price *= acres**0.5
    offer = Offer.RENT if home_type.median_sqft and rng.random() < RENTAL_SHARE else Offer.SALE
    amount = _rent(price, rng) if offer == Offer.RENT else _round_price(price, step=1000)
    house_size = int(sqft) or None
    return record_validate(ListingRecord(
        source=Source.DEMO, external_id=f"{seed}-home-{index}", kind=Kind.HOME, offer=offer, status=Status.ACTIVE,
        title=home_title(bed=bed, bath=bath, acre_lot=acres, house_size=house_size, place=_place(place),
                         noun=home_type.noun),
        description=_home_description(rng=rng, home_type=home_type, bed=bed, bath=bath, house_size=house_size,
                                      acres=acres, city=place.city, offer=offer),
        price=amount, **_location(place, rng), published_at=_published(rng, now),
        seller_id=rng.choice(seller_ids), bed=bed, bath=bath, house_size=house_size, acre_lot=acres,
        prev_sold_date=_previous_sale(rng) if rng.random() < 0.4 else None,
    ))


def demo_car(*, seed: int, index: int, seller_ids: Sequence[int], now: datetime) -> ListingRecord:
    """Car ``index`` of ``seed``: a real model, priced from its new price, age, mileage and condition."""
    rng = random.Random(f"{seed}:car:{index}")
    place = rng.choice(standard_zip_places())
    car = rng.choice(CAR_MODELS)
    age = min(int(rng.expovariate(1 / 6)), 25)
    odometer = max(5, int(age * rng.gauss(11_500, 3_500)) + rng.randint(5, 2_000))
    condition = _condition(age=age, odometer=odometer)
    expected_miles = max(age, 1) * 11_500
    mileage_factor = min(1.15, max(0.6, 1 - (odometer - expected_miles) / 200_000))
    condition_factor = {"new": 1.0, "like new": 1.0, "excellent": 0.97, "good": 0.9, "fair": 0.75}[condition]
    value = car.msrp * 0.86**age * mileage_factor * condition_factor * rng.lognormvariate(0, 0.1)
    year = now.year - age
    transmission = "manual" if rng.random() < 0.06 and car.fuel != "electric" else "automatic"
    drive, color = rng.choice(car.drives), rng.choice(PAINT_COLORS)
    description = (
        f"{year} {car.make} {car.model} with {odometer:,} miles. {transmission.capitalize()}, {car.fuel}, "
        f"{drive.upper()}. {condition.capitalize()} condition, {color} exterior. "
        + " ".join(rng.sample(CAR_FEATURES, 2))
    )
    return record_validate(ListingRecord(
        source=Source.DEMO, external_id=f"{seed}-car-{index}", kind=Kind.CAR, offer=Offer.SALE,
        status=Status.ACTIVE, title=car_title(year=year, make=car.make, model=car.model), description=description,
        price=_car_price(value), **_location(place, rng), published_at=_published(rng, now),
        seller_id=rng.choice(seller_ids), make=car.make, model=car.model, year=year, odometer=odometer,
        condition=condition, cylinders=car.cylinders, fuel=car.fuel, transmission=transmission, drive=drive,
        size="full-size" if car.body_type in ("pickup", "van", "mini-van") else "mid-size",
        body_type=car.body_type, paint_color=color, title_status="clean",
    ))


def _home_description(
    *, rng: random.Random, home_type: HomeType, bed: int | None, bath: Decimal | None, house_size: int | None,
    acres: float | None, city: str, offer: str,
) -> str:
    if house_size is None:
        return f"{number_text(acres or 0)}-acre lot near {city}, ready to build. " + " ".join(
            rng.sample(LOT_FEATURES, 2)
        )
    lot = f" on a {number_text(acres)}-acre lot" if acres else ""
    sentences = [
        f"{rng.choice(('Bright', 'Spacious', 'Charming', 'Well-kept', 'Move-in ready'))} {bed}-bedroom "
        f"{home_type.noun} in {city} with {_count(bath or 0, 'bathroom')} and {house_size:,} sq ft{lot}.",
        *rng.sample(HOME_FEATURES, 2),
    ]
    if home_type.noun == "condo":
        sentences.append(rng.choice(CONDO_FEATURES))
    if offer == Offer.RENT:
        sentences.append(rng.choice(RENT_TERMS))
    return " ".join(sentences)


def _count(amount: Decimal | int, noun: str) -> str:
    return f"{number_text(amount)} {noun}" + ("" if amount == 1 else "s")


def _condition(*, age: int, odometer: int) -> str:
    if age == 0 and odometer < 1_000:
        return "new"
    for limit, condition in ((30_000, "like new"), (70_000, "excellent"), (150_000, "good")):
        if odometer < limit:
            return condition
    return "fair"


def _location(place: ZipPlace, rng: random.Random) -> dict[str, Any]:
    return {
        "city": place.city, "state": place.state, "zip_code": place.zip_code,
        "lat": round(place.lat + rng.gauss(0, 0.01), 6), "lon": round(place.lon + rng.gauss(0, 0.01), 6),
    }


def _place(place: ZipPlace) -> str:
    return place_text(city=place.city, state=place.state)


def _published(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))


def _previous_sale(rng: random.Random) -> date:
    return PREVIOUS_SALES_END - timedelta(days=rng.randint(0, 365 * 25))


def _round_price(value: float, *, step: int) -> Decimal:
    return Decimal(max(step, round(value / step) * step))


def _rent(sale_price: float, rng: random.Random) -> Decimal:
    """A monthly rent: about 0.55 % of the sale value a month, in $25 steps, at least $400."""
    return Decimal(max(400, round(sale_price * 0.0055 * rng.lognormvariate(0, 0.1) / 25) * 25))


def _car_price(value: float) -> Decimal:
    """Dealer-style prices: $14,995 rather than $15,000; at least $800."""
    rounded = max(800, round(value, -2))
    return Decimal(rounded - 5 if rounded >= 2_000 else rounded)
