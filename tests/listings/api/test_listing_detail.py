"""/api/listings/{id}/: the listing shape, who may see it, updating and deleting it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Listing, ListingPhoto, PriceChange, Status
from listings.places import zip_place
from tests.factories import CarFactory, HomeFactory
from tests.listings.api.conftest import LISTINGS, _detail, _home_payload, _png

pytestmark = pytest.mark.django_db


def test_it_shows_a_home_with_every_field(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller, title="Sunny house", description="Near the plaza.", price=Decimal(150_000),
                       prev_sold_date=date(2019, 5, 1), brokered_by="1234")

    response = api_client.get(_detail(home))

    assert response.status_code == 200
    assert response.json() == {
        "id": home.pk, "url": f"http://testserver/listings/{home.pk}/", "kind": "home", "offer": "sale",
        "status": "active", "title": "Sunny house", "description": "Near the plaza.", "price": "150000.00",
        "city": "Ponce", "state": "PR", "zip_code": "00731", "lat": 18.0111, "lon": -66.6141,
        "seller": "seller", "source": "trustasset",
        "published_at": home.published_at.isoformat().replace("+00:00", "Z"),
        "updated_at": home.updated_at.isoformat().replace("+00:00", "Z"),
        "photos": [f"http://testserver/listings/{home.pk}/placeholder.svg"],
        "bed": 3, "bath": "2.0", "house_size": 1500, "acre_lot": 0.25, "prev_sold_date": "2019-05-01",
        "brokered_by": "1234",
        "make": None, "model": None, "year": None, "odometer": None, "condition": None, "cylinders": None,
        "fuel": None, "transmission": None, "drive": None, "size": None, "body_type": None, "paint_color": None,
        "title_status": None,
    }


def test_it_shows_a_car_with_home_fields_null_and_an_imported_one_without_seller(api_client: APIClient) -> None:
    car = CarFactory(seller=None, source="craigslist")

    body = api_client.get(_detail(car)).json()

    assert body["seller"] is None
    assert body["source"] == "craigslist"
    assert {field: body[field] for field in ("bed", "bath", "house_size", "acre_lot", "prev_sold_date",
                                             "brokered_by", "size", "cylinders", "lat", "lon")} == dict.fromkeys(
        ("bed", "bath", "house_size", "acre_lot", "prev_sold_date", "brokered_by", "size", "cylinders", "lat", "lon")
    )
    assert {field: body[field] for field in ("make", "model", "year", "odometer", "drive", "body_type")} == {
        "make": "Ford", "model": "Transit Connect", "year": 2016, "odometer": 104340, "drive": "fwd",
        "body_type": "van",
    }


def test_it_lists_photo_urls_in_order(api_client: APIClient) -> None:
    home = HomeFactory()
    second = ListingPhoto.objects.create(listing=home, image=_png(), position=2)
    first = ListingPhoto.objects.create(listing=home, image=_png(), position=1)

    body = api_client.get(_detail(home)).json()

    assert body["photos"] == [f"http://testserver{first.image.url}", f"http://testserver{second.image.url}"]


@pytest.mark.parametrize(
    ("viewer", "status_code"),
    [(None, 404), ("other_seller", 404), ("buyer", 404), ("seller", 200), ("admin_user", 200)],
)
def test_it_shows_a_draft_only_to_its_seller_and_staff(
    api_client: APIClient, request: pytest.FixtureRequest, seller: User, viewer: str | None, status_code: int
) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)
    if viewer:
        api_client.force_authenticate(request.getfixturevalue(viewer))

    assert api_client.get(_detail(draft)).status_code == status_code


@pytest.mark.parametrize("listing_status", [Status.PENDING, Status.SOLD])
def test_it_shows_pending_and_sold_listings_to_anyone(api_client: APIClient, listing_status: str) -> None:
    listing = HomeFactory(status=listing_status)

    assert api_client.get(_detail(listing)).json()["status"] == listing_status


def test_it_answers_404_for_an_id_beyond_the_database_range(api_client: APIClient) -> None:
    assert api_client.get(f"{LISTINGS}99999999999999999999999/").status_code == 404


def test_it_records_a_price_change_made_by_the_owner(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(150_000))
    api_client.force_authenticate(seller)

    response = api_client.patch(_detail(home), {"price": "140000"}, format="json")

    assert response.status_code == 200
    assert response.json()["price"] == "140000.00"
    assert list(PriceChange.objects.values_list("listing_id", "old_price", "new_price")) == [
        (home.pk, Decimal(150_000), Decimal(140_000))
    ]


def test_it_records_no_price_change_when_the_price_stays(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)

    response = api_client.patch(_detail(home), {"title": "Renovated house", "state": "texas"}, format="json")

    assert response.status_code == 200
    home.refresh_from_db()
    assert (home.title, home.state) == ("Renovated house", "TX")
    assert PriceChange.objects.count() == 0


def test_it_moves_the_coordinates_with_a_new_zip(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)

    api_client.patch(_detail(home), {"zip_code": "00901", "city": "San Juan"}, format="json")

    place = zip_place("00901")
    assert place is not None
    assert Listing.objects.values_list("zip_code", "lat", "lon").get() == ("00901", place.lat, place.lon)


def test_it_checks_ranges_against_the_listing_after_the_change(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(1_500_000))
    api_client.force_authenticate(seller)

    response = api_client.patch(_detail(home), {"offer": "rent"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["price"]
    assert Listing.objects.values_list("offer", flat=True).get() == "sale"


def test_it_replaces_the_whole_listing_on_put(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller, description="Old words", brokered_by="77")
    api_client.force_authenticate(seller)

    payload = _home_payload(brokered_by=None)
    del payload["description"]

    response = api_client.put(_detail(home), payload, format="json")

    assert response.status_code == 200
    home.refresh_from_db()
    assert (home.title, home.description, home.brokered_by, home.price) == (
        "Sunny house in Ponce", "", "", Decimal(185_000)
    )


def test_it_lets_staff_edit_any_listing(api_client: APIClient, admin_user: User) -> None:
    home = HomeFactory()
    api_client.force_authenticate(admin_user)

    response = api_client.patch(_detail(home), {"title": "Moderated title"}, format="json")

    assert response.status_code == 200
    assert Listing.objects.values_list("title", flat=True).get() == "Moderated title"


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_it_forbids_changing_another_sellers_listing(
    api_client: APIClient, seller: User, other_seller: User, method: str
) -> None:
    home = HomeFactory(seller=seller, title="Original", price=Decimal(150_000))
    api_client.force_authenticate(other_seller)

    response = getattr(api_client, method)(_detail(home), _home_payload(title="Hijacked"), format="json")

    assert response.status_code == 403
    assert Listing.objects.values_list("title", "price").get(pk=home.pk) == ("Original", Decimal(150_000))
    assert PriceChange.objects.count() == 0


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_it_hides_another_sellers_draft_from_changes(
    api_client: APIClient, seller: User, other_seller: User, method: str
) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None, title="Original")
    api_client.force_authenticate(other_seller)

    response = getattr(api_client, method)(_detail(draft), {"title": "Hijacked"}, format="json")

    assert response.status_code == 404
    assert Listing.objects.values_list("title", flat=True).get(pk=draft.pk) == "Original"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_it_refuses_anonymous_changes(api_client: APIClient, method: str) -> None:
    home = HomeFactory(title="Original")

    response = getattr(api_client, method)(_detail(home), {"title": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert Listing.objects.values_list("title", flat=True).get() == "Original"


def test_it_deletes_the_owners_listing(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)

    response = api_client.delete(_detail(home))

    assert response.status_code == 204
    assert Listing.objects.count() == 0


def test_it_builds_the_listing_shape_exactly_as_the_declared_fields_would(rf: Any) -> None:
    from rest_framework import serializers as drf

    from listings.serializers import ListingOutputSerializer

    home = HomeFactory(bath=Decimal("2.5"), zip_code="", prev_sold_date="2015-07-18", brokered_by="103378")
    car = CarFactory(seller=None, published_at=None)
    request = rf.get("/api/listings/")
    for listing in (Listing.objects.get(pk=home.pk), Listing.objects.get(pk=car.pk)):
        fast = ListingOutputSerializer(listing, context={"request": request})
        declared = drf.Serializer.to_representation(fast, listing)

        assert fast.data == declared
