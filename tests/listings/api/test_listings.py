"""The JSON API at /api/: listings, photos, favorites, interactions, inquiries and tokens."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from listings.models import Favorite, Inquiry, Interaction, Listing, ListingPhoto, PriceChange, Status
from listings.places import zip_place
from listings.services import MAX_PHOTOS_PER_LISTING
from tests.factories import CarFactory, FavoriteFactory, HomeFactory, UserFactory
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db

LISTINGS = "/api/listings/"
FAVORITES = "/api/favorites/"
INTERACTIONS = "/api/interactions/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    # Throttle counts live in the cache, which outlives a test.
    cache.clear()


def _detail(listing: Listing) -> str:
    return f"{LISTINGS}{listing.pk}/"


def _png(width: int = 4, height: int = 3) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("front.png", buffer.getvalue(), content_type="image/png")


def _home_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "home", "offer": "sale", "title": "Sunny house in Ponce", "description": "Near the plaza.",
        "price": "185000.00", "city": "Ponce", "state": "Puerto Rico", "zip_code": "731", "bed": 3,
        "bath": "2.0", "house_size": 1400, "acre_lot": 0.2,
    }
    payload.update(overrides)
    return payload


def _car_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "car", "title": "2019 Toyota Camry", "price": "18500", "state": "OR", "zip_code": "97501",
        "make": "Toyota", "model": "Camry", "year": 2019, "odometer": 42000,
    }
    payload.update(overrides)
    return payload


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# Search


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


# The listing shape


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


# Visibility


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


# Create


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


# Update and delete


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


# Publish and withdraw


def test_it_publishes_and_withdraws_for_the_owner(api_client: APIClient, seller: User) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)
    api_client.force_authenticate(seller)

    published = api_client.post(f"{_detail(draft)}publish/")
    withdrawn = api_client.post(f"{_detail(draft)}withdraw/")

    assert (published.status_code, published.json()["status"]) == (200, "active")
    assert published.json()["published_at"] is not None
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert APIClient().get(_detail(draft)).status_code == 404


@pytest.mark.parametrize("action", ["publish", "withdraw"])
def test_it_forbids_publishing_or_withdrawing_another_sellers_listing(
    api_client: APIClient, other_seller: User, action: str
) -> None:
    home = HomeFactory(status=Status.PENDING)
    api_client.force_authenticate(other_seller)

    response = api_client.post(f"{_detail(home)}{action}/")

    assert response.status_code == 403
    assert Listing.objects.values_list("status", flat=True).get() == Status.PENDING


# Photos


def test_it_adds_a_png_photo(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)

    response = api_client.post(f"{_detail(home)}photos/", {"image": _png(40, 30)}, format="multipart")

    assert response.status_code == 201
    photo = ListingPhoto.objects.get()
    assert response.json() == {
        "id": photo.pk, "url": f"http://testserver{photo.image.url}", "width": 40, "height": 30, "position": 1
    }
    assert photo.image.url.startswith(f"/media/listings/{home.pk}/")
    assert api_client.get(_detail(home)).json()["photos"] == [f"http://testserver{photo.image.url}"]


def test_it_refuses_a_text_file_as_a_photo(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)
    text = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")

    response = api_client.post(f"{_detail(home)}photos/", {"image": text}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert ListingPhoto.objects.count() == 0


def test_it_refuses_a_photo_over_the_size_limit(api_client: APIClient, seller: User, settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 50
    home = HomeFactory(seller=seller)
    api_client.force_authenticate(seller)

    response = api_client.post(f"{_detail(home)}photos/", {"image": _png(64, 64)}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert ListingPhoto.objects.count() == 0


def test_it_refuses_a_photo_past_the_listings_limit(api_client: APIClient, seller: User) -> None:
    home = HomeFactory(seller=seller)
    ListingPhoto.objects.bulk_create(
        ListingPhoto(listing=home, image=f"listings/{home.pk}/{n}.png", width=4, height=3, position=n)
        for n in range(1, MAX_PHOTOS_PER_LISTING + 1)
    )
    api_client.force_authenticate(seller)

    response = api_client.post(f"{_detail(home)}photos/", {"image": _png()}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [f"A listing has at most {MAX_PHOTOS_PER_LISTING} photos."]}
    assert ListingPhoto.objects.count() == MAX_PHOTOS_PER_LISTING


def test_it_forbids_adding_photos_to_another_sellers_listing(api_client: APIClient, other_seller: User) -> None:
    home = HomeFactory()
    api_client.force_authenticate(other_seller)

    response = api_client.post(f"{_detail(home)}photos/", {"image": _png()}, format="multipart")

    assert response.status_code == 403
    assert ListingPhoto.objects.count() == 0


# Favorites


def test_it_adds_lists_and_removes_favorites(api_client: APIClient, buyer: User) -> None:
    home, car = HomeFactory(), CarFactory()
    api_client.force_authenticate(buyer)

    added = api_client.post(FAVORITES, {"listing": home.pk}, format="json")
    again = api_client.post(FAVORITES, {"listing": home.pk}, format="json")
    api_client.post(FAVORITES, {"listing": car.pk}, format="json")
    listed = api_client.get(FAVORITES)
    removed = api_client.delete(f"{FAVORITES}{home.pk}/")

    assert (added.status_code, added.json()["listing"]) == (201, home.pk)
    assert (again.status_code, again.json()["listing"]) == (200, home.pk)
    assert _ids(listed) == [car.pk, home.pk]
    assert removed.status_code == 204
    assert _ids(api_client.get(FAVORITES)) == [car.pk]
    assert list(Interaction.objects.filter(listing=home).order_by("id").values_list("event", flat=True)) == [
        "favorite", "unfavorite"
    ]


def test_it_refuses_to_favorite_a_listing_the_user_cannot_see(api_client: APIClient, buyer: User) -> None:
    draft = HomeFactory(status=Status.DRAFT, published_at=None)
    api_client.force_authenticate(buyer)

    hidden = api_client.post(FAVORITES, {"listing": draft.pk}, format="json")
    missing = api_client.post(FAVORITES, {"listing": 10**30}, format="json")
    junk = api_client.post(FAVORITES, {"listing": "first"}, format="json")

    assert [response.status_code for response in (hidden, missing, junk)] == [400, 400, 400]
    assert [list(response.json()) for response in (hidden, missing, junk)] == [["listing"]] * 3
    assert Favorite.objects.count() == 0


def test_it_lists_favorites_in_three_queries(
    api_client: APIClient, buyer: User, django_assert_num_queries: Any
) -> None:
    for listing in HomeFactory.create_batch(5):
        FavoriteFactory(user=buyer, listing=listing)
        ListingPhoto.objects.create(listing=listing, image=_png(), position=1)
    api_client.force_authenticate(buyer)

    with django_assert_num_queries(3):  # count, page with sellers, photos
        response = api_client.get(FAVORITES)

    assert response.json()["count"] == 5


def test_it_keeps_favorites_private(api_client: APIClient) -> None:
    assert api_client.get(FAVORITES).status_code == 403
    assert api_client.post(FAVORITES, {"listing": HomeFactory().pk}, format="json").status_code == 403


def test_it_answers_404_when_unfavoriting_no_listing(api_client: APIClient, buyer: User) -> None:
    api_client.force_authenticate(buyer)

    assert api_client.delete(f"{FAVORITES}999999/").status_code == 404


# Interactions


def test_it_records_an_anonymous_visitors_signals_under_one_session(api_client: APIClient) -> None:
    home = HomeFactory()

    first = api_client.post(INTERACTIONS, {"listing": home.pk, "event": "view"}, format="json")
    second = api_client.post(
        INTERACTIONS, {"listing": home.pk, "event": "share", "context": {"via": "email"}}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    session_key = api_client.cookies["sessionid"].value
    assert list(Interaction.objects.order_by("id").values_list("user_id", "session_key", "event", "context")) == [
        (None, session_key, "view", {}), (None, session_key, "share", {"via": "email"})
    ]
    assert second.json() == {
        "id": second.json()["id"], "listing": home.pk, "event": "share", "context": {"via": "email"},
        "created_at": second.json()["created_at"],
    }


def test_it_records_a_signed_in_users_signal(api_client: APIClient, buyer: User) -> None:
    car = CarFactory()
    api_client.force_authenticate(buyer)

    response = api_client.post(INTERACTIONS, {"listing": car.pk, "event": "search_click"}, format="json")

    assert response.status_code == 201
    assert list(Interaction.objects.values_list("user_id", "session_key", "listing_id", "event")) == [
        (buyer.pk, "", car.pk, "search_click")
    ]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"event": "stare"}, ["event"]),
        ({"event": "favorite"}, ["event"]),  # recorded by the favorites endpoint, not reported
        ({"event": "view", "listing": 999_999}, ["listing"]),
        ({"event": "view", "listing": "ten"}, ["listing"]),
        ({"event": "view", "context": ["not", "an", "object"]}, ["context"]),
        ({"event": "view", "context": {"note": "nul\x00"}}, ["context"]),
        ({"event": "view", "context": {"note": "x" * 3000}}, ["context"]),
    ],
)
def test_it_refuses_bad_signals(api_client: APIClient, payload: dict[str, Any], fields: list[str]) -> None:
    home = HomeFactory()

    response = api_client.post(INTERACTIONS, {"listing": home.pk, **payload}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Interaction.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ('{"listing": LISTING, "event": "view", "context": {"n": 1e400}}', ["context"]),
        ('{"listing": LISTING, "event": "view", "context": {"text": "\\ud800"}}', ["context"]),
        ('{"listing": 1e400, "event": "view"}', ["listing"]),
        ('{"listing": true, "event": "view"}', ["listing"]),
        ('{"listing": 1.0, "event": "view"}', ["listing"]),
        ("null", ["non_field_errors"]),
    ],
)
def test_it_refuses_junk_json_signals(api_client: APIClient, body: str, fields: list[str]) -> None:
    home = HomeFactory()

    response = api_client.post(
        INTERACTIONS, body.replace("LISTING", str(home.pk)), content_type="application/json"
    )

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Interaction.objects.count() == 0


def test_it_refuses_signals_about_a_hidden_listing(api_client: APIClient) -> None:
    draft = HomeFactory(status=Status.DRAFT, published_at=None)

    response = api_client.post(INTERACTIONS, {"listing": draft.pk, "event": "view"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["listing"]


def test_it_throttles_signals(api_client: APIClient, settings: Any) -> None:
    throttle_rates(settings, interactions="3/min")
    home = HomeFactory()

    codes = [
        api_client.post(INTERACTIONS, {"listing": home.pk, "event": "impression"}, format="json").status_code
        for _ in range(4)
    ]

    assert codes == [201, 201, 201, 429]
    assert Interaction.objects.count() == 3


# Inquiries


def test_it_sends_an_inquiry_to_the_seller_once(
    api_client: APIClient, buyer: User, seller: User, mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    home = HomeFactory(seller=seller, title="Sunny house")
    api_client.force_authenticate(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"{_detail(home)}inquiries/", {"message": "Is it still available?", "reply_to": "b@example.com"},
            format="json",
        )

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert response.json() == {
        "id": inquiry.pk, "listing": home.pk, "message": "Is it still available?", "reply_to": "b@example.com",
        "created_at": inquiry.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert [(mail.to, mail.reply_to, mail.subject) for mail in mailoutbox] == [
        (["seller@example.com"], ["b@example.com"], "Question about Sunny house")
    ]
    assert list(Interaction.objects.values_list("user_id", "event")) == [(buyer.pk, "contact")]


def test_it_explains_that_an_imported_listing_has_no_seller_to_contact(
    api_client: APIClient, buyer: User, mailoutbox: list[Any]
) -> None:
    imported = HomeFactory(seller=None, source="realtor")
    api_client.force_authenticate(buyer)

    response = api_client.post(
        f"{_detail(imported)}inquiries/", {"message": "Hello", "reply_to": "b@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This listing was imported and has no seller on TrustAsset to contact."]
    }
    assert (Inquiry.objects.count(), len(mailoutbox)) == (0, 0)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"message": "", "reply_to": "b@example.com"}, ["message"]),
        ({"message": "x" * 4001, "reply_to": "b@example.com"}, ["message"]),
        ({"message": "Hello", "reply_to": "not an address"}, ["reply_to"]),
    ],
)
def test_it_refuses_bad_inquiries(
    api_client: APIClient, buyer: User, payload: dict[str, str], fields: list[str]
) -> None:
    api_client.force_authenticate(buyer)

    response = api_client.post(f"{_detail(HomeFactory())}inquiries/", payload, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_it_refuses_anonymous_inquiries(api_client: APIClient) -> None:
    response = api_client.post(
        f"{_detail(HomeFactory())}inquiries/", {"message": "Hello", "reply_to": "b@example.com"}, format="json"
    )

    assert response.status_code == 403
    assert Inquiry.objects.count() == 0


def test_it_throttles_inquiries(api_client: APIClient, buyer: User, settings: Any) -> None:
    throttle_rates(settings, inquiries="2/hour")
    home = HomeFactory()
    api_client.force_authenticate(buyer)

    codes = [
        api_client.post(f"{_detail(home)}inquiries/", {"message": f"Hello {n}", "reply_to": "b@example.com"},
                        format="json").status_code
        for n in range(3)
    ]

    assert codes == [201, 201, 429]
    assert Inquiry.objects.count() == 2


# Tokens


def test_it_trades_a_password_for_a_token_that_signs_requests_in(api_client: APIClient) -> None:
    user = UserFactory(username="tokenholder")
    favorite = FavoriteFactory(user=user)

    response = api_client.post("/api/auth/token/", {"username": "tokenholder",
                                                    "password": "correct horse battery staple"}, format="json")
    token = response.json()["token"]
    signed_in = APIClient(HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert _ids(signed_in.get(FAVORITES)) == [favorite.listing_id]
    assert user.auth_token.key == token


def test_it_refuses_a_token_for_a_wrong_password(api_client: APIClient) -> None:
    UserFactory(username="tokenholder")

    response = api_client.post("/api/auth/token/", {"username": "tokenholder", "password": "guess"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_it_limits_password_guesses_for_tokens(api_client: APIClient, settings: Any) -> None:
    throttle_rates(settings, logins="2/min")
    UserFactory(username="tokenholder")

    codes = [
        api_client.post("/api/auth/token/", {"username": "tokenholder", "password": guess}, format="json").status_code
        for guess in ("guess1", "guess2", "correct horse battery staple")
    ]

    assert codes == [400, 400, 429]


def test_it_answers_400_to_json_nested_too_deeply(api_client: APIClient, buyer: User) -> None:
    api_client.force_authenticate(buyer)

    response = api_client.post("/api/listings/", "[" * 100_000 + "]" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


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
