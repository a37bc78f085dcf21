"""Page forms: normalization, the kind switch and where each error lands."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.forms import InquiryForm, ListingForm, PhotoForm, SavedSearchForm
from tests.factories import CarFactory, HomeFactory

# ModelForm validation checks the listing's unique constraint in the database.
pytestmark = pytest.mark.django_db

HOME = {
    "kind": "home", "offer": "sale", "title": "Sunny house", "price": "185000", "city": "", "state": "pr",
    "zip_code": "00731-1234", "bed": "3", "bath": "2.5",
}
CAR = {
    "kind": "car", "offer": "rent", "title": "Weekend convertible", "price": "450", "city": "Medford",
    "state": "Oregon", "zip_code": "", "make": "Mazda", "model": "MX-5", "year": "2019",
}


def png_file(name: str = "front.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color=(10, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_it_normalizes_state_and_zip_code_and_fills_city_and_coordinates() -> None:
    form = ListingForm(HOME)

    assert form.is_valid(), form.errors
    data = form.listing_data()
    assert (data["state"], data["zip_code"], data["city"]) == ("PR", "00731", "Ponce")
    assert (data["lat"], data["lon"]) == (18.0956, -66.6415)


def test_it_takes_coordinates_from_the_city_without_a_zip_code() -> None:
    form = ListingForm(CAR)

    assert form.is_valid(), form.errors
    data = form.listing_data()
    assert (data["state"], data["zip_code"], data["city"]) == ("OR", "", "Medford")
    assert data["lat"] is not None
    assert data["lon"] is not None


def test_it_leaves_coordinates_empty_for_an_unknown_city_without_zip() -> None:
    form = ListingForm({**CAR, "city": "Nowhereville"})

    assert form.is_valid(), form.errors
    assert (form.listing_data()["lat"], form.listing_data()["lon"]) == (None, None)


def test_it_clears_the_other_kinds_fields_and_ignores_their_errors() -> None:
    form = ListingForm({**HOME, "make": "Ford", "year": "not a year", "odometer": "-5"})

    assert form.is_valid(), form.errors
    data = form.listing_data()
    assert (data["make"], data["year"], data["odometer"]) == ("", None, None)
    assert (data["bed"], data["bath"]) == (3, Decimal("2.5"))


def test_it_clears_home_fields_of_a_car() -> None:
    form = ListingForm({**CAR, "bed": "99", "house_size": "5"})

    assert form.is_valid(), form.errors
    assert (form.listing_data()["bed"], form.listing_data()["house_size"]) == (None, None)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"state": "Atlantis"}, {"state": ["Unknown state; use its name or two-letter code."]}),
        ({"zip_code": "abc"}, {"zip_code": ["Enter a 5-digit ZIP code."]}),
        ({"zip_code": "99999"}, {"zip_code": ["Unknown ZIP code 99999."]}),
        ({"zip_code": "97501"}, {"zip_code": ["ZIP code 97501 is in OR, not PR."]}),
        ({"price": ""}, {"price": ["This field is required."]}),
        ({"price": "500"}, {"price": ["Price $500 is outside the sane range $1,000–$500,000,000."]}),
        ({"bed": "21"}, {"bed": ["21 bedrooms is impossible (0–20)."]}),
        ({"bath": "25"}, {"bath": ["25 bathrooms is impossible (0–20)."]}),
        ({"house_size": "50"}, {"house_size": ["House size 50 sqft is impossible (100–100,000)."]}),
        ({"acre_lot": "60000"}, {"acre_lot": ["Lot of 60000 acres is impossible (0–50,000)."]}),
        ({"kind": "boat"}, {"kind": ["Select a valid choice. boat is not one of the available choices."]}),
        ({"title": ""}, {"title": ["This field is required."]}),
    ],
)
def test_it_puts_each_home_error_on_its_field(changes: dict[str, str], errors: dict[str, list[str]]) -> None:
    form = ListingForm({**HOME, **changes})

    assert not form.is_valid()
    assert form.errors == errors


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "5"}, {"price": ["Price $5 per month is outside the sane range $10–$100,000 per month."]}),
        ({"year": "1800"}, {"year": ["Year 1800 is impossible (1900–2027)."]}),
        ({"odometer": "2000000"}, {"odometer": ["Odometer 2,000,000 miles is impossible (0–1,000,000)."]}),
        ({"make": ""}, {"make": ["Required for a car."]}),
    ],
)
def test_it_puts_each_car_error_on_its_field(
    changes: dict[str, str], errors: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("listings.models.year_max", lambda: 2027)
    form = ListingForm({**CAR, **changes})

    assert not form.is_valid()
    assert form.errors == errors


def test_it_keeps_the_kind_of_an_existing_listing() -> None:
    home = HomeFactory.build(pk=1, price=Decimal(150_000))
    form = ListingForm({**HOME, "kind": "car"}, instance=home)

    assert form.is_valid(), form.errors
    assert "publish_now" not in form.fields
    assert "kind" not in form.listing_data()
    assert form.cleaned_data["kind"] == "home"


def test_it_edits_a_car_without_touching_home_fields() -> None:
    car = CarFactory.build(pk=1)
    form = ListingForm({**CAR, "kind": "car", "bed": "4"}, instance=car)

    assert form.is_valid(), form.errors
    assert form.listing_data()["bed"] is None


def test_it_accepts_a_png_photo() -> None:
    form = PhotoForm(files={"image": png_file()})

    assert form.is_valid(), form.errors


def test_it_refuses_a_photo_that_is_not_an_image() -> None:
    form = PhotoForm(files={"image": SimpleUploadedFile("notes.png", b"plain text", content_type="image/png")})

    assert form.errors == {
        "image": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."],
    }


def test_it_refuses_a_photo_over_the_limit(settings) -> None:
    settings.PHOTO_MAX_BYTES = 10
    image = png_file()

    form = PhotoForm(files={"image": image})

    assert form.errors == {"image": [f"The photo is {image.size}\xa0bytes; the limit is 10\xa0bytes."]}


def test_it_refuses_a_photo_with_a_non_image_extension() -> None:
    form = PhotoForm(files={"image": png_file("front.exe")})

    assert list(form.errors) == ["image"]
    assert form.errors["image"][0].startswith("File extension “exe” is not allowed. Allowed extensions are: ")


def test_it_requires_a_message_and_a_reply_address() -> None:
    form = InquiryForm({"message": "", "reply_to": "nobody"})

    assert form.errors == {"message": ["This field is required."], "reply_to": ["Enter a valid email address."]}


def test_it_limits_a_saved_search_name() -> None:
    form = SavedSearchForm({"name": "x" * 101})

    assert form.errors == {"name": ["Ensure this value has at most 100 characters (it has 101)."]}
