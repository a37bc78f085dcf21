"""Fixtures and helpers shared by the page tests: a signed-in seller and a small catalogue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from listings.models import Listing, Status
from tests.factories import CarFactory, HomeFactory


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"].object_list]


@pytest.fixture
def signed_in(client: Client, seller: User) -> Client:
    client.force_login(seller)
    return client


@pytest.fixture
def catalog(db) -> dict[str, Listing]:
    """Five active listings published a day apart (oldest first), plus a draft and a withdrawn one."""
    now = timezone.now()
    listings = {
        "ponce_house": HomeFactory(
            title="Cozy house in Ponce", price=Decimal(120_000), bed=2, bath=Decimal(1), city="Ponce",
            zip_code="00731", published_at=now - timedelta(days=5),
        ),
        "ocean_house": HomeFactory(
            title="Ocean view house", description="Ocean breeze and ocean sunsets.", price=Decimal(350_000), bed=4,
            bath=Decimal(3), city="San Juan", zip_code="00901", published_at=now - timedelta(days=4),
        ),
        "san_juan_rental": HomeFactory(
            title="Apartment for rent", description="Ten minutes from the ocean.", offer="rent",
            price=Decimal(1_500), bed=3, bath=Decimal(2), city="San Juan", zip_code="00901",
            published_at=now - timedelta(days=3),
        ),
        "ford": CarFactory(title="2016 Ford Transit Connect", published_at=now - timedelta(days=2)),
        "toyota": CarFactory(
            title="2020 Toyota Corolla", make="Toyota", model="Corolla", year=2020, price=Decimal(18_000),
            city="Portland", zip_code="97201", published_at=now - timedelta(days=1),
        ),
        "draft": HomeFactory(title="Draft house", status=Status.DRAFT, published_at=None),
        "withdrawn": CarFactory(title="Withdrawn Ford", status=Status.WITHDRAWN),
    }
    return listings
