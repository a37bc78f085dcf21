"""Uploading and deleting a listing's photos from the dashboard."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from listings.models import ListingPhoto
from tests.factories import HomeFactory
from tests.listings.conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_it_uploads_a_png_photo(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", png_bytes(size=(8, 6)), content_type="image/png")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("listing_photo_upload", args=[home.pk])
    photo = ListingPhoto.objects.get()
    assert (photo.listing_id, photo.width, photo.height, photo.position) == (home.pk, 8, 6, 1)
    assert photo.image.name.startswith(f"listings/{home.pk}/")
    assert photo.image.name.endswith(".png")


def test_it_refuses_a_file_that_is_not_an_image(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", b"#!/bin/sh\necho not a picture\n", content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": [
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
        ],
    }
    assert ListingPhoto.objects.count() == 0


def test_it_refuses_a_photo_over_the_size_limit(signed_in: Client, seller: User, settings) -> None:
    settings.PHOTO_MAX_BYTES = 100
    home = HomeFactory(seller=seller)
    image = png_bytes(size=(64, 64))

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("big.png", image, content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": [f"The photo is {len(image)}\xa0bytes; the limit is 100\xa0bytes."],
    }
    assert ListingPhoto.objects.count() == 0


def test_it_deletes_a_photo(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)
    photo = home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    response = signed_in.post(reverse("listing_photo_delete", args=[home.pk, photo.pk]))

    assert response.status_code == 302
    assert ListingPhoto.objects.count() == 0


def test_it_does_not_delete_another_listings_photo(signed_in: Client, seller: User) -> None:
    mine = HomeFactory(seller=seller)
    photo = HomeFactory().photos.create(image=SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))

    response = signed_in.post(reverse("listing_photo_delete", args=[mine.pk, photo.pk]))

    assert response.status_code == 404
    assert ListingPhoto.objects.count() == 1
