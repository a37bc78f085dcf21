"""/api/listings/{id}/photos/: adding photos, and the limits on them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from listings.models import ListingPhoto
from listings.services import MAX_PHOTOS_PER_LISTING
from tests.factories import HomeFactory
from tests.listings.api.conftest import _detail, _png

pytestmark = pytest.mark.django_db


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
