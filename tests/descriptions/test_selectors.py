"""Reads for descriptions: the comparable homes' median price per square foot."""

from __future__ import annotations

from decimal import Decimal

import pytest

from descriptions.selectors import price_per_sqft_median
from listings.models import Status
from tests.factories import HomeFactory

pytestmark = pytest.mark.django_db


def test_it_takes_the_median_price_per_square_foot_of_five_comparable_homes() -> None:
    home = HomeFactory(city="Ponce", price=Decimal(1), house_size=1_000)
    for price in (100_000, 120_000, 150_000, 200_000, 400_000):
        HomeFactory(city="ponce", price=Decimal(price), house_size=1_000)
    HomeFactory(city="Ponce", price=Decimal(900_000), house_size=1_000, status=Status.SOLD)

    assert price_per_sqft_median(listing=home) == 150.0


def test_it_has_no_median_below_five_comparable_homes() -> None:
    home = HomeFactory(city="Ponce")
    HomeFactory.create_batch(4, city="Ponce")

    assert price_per_sqft_median(listing=home) is None
