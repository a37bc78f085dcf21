"""Fixtures and helpers shared by the API tests: endpoint paths, payloads, a photo."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from listings.models import Listing

LISTINGS = "/api/listings/"
FAVORITES = "/api/favorites/"


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


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]
