"""The security tests' world: seller A's listings, photo, saved search and description draft, seller B's own
listing, and the people (see ``endpoints.World``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from listings.models import Status
from tests.factories import DescriptionRequestFactory, HomeFactory, SavedSearchFactory
from tests.security.endpoints import World, png_upload


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counts and failed log-ins live in the cache, which outlives a test.
    cache.clear()


@pytest.fixture
def world(buyer: User, seller: User, other_seller: User, admin_user: User) -> World:
    listing = HomeFactory(seller=seller, title="12 Oak St")
    return World(
        users={"anonymous": None, "buyer": buyer, "seller_a": seller, "seller_b": other_seller, "admin": admin_user},
        listing=listing,
        draft=HomeFactory(seller=seller, title="9 Elm St", status=Status.DRAFT, published_at=None),
        other_listing=HomeFactory(seller=other_seller, title="4 Pine St"),
        photo=listing.photos.create(image=png_upload(), position=1),
        saved_search=SavedSearchFactory(user=seller),
        description_request=DescriptionRequestFactory(listing=listing),
    )
