"""The listing reads that are statements of our own agree with the ORM's rule of who may see what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from listings import selectors
from listings.models import Favorite, PriceChange, Status
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_each_viewer_what_the_visibility_rule_allows(seller: User, buyer: User) -> None:
    listings = [HomeFactory(seller=seller, status=status) for status in Status.values]
    staff = UserFactory(is_staff=True)

    for viewer in (AnonymousUser(), buyer, seller, staff, None):
        allowed = set(selectors.listing_visible_queryset(user=viewer).values_list("pk", flat=True))
        seen = {listing.pk for listing in listings if selectors.listing_visible(pk=listing.pk, user=viewer)}
        paged = {listing.pk for listing in listings if selectors.listing_page(pk=listing.pk, user=viewer)}
        assert seen == paged == allowed & {listing.pk for listing in listings}, viewer
    assert len({listing.pk for listing in listings if selectors.listing_visible(pk=listing.pk, user=buyer)}) == 3


def test_a_page_holds_the_listing_its_seller_photos_price_changes_and_the_favorite(
    seller: User, buyer: User
) -> None:
    home = HomeFactory(seller=seller)
    first = home.photos.create(image="listings/a.png", width=4, height=3, position=2)
    second = home.photos.create(image="listings/b.png", width=4, height=3, position=1)
    earlier = timezone.now() - timedelta(days=3)
    PriceChange.objects.create(listing=home, old_price=Decimal(170_000), new_price=Decimal(160_000),
                               changed_at=timezone.now())
    PriceChange.objects.create(listing=home, old_price=Decimal(180_000), new_price=Decimal(170_000),
                               changed_at=earlier)
    Favorite.objects.create(user=buyer, listing=home)

    page = selectors.listing_page(pk=home.pk, user=buyer)
    unsaved = selectors.listing_page(pk=home.pk, user=seller)

    assert page is not None and unsaved is not None
    assert (page.is_favorite, unsaved.is_favorite) == (True, False)
    assert page.listing.seller.username == seller.username
    assert [photo.pk for photo in page.listing.photos.all()] == [second.pk, first.pk]
    assert page.listing.photos.count() == 2
    assert [(change.old_price, change.new_price) for change in page.listing.price_changes.all()] == [
        (Decimal("180000.00"), Decimal("170000.00")), (Decimal("170000.00"), Decimal("160000.00")),
    ]
