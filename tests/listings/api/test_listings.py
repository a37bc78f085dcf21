"""/api/listings/: searching active listings, and creating one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Listing, ListingPhoto, Status
from listings.places import zip_place
from tests.factories import CarFactory, HomeFactory
from tests.listings.api.conftest import LISTINGS, _home_payload, _ids, _png

pytestmark = pytest.mark.django_db


def _car_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "car", "title": "2019 Toyota Camry", "price": "18500", "state": "OR", "zip_code": "97501",
        "make": "Toyota", "model": "Camry", "year": 2019, "odometer": 42000,
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def catalog() -> dict[str, Listing]:
    """A small fixed set: five active listings, plus a draft and a sold one that search never shows."""
    return {
        "ponce": HomeFactory(title="Sunny house by the beach", price=Decimal(150_000), bed=3, bath=Decimal(2),
                             city="Ponce", state="PR", zip_code="00731"),
        "san_juan_rent": HomeFactory(title="Studio apartment", offer="rent", price=Decimal(1_200), bed=1,
                                     bath=Decimal(1), city="San Juan", state="PR", zip_code="00901"),
        "austin": HomeFactory(title="Family home with pool", price=Decimal(450_000), bed=5, bath=Decimal("3.5"),
                              city="Austin", state="TX", zip_code="78701"),
        "ford": CarFactory(title="2016 Ford Transit Connect", price=Decimal(15_573), make="Ford",
                           model="Transit Connect", year=2016, city="Medford", state="OR", zip_code="97501"),
        "toyota": CarFactory(title="2020 Toyota Camry", price=Decimal(22_000), make="Toyota", model="Camry",
                             year=2020, city="Austin", state="TX", zip_code="78701"),
        "draft": HomeFactory(title="Unfinished beach draft", status=Status.DRAFT, published_at=None),
        "sold": HomeFactory(title="Sold beach cottage", status=Status.SOLD),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ponce", "san_juan_rent", "austin", "ford", "toyota"}),
        ({"kind": "car"}, {"ford", "toyota"}),
        ({"offer": "rent"}, {"san_juan_rent"}),
        ({"price_min": "100000"}, {"ponce", "austin"}),
        ({"price_max": "20000"}, {"san_juan_rent", "ford"}),
        ({"beds_min": "3"}, {"ponce", "austin"}),
        ({"baths_min": "3"}, {"austin"}),
        ({"make": "ford"}, {"ford"}),
        ({"model": "camr"}, {"toyota"}),
        ({"year_min": "2018"}, {"toyota"}),
        ({"year_max": "2018"}, {"ford"}),
        ({"city": "austin"}, {"austin", "toyota"}),
        ({"state": "Texas"}, {"austin", "toyota"}),
        ({"state": "pr"}, {"ponce", "san_juan_rent"}),
        ({"zip_code": "901"}, {"san_juan_rent"}),
        ({"q": "beach"}, {"ponce"}),
        ({"kind": "home", "state": "PR", "price_min": "1000", "offer": "sale"}, {"ponce"}),
    ],
)
def test_it_filters_active_listings_like_the_search_page(
    api_client: APIClient, catalog: dict[str, Listing], params: dict[str, str], expected: set[str]
) -> None:
    response = api_client.get(LISTINGS, params)

    assert response.status_code == 200
    assert sorted(_ids(response)) == sorted(catalog[name].pk for name in expected)


def test_it_sorts_by_price(api_client: APIClient, catalog: dict[str, Listing]) -> None:
    response = api_client.get(LISTINGS, {"sort": "price_asc"})

    names = ["san_juan_rent", "ford", "toyota", "ponce", "austin"]
    assert _ids(response) == [catalog[name].pk for name in names]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"kind": "boat"}, ["kind"]),
        ({"price_min": "cheap"}, ["price_min"]),
        ({"beds_min": "50"}, ["beds_min"]),
        ({"year_min": "99999999999999999999"}, ["year_min"]),
        ({"sort": "random", "offer": "lease"}, ["offer", "sort"]),
    ],
)
def test_it_answers_invalid_filters_with_field_errors(
    api_client: APIClient, params: dict[str, str], fields: list[str]
) -> None:
    response = api_client.get(LISTINGS, params)

    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_it_paginates(api_client: APIClient) -> None:
    HomeFactory.create_batch(21)

    first = api_client.get(LISTINGS).json()
    second = api_client.get(LISTINGS, {"page": 2}).json()

    assert list(first) == ["count", "next", "previous", "results"]
    assert (first["count"], len(first["results"]), first["previous"]) == (21, 20, None)
    assert first["next"] == "http://testserver/api/listings/?page=2"
    assert (second["count"], len(second["results"]), second["next"]) == (21, 1, None)
    assert second["previous"] == "http://testserver/api/listings/"


def test_it_lists_in_three_queries_whatever_the_page_holds(
    api_client: APIClient, django_assert_num_queries: Any
) -> None:
    for listing in [*HomeFactory.create_batch(4), *CarFactory.create_batch(4)]:
        ListingPhoto.objects.create(listing=listing, image=_png(), position=1)

    with django_assert_num_queries(3):  # count, page with sellers, photos
        response = api_client.get(LISTINGS)

    assert len(response.json()["results"]) == 8


def test_it_creates_a_draft_for_the_signed_in_seller(api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(LISTINGS, _home_payload(), format="json")

    assert response.status_code == 201
    listing = Listing.objects.get()
    place = zip_place("00731")
    assert place is not None
    assert response["Location"] == f"/api/listings/{listing.pk}/"
    assert (listing.seller_id, listing.status, listing.published_at) == (seller.pk, Status.DRAFT, None)
    assert (listing.state, listing.zip_code, listing.lat, listing.lon) == ("PR", "00731", place.lat, place.lon)
    body = response.json()
    assert (body["id"], body["seller"], body["state"], body["zip_code"], body["price"]) == (
        listing.pk, "seller", "PR", "00731", "185000.00"
    )


def test_it_publishes_at_once_when_asked(api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(LISTINGS, _car_payload(publish=True), format="json")

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert (listing.kind, listing.status, listing.make, listing.year) == ("car", Status.ACTIVE, "Toyota", 2019)
    assert listing.published_at is not None
    assert api_client.get(LISTINGS).json()["count"] == 1


def test_it_keeps_coordinates_given_with_the_zip(api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)

    api_client.post(LISTINGS, _home_payload(lat=18.01, lon=-66.61), format="json")

    assert Listing.objects.values_list("lat", "lon").get() == (18.01, -66.61)


def test_it_refuses_to_create_for_anonymous_callers(api_client: APIClient) -> None:
    response = api_client.post(LISTINGS, _home_payload(), format="json")

    assert response.status_code == 403
    assert Listing.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (_home_payload(price="-5"), ["price"]),
        (_home_payload(price="0"), ["price"]),
        (_home_payload(price="999999999"), ["price"]),
        (_home_payload(price="1e15"), ["price"]),
        (_home_payload(price="cheap"), ["price"]),
        (_home_payload(price={"amount": 1}), ["price"]),
        (_home_payload(price=True), ["price"]),
        (_home_payload(offer="rent", price="5000000"), ["price"]),
        (_home_payload(bed=50), ["bed"]),
        (_home_payload(bed=-1), ["bed"]),
        (_home_payload(bed=10**30), ["bed"]),
        (_home_payload(bed="three"), ["bed"]),
        (_home_payload(bath="2.25"), ["bath"]),
        (_home_payload(house_size=10), ["house_size"]),
        (_home_payload(acre_lot="nan"), ["acre_lot"]),
        (_home_payload(lat=True), ["lat"]),
        (_home_payload(lat=91), ["lat"]),
        (_home_payload(title=["a", "b"]), ["title"]),
        (_home_payload(title="x" * 201), ["title"]),
        (_home_payload(title="nul\x00byte"), ["title"]),
        (_home_payload(kind="boat"), ["kind"]),
        (_home_payload(offer="lease"), ["offer"]),
        (_home_payload(state="Narnia"), ["state"]),
        (_home_payload(zip_code="ABCDE"), ["zip_code"]),
        (_home_payload(prev_sold_date="yesterday"), ["prev_sold_date"]),
        (_car_payload(year=1800), ["year"]),
        (_car_payload(year=2019.5), ["year"]),
        (_car_payload(make=""), ["make"]),
        (_car_payload(make=None, model=None, year=None), ["make", "model", "year"]),
        (_car_payload(odometer=2_000_000), ["odometer"]),
        ({"kind": "home"}, ["price", "state", "title"]),
    ],
)
def test_it_refuses_bad_listings_with_field_errors(
    api_client: APIClient, seller: User, payload: dict[str, Any], fields: list[str]
) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(LISTINGS, payload, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Listing.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ('{"kind": "home", "title": "t", "price": "150000", "state": "PR", "acre_lot": 1e400}', ["acre_lot"]),
        ('{"kind": "home", "title": "t", "price": 1e400, "state": "PR"}', ["price"]),
        ("[]", ["non_field_errors"]),
        ('"listing"', ["non_field_errors"]),
        ("{not json", ["detail"]),
        ("[" * 100_000 + "]" * 100_000, ["detail"]),
    ],
)
def test_it_refuses_junk_json(api_client: APIClient, seller: User, body: str, fields: list[str]) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(LISTINGS, body, content_type="application/json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_it_explains_a_range_error_with_the_models_message(api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(LISTINGS, _home_payload(price="-5"), format="json")

    assert response.json() == {"price": ["Price must be positive."]}


def test_it_answers_400_to_json_nested_too_deeply(api_client: APIClient, buyer: User) -> None:
    api_client.force_authenticate(buyer)

    response = api_client.post("/api/listings/", "[" * 100_000 + "]" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}
