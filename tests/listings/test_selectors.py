"""The listing reads that are statements of our own agree with the ORM's rule of who may see what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.utils import timezone

from listings import selectors
from listings.models import Favorite, Listing, PriceChange, Status
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


def _field_values(listing: Listing) -> dict[str, object]:
    return {field.attname: getattr(listing, field.attname) for field in Listing._meta.concrete_fields}


def test_raw_listings_read_every_field_and_the_statements_other_columns(seller: User) -> None:
    homes = [HomeFactory(seller=seller, bath=Decimal("2.5")), HomeFactory(seller=None, zip_code="")]
    statement = ("SELECT l.id * 10 AS ten_times, l.*, upper(l.city) AS loud_city FROM listings_listing l "
                 "WHERE l.id = ANY(%(ids)s) ORDER BY l.id")

    for _ in range(2):  # the first run works the layout out, the second uses it
        read = selectors.raw_listings(statement, {"ids": [home.pk for home in homes]})

        assert [_field_values(listing) for listing in read] == [
            _field_values(Listing.objects.get(pk=home.pk)) for home in homes
        ]
        assert [(listing.ten_times, listing.loud_city) for listing in read] == [  # type: ignore[attr-defined]
            (home.pk * 10, home.city.upper()) for home in homes
        ]
        assert [(listing._state.adding, listing._state.db) for listing in read] == [(False, "default")] * 2


def test_raw_listings_refuse_a_statement_without_the_listings_fields() -> None:
    HomeFactory()

    assert selectors.raw_listings("SELECT l.* FROM listings_listing l WHERE false", {}) == []
    with pytest.raises(ValueError, match="does not select the listing's kind, offer"):
        selectors.raw_listings("SELECT l.id FROM listings_listing l", {})


def test_raw_listings_follow_a_column_added_while_the_process_runs() -> None:
    home = HomeFactory()
    statement = "SELECT l.*, upper(l.city) AS loud_city FROM listings_listing l WHERE l.id = %(pk)s"
    selectors.raw_listings(statement, {"pk": home.pk})  # the layout is kept
    with connection.cursor() as cursor:  # as a rolling deploy's migration would, under the running process
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the factory's row is checked now: ALTER needs that
        cursor.execute("ALTER TABLE listings_listing ADD COLUMN added_later integer DEFAULT 7")

    [read] = selectors.raw_listings(statement, {"pk": home.pk})

    assert _field_values(read) == _field_values(Listing.objects.get(pk=home.pk))
    assert (read.loud_city, read.added_later) == (home.city.upper(), 7)  # type: ignore[attr-defined]
