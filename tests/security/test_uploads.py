"""Photo uploads, through the page and the API: web image formats only (by content and by name), at most
PHOTO_MAX_BYTES; a refused upload leaves no row and no file behind."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import get_available_image_extensions
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from listings.models import PHOTO_FORMAT_MESSAGE, Listing, ListingPhoto
from tests.factories import HomeFactory

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(image_format: str, *, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def home(seller: User) -> Listing:
    return HomeFactory(seller=seller)


@pytest.fixture
def page(client: Client, seller: User, home: Listing) -> Any:
    """Posts a file to the photos page; answers the form's errors (None when the photo was added)."""
    client.force_login(seller)

    def posting(file: SimpleUploadedFile) -> dict[str, list[str]] | None:
        response = client.post(reverse("listing_photo_upload", args=[home.pk]), {"image": file})
        return None if response.status_code == 302 else response.context["form"].errors
    return posting


@pytest.fixture
def api(api_client: APIClient, seller: User, home: Listing) -> Any:
    """Posts a file to the photos API; answers (status, body)."""
    api_client.force_authenticate(seller)

    def posting(file: SimpleUploadedFile) -> tuple[int, dict[str, Any]]:
        response = api_client.post(reverse("api_listing_photos", args=[home.pk]), {"image": file}, format="multipart")
        return response.status_code, response.json()
    return posting


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


REFUSED = [
    pytest.param("photo.jpg", SVG_WITH_SCRIPT, NOT_AN_IMAGE, id="svg with a script renamed .jpg"),
    pytest.param("photo.png", b"#!/bin/sh\nrm -rf /\n", NOT_AN_IMAGE, id="shell script renamed .png"),
    pytest.param("photo.jpg", image_bytes("TIFF"), PHOTO_FORMAT_MESSAGE, id="tiff renamed .jpg"),
    pytest.param("photo.bmp", image_bytes("BMP"), PHOTO_FORMAT_MESSAGE, id="bmp"),
    pytest.param("photo.ico", image_bytes("ICO"), PHOTO_FORMAT_MESSAGE, id="ico"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_the_page_refuses_what_is_not_a_web_photo(page: Any, name: str, content: bytes, message: str) -> None:
    assert page(upload(name, content)) == {"image": [message]}
    assert ListingPhoto.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_the_api_refuses_what_is_not_a_web_photo(api: Any, name: str, content: bytes, message: str) -> None:
    assert api(upload(name, content)) == (400, {"image": [message]})
    assert ListingPhoto.objects.count() == 0
    assert stored_files() == []


def test_both_refuse_a_png_named_html(page: Any, api: Any) -> None:
    # Served back from /media/ by its name, it would be a page of ours.
    message = ("File extension “html” is not allowed. Allowed extensions are: "
               f"{', '.join(get_available_image_extensions())}.")

    page_errors = page(upload("photo.html", image_bytes("PNG")))
    api_answer = api(upload("photo.html", image_bytes("PNG")))

    assert (page_errors, api_answer) == ({"image": [message]}, (400, {"image": [message]}))
    assert stored_files() == []


def test_both_refuse_a_photo_over_the_size_limit(page: Any, api: Any, settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 100
    content = image_bytes("PNG", size=(64, 64))

    page_errors = page(upload("big.png", content))
    api_answer = api(upload("big.png", content))

    message = f"The photo is {len(content)}\xa0bytes; the limit is 100\xa0bytes."
    assert (page_errors, api_answer) == ({"image": [message]}, (400, {"image": [message]}))
    assert stored_files() == []


@pytest.mark.parametrize(("name", "image_format"), [
    ("front.jpg", "JPEG"), ("front.jpeg", "JPEG"), ("front.png", "PNG"), ("front.gif", "GIF"), ("front.webp", "WEBP"),
])
def test_both_take_the_web_formats(page: Any, api: Any, name: str, image_format: str) -> None:
    assert page(upload(name, image_bytes(image_format))) is None
    assert api(upload(name, image_bytes(image_format)))[0] == 201
    assert ListingPhoto.objects.count() == 2
    assert sorted(path.suffix for path in stored_files()) == [Path(name).suffix] * 2
