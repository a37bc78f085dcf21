"""generate_listings: demo homes and cars that are the same for a seed, demo logins, --if-empty."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import StringIO
from statistics import median
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from listings.importers.demo import DEMO_PASSWORD
from listings.models import Listing, PriceChange
from tests.factories import HomeFactory

# Everything but the ids and the times of the run.
VALUES = ("source", "external_id", "kind", "offer", "status", "title", "description", "price", "city", "state",
          "zip_code", "lat", "lon", "seller__username", "bed", "bath", "house_size", "acre_lot", "prev_sold_date",
          "make", "model", "year", "odometer", "condition", "cylinders", "fuel", "transmission", "drive", "size",
          "body_type", "paint_color", "title_status")
LOGINS = "Demo logins, password 'trustasset-demo': buyer (buyer), seller (seller), admin (admin, staff)\n"


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_listings", *args, verbosity=0, stdout=out)
    return out.getvalue()


def listings() -> list[tuple[Any, ...]]:
    return list(Listing.objects.order_by("external_id").values_list(*VALUES))


@pytest.mark.django_db
def test_it_generates_the_same_listings_for_the_same_seed() -> None:
    output = generate("--homes", "60", "--cars", "20", "--seed", "7")
    first = listings()
    Listing.objects.all().delete()

    generate("--homes", "60", "--cars", "20", "--seed", "7")

    assert output == "generated 60 homes and 20 cars (imported 80, updated 0)\n" + LOGINS
    assert listings() == first
    assert len(first) == 80
    generate("--homes", "60", "--cars", "20", "--seed", "8")
    assert Listing.objects.count() == 160


@pytest.mark.django_db
def test_it_updates_rather_than_duplicates_when_run_again() -> None:
    generate("--homes", "30", "--cars", "10", "--seed", "3")
    first = listings()

    output = generate("--homes", "40", "--cars", "10", "--seed", "3")

    assert output.splitlines()[0] == "generated 40 homes and 10 cars (imported 10, updated 40)"
    added = {f"3-home-{index}" for index in range(30, 40)}
    assert [row for row in listings() if row[1] not in added] == first
    assert not PriceChange.objects.exists()


@pytest.mark.django_db
def test_it_makes_believable_homes_and_cars() -> None:
    generate("--homes", "400", "--cars", "100", "--seed", "1")

    homes = Listing.objects.filter(kind="home")
    assert Counter(homes.values_list("offer", flat=True)) == Counter({"sale": 342, "rent": 58})
    assert set(Listing.objects.values_list("source", "status")) == {("demo", "active")}
    assert not homes.filter(lat__isnull=True).exists()
    rents = list(homes.filter(offer="rent").values_list("price", flat=True))
    assert Decimal(400) <= min(rents) and max(rents) < Decimal(20_000)
    lot = homes.filter(house_size__isnull=True).first()
    assert lot is not None and lot.bed is None and lot.title.endswith(f"-acre lot in {lot.city}, {lot.state}")
    cars = Listing.objects.filter(kind="car")
    assert not cars.filter(make="").exists()
    new, old = cars.filter(year__gte=2022), cars.filter(year__lte=2014)
    assert median(new.values_list("price", flat=True)) > 2 * median(old.values_list("price", flat=True))


@pytest.mark.django_db
def test_it_prices_homes_by_state() -> None:
    generate("--homes", "1500", "--cars", "0", "--seed", "2")

    def price_per_sqft(states: list[str]) -> float:
        homes = Listing.objects.filter(state__in=states, offer="sale", house_size__isnull=False)
        return median(float(price) / size for price, size in homes.values_list("price", "house_size"))

    assert price_per_sqft(["CA", "HI", "MA", "WA"]) > 2 * price_per_sqft(["MS", "WV", "AR", "KY", "OK"])


@pytest.mark.django_db
def test_it_creates_the_demo_logins_and_gives_listings_to_demo_sellers() -> None:
    generate("--homes", "50", "--cars", "10", "--seed", "4")

    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    for username in ("buyer", "seller", "admin"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    owners = set(Listing.objects.values_list("seller__username", flat=True))
    assert owners == {"seller", "seller2", "seller3", "seller4", "seller5"}
    assert not User.objects.get(username="buyer").listings.exists()


@pytest.mark.django_db
def test_it_keeps_an_existing_users_password(seller: User) -> None:
    generate("--homes", "1", "--cars", "0", "--seed", "4")

    seller.refresh_from_db()
    assert seller.check_password("correct horse battery staple")


@pytest.mark.django_db
def test_it_does_nothing_with_if_empty_when_listings_exist() -> None:
    HomeFactory()

    output = generate("--homes", "10", "--cars", "10", "--if-empty")

    assert output == "Listings already exist; nothing generated.\n"
    assert Listing.objects.count() == 1
    assert not User.objects.filter(username="buyer").exists()


@pytest.mark.django_db
def test_it_generates_with_if_empty_on_an_empty_database() -> None:
    output = generate("--homes", "10", "--cars", "5", "--if-empty")

    assert output == "generated 10 homes and 5 cars (imported 15, updated 0)\n" + LOGINS
    assert Listing.objects.count() == 15
