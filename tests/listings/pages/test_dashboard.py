"""The seller dashboard: creating, editing, publishing and withdrawing listings, and who may."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from listings.models import Favorite, Inquiry, Listing, ListingPhoto, PriceChange, SavedSearch, Status
from tests.factories import HomeFactory, SavedSearchFactory
from tests.listings.conftest import png_bytes

pytestmark = pytest.mark.django_db


HOME_FORM = {
    "kind": "home", "offer": "sale", "title": "Sunny house", "description": "Near the plaza.", "price": "185000",
    "city": "", "state": "Puerto Rico", "zip_code": "731", "bed": "3", "bath": "2", "house_size": "1400",
    "acre_lot": "0.2", "prev_sold_date": "2019-06-01", "publish_now": "on",
}
CAR_FORM = {
    "kind": "car", "offer": "sale", "title": "Reliable Civic", "price": "9500", "city": "Medford", "state": "or",
    "zip_code": "97501", "make": "Honda", "model": "Civic", "year": "2014", "odometer": "88000",
    "condition": "good", "fuel": "gas", "transmission": "manual",
}


def test_it_lists_only_the_sellers_own_listings_on_the_dashboard(signed_in: Client, seller: User) -> None:
    HomeFactory(seller=seller, title="Mine")
    HomeFactory(seller=seller, title="My draft", status=Status.DRAFT)
    HomeFactory(title="Not mine")

    response = signed_in.get(reverse("dashboard"))

    assert response.status_code == 200
    assert sorted(listing.title for listing in response.context["listings"]) == ["Mine", "My draft"]


def test_it_shows_the_dashboard_in_a_fixed_number_of_queries(
    signed_in: Client, seller: User, django_assert_num_queries
) -> None:
    for _ in range(5):
        HomeFactory(seller=seller).photos.create(
            image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png")
        )

    with django_assert_num_queries(4):  # session, user, listings, photos
        response = signed_in.get(reverse("dashboard"))

    assert len(response.context["listings"]) == 5


def test_it_shows_an_empty_listing_form_with_both_kinds_of_facts(signed_in: Client) -> None:
    response = signed_in.get(reverse("listing_create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<fieldset data-kind="home">' in content
    assert '<fieldset data-kind="car">' in content
    assert 'name="publish_now"' in content


def test_it_creates_and_publishes_a_home(signed_in: Client, seller: User) -> None:
    response = signed_in.post(reverse("listing_create"), {**HOME_FORM, "make": "Ford", "year": "not a year"})

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()
    assert (listing.seller, listing.kind, listing.status, listing.title, listing.price) == (
        seller, "home", "active", "Sunny house", Decimal(185_000),
    )
    assert (listing.city, listing.state, listing.zip_code) == ("Ponce", "PR", "00731")
    assert (listing.lat, listing.lon) == (18.0956, -66.6415)
    assert (listing.bed, listing.bath, listing.house_size) == (3, Decimal(2), 1400)
    assert (listing.make, listing.year) == ("", None)
    assert listing.published_at is not None


def test_it_creates_a_car_as_a_draft(signed_in: Client) -> None:
    signed_in.post(reverse("listing_create"), {**CAR_FORM, "bed": "3"})

    listing = Listing.objects.get()
    assert (listing.kind, listing.status, listing.published_at) == ("car", "draft", None)
    assert (listing.make, listing.model, listing.year, listing.odometer, listing.state) == (
        "Honda", "Civic", 2014, 88000, "OR",
    )
    assert listing.bed is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "5"}, {"price": ["Price $5 is outside the sane range $1,000–$500,000,000."]}),
        ({"bed": "25"}, {"bed": ["25 bedrooms is impossible (0–20)."]}),
        ({"state": "Narnia"}, {"state": ["Unknown state; use its name or two-letter code."]}),
        ({"zip_code": "97501"}, {"zip_code": ["ZIP code 97501 is in OR, not PR."]}),
        ({"price": "lots"}, {"price": ["Enter a number."]}),
    ],
)
def test_it_shows_field_errors_for_a_bad_home(
    signed_in: Client, changes: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = signed_in.post(reverse("listing_create"), {**HOME_FORM, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert errors[next(iter(errors))][0] in response.content.decode()
    assert Listing.objects.count() == 0


def test_it_requires_make_model_and_year_for_a_car(signed_in: Client) -> None:
    response = signed_in.post(reverse("listing_create"), {**CAR_FORM, "make": "", "model": "", "year": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "make": ["Required for a car."], "model": ["Required for a car."], "year": ["Required for a car."],
    }


def test_it_edits_a_listing_and_records_the_price_change(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(150_000))

    response = signed_in.post(
        reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "kind": "car", "price": "140000", "title": "Cheaper"}
    )

    home.refresh_from_db()
    assert response.status_code == 302
    assert (home.kind, home.title, home.price) == ("home", "Cheaper", Decimal(140_000))
    assert list(PriceChange.objects.values_list("listing_id", "old_price", "new_price")) == [
        (home.pk, Decimal(150_000), Decimal(140_000)),
    ]


def test_it_records_no_price_change_when_the_price_stays(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(185_000))

    signed_in.post(reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "title": "New title"})

    home.refresh_from_db()
    assert home.title == "New title"
    assert PriceChange.objects.count() == 0


def test_it_shows_the_edit_form_with_the_current_values(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, title="Current title")

    response = signed_in.get(reverse("listing_edit", args=[home.pk]))

    assert response.status_code == 200
    assert 'value="Current title"' in response.content.decode()
    assert "publish_now" not in response.context["form"].fields


def test_it_publishes_and_withdraws_a_listing(signed_in: Client, seller: User) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)

    published = signed_in.post(reverse("listing_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert published["Location"] == reverse("dashboard")
    assert draft.status == "active"
    assert draft.published_at is not None

    signed_in.post(reverse("listing_withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "withdrawn"


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("listing_edit", "get", {}),
        ("listing_edit", "post", {**HOME_FORM, "price": "1000"}),
        ("listing_publish", "post", {}),
        ("listing_withdraw", "post", {}),
        ("listing_photo_upload", "get", {}),
    ],
)
def test_it_hides_a_listing_from_another_seller(
    client: Client, other_seller: User, name: str, method: str, data: dict[str, str]
) -> None:
    home = HomeFactory(price=Decimal(150_000))
    before = Listing.objects.values().get(pk=home.pk)
    client.force_login(other_seller)

    response = getattr(client, method)(reverse(name, args=[home.pk]), data)

    assert response.status_code == 404
    assert Listing.objects.values().get(pk=home.pk) == before
    assert PriceChange.objects.count() == 0


def test_it_refuses_a_photo_upload_by_another_seller(client: Client, other_seller: User) -> None:
    home = HomeFactory()
    client.force_login(other_seller)

    response = client.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", png_bytes(), content_type="image/png")},
    )

    assert response.status_code == 404
    assert ListingPhoto.objects.count() == 0


def test_it_lets_staff_edit_any_listing(client: Client, admin_user: User) -> None:
    home = HomeFactory(price=Decimal(150_000))
    client.force_login(admin_user)

    client.post(reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "price": "151000"})

    home.refresh_from_db()
    assert home.price == Decimal(151_000)


@pytest.mark.parametrize(
    ("name", "method", "needs_listing"),
    [
        ("dashboard", "get", False),
        ("listing_create", "get", False),
        ("listing_create", "post", False),
        ("favorites", "get", False),
        ("saved_searches", "get", False),
        ("saved_search_create", "post", False),
        ("listing_edit", "get", True),
        ("listing_edit", "post", True),
        ("listing_publish", "post", True),
        ("listing_withdraw", "post", True),
        ("listing_photo_upload", "get", True),
        ("listing_photo_upload", "post", True),
        ("favorite_toggle", "post", True),
        ("listing_contact", "post", True),
    ],
)
def test_it_sends_anonymous_visitors_to_log_in(client: Client, name: str, method: str, needs_listing: bool) -> None:
    home = HomeFactory()
    url = reverse(name, args=[home.pk] if needs_listing else [])

    data = {"action": "add", "message": "Hi", **HOME_FORM} if method == "post" else None
    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert Listing.objects.count() == 1
    assert (Favorite.objects.count(), Inquiry.objects.count(), SavedSearch.objects.count()) == (0, 0, 0)


def test_it_sends_anonymous_visitors_to_log_in_to_delete(client: Client) -> None:
    saved = SavedSearchFactory()
    home = HomeFactory()
    photo = home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    for url in (
        reverse("saved_search_delete", args=[saved.pk]), reverse("listing_photo_delete", args=[home.pk, photo.pk]),
    ):
        response = client.post(url)
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert (SavedSearch.objects.count(), ListingPhoto.objects.count()) == (1, 1)
