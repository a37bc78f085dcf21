"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/, served without any CDN."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

from listings.filters import ListingFilter

LISTING_FIELDS = [
    "id", "url", "kind", "offer", "status", "title", "description", "price", "city", "state", "zip_code", "lat",
    "lon", "seller", "source", "published_at", "updated_at", "photos",
    "bed", "bath", "house_size", "acre_lot", "prev_sold_date", "brokered_by",
    "make", "model", "year", "odometer", "condition", "cylinders", "fuel", "transmission", "drive", "size",
    "body_type", "paint_color", "title_status",
]
EXPECTED_OPERATIONS = {
    "/api/auth/token/": ["post"],
    "/api/favorites/": ["get", "post"],
    "/api/favorites/{listing_id}/": ["delete"],
    "/api/interactions/": ["post"],
    "/api/listings/": ["get", "post"],
    "/api/listings/{id}/": ["delete", "get", "patch", "put"],
    "/api/listings/{id}/inquiries/": ["post"],
    "/api/listings/{id}/photos/": ["post"],
    "/api/listings/{id}/publish/": ["post"],
    "/api/listings/{id}/withdraw/": ["post"],
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_it_serves_a_schema_that_validates_against_openapi_3(schema: dict[str, Any]) -> None:
    validate_schema(schema)

    assert schema["openapi"] == "3.0.3"


def test_it_generates_the_schema_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_it_documents_every_endpoint(schema: dict[str, Any]) -> None:
    # Other apps add their own endpoints beside these.
    operations = {path: sorted(schema["paths"][path]) for path in EXPECTED_OPERATIONS if path in schema["paths"]}

    assert operations == EXPECTED_OPERATIONS
    for path in EXPECTED_OPERATIONS:
        for method, operation in schema["paths"][path].items():
            assert operation["summary"], (path, method)
            assert any(code.startswith("2") for code in operation["responses"]), (path, method)



def test_it_documents_the_search_filters_and_pagination(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/listings/"]["get"]

    assert sorted(parameter["name"] for parameter in operation["parameters"]) == sorted(
        [*ListingFilter.base_filters, "page"]
    )
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedListingOutputList"
    assert sorted(schema["components"]["schemas"]["PaginatedListingOutputList"]["properties"]) == [
        "count", "next", "previous", "results"
    ]


def test_it_documents_the_listing_shape_field_by_field(schema: dict[str, Any]) -> None:
    listing = schema["components"]["schemas"]["ListingOutput"]

    assert list(listing["properties"]) == LISTING_FIELDS
    assert sorted(listing["required"]) == sorted(LISTING_FIELDS)
    assert listing["properties"]["price"] == {
        "type": "string", "format": "decimal", "pattern": r"^-?\d{0,10}(?:\.\d{0,2})?$",
        "description": "Per month for rentals.",
    }
    assert listing["properties"]["make"]["nullable"] is True


def test_it_documents_token_authentication(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/auth/token/"]["post"]
    components = schema["components"]

    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert sorted(components["schemas"][request]["required"]) == ["password", "username"]
    assert list(components["schemas"][response]["properties"]) == ["token"]
    assert components["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }


def test_it_serves_swagger_ui_from_its_own_static_files() -> None:
    response = Client().get("/api/docs/")

    html = response.content.decode()
    # The page embeds a random CSRF token, which could spell "cdn" by chance.
    text = re.sub(r'"X-CSRFTOKEN"\] = "[A-Za-z0-9]+"', "", html)
    assert response.status_code == 200
    assert text != html
    for needle in ("cdn", "jsdelivr", "unpkg", "://"):
        assert needle not in text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(assets) == sorted(
        f"{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/{name}"
        for name in ("favicon-32x32.png", "swagger-ui.css", "swagger-ui-bundle.js",
                     "swagger-ui-standalone-preset.js")
    )
    for asset in assets:
        assert finders.find(asset.removeprefix(settings.STATIC_URL)) is not None, asset
