"""export_listings: the TrustAsset layout, and export → import landing on the very same rows."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from listings.importers.layouts import TRUSTASSET_COLUMNS
from listings.models import Listing, PriceChange
from tests.factories import CarFactory, HomeFactory

# Every column the layout carries, plus what an import must leave alone.
COMPARED = ("source", "external_id", *TRUSTASSET_COLUMNS[1:], "seller_id", "published_at", "created_at")


def command(*args: str) -> str:
    out = StringIO()
    call_command(*args, verbosity=0, stdout=out)
    return out.getvalue()


def snapshot() -> dict[int, tuple[Any, ...]]:
    return {values[0]: values[1:] for values in Listing.objects.values_list("id", *COMPARED)}


@pytest.fixture
def listings(shared_data: Path, tmp_path: Path) -> None:
    for name, format_name in (("realtor_pr_v2_1k.csv", "realtor"), ("vehicles_5k.csv", "vehicles")):
        command("import_listings", str(shared_data / name), "--format", format_name, "--limit", "40",
                "--rejects", str(tmp_path / "import.rejects.csv"))
    HomeFactory(description="Sunny patio.\nNew roof.", prev_sold_date="2019-06-28")
    CarFactory(offer="rent", price="45.50", status="draft", published_at=None, lat=42.3265, lon=-122.8756)


@pytest.mark.django_db
def test_it_round_trips_onto_the_same_rows_with_equal_fields(listings: None, tmp_path: Path) -> None:
    before = snapshot()
    path = tmp_path / "export.csv"

    exported = command("export_listings", str(path))
    imported = command("import_listings", str(path), "--format", "trustasset",
                       "--rejects", str(tmp_path / "rejects.csv"))

    assert len(before) == 78  # 40 homes, 36 cars (4 of the first 40 have prices under $100), 2 made here
    assert exported == "exported 78\n"
    assert imported == "imported 0, updated 78, rejected 0\n"
    assert snapshot() == before
    assert not PriceChange.objects.exists()


@pytest.mark.django_db
def test_it_exports_one_kind_with_source_prefixed_ids(listings: None, tmp_path: Path) -> None:
    path = tmp_path / "cars.csv"

    assert command("export_listings", str(path), "--kind", "car") == "exported 37\n"

    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == TRUSTASSET_COLUMNS
    assert {row["kind"] for row in rows} == {"car"}
    assert rows[0] == {
        "external_id": "craigslist:7309312148", "kind": "car", "offer": "sale", "status": "active",
        "title": "2005 GMC Sierra C 3500 Cube", "description": "", "price": "12595.00", "city": "La Crosse",
        "state": "WI", "zip_code": "", "lat": "44.0455", "lon": "-91.668119", "bed": "", "bath": "",
        "house_size": "", "acre_lot": "", "prev_sold_date": "", "year": "2005", "make": "GMC",
        "model": "Sierra C 3500 Cube", "odometer": "89276", "condition": "good", "fuel": "gas",
        "transmission": "automatic", "drive": "rwd", "body_type": "truck", "paint_color": "white",
    }
