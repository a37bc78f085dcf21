"""listings_import on the real sample files with exact counts per reason, and on spoiled and garbage files."""

from __future__ import annotations

import csv
import itertools
import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from listings.importers.layouts import TRUSTASSET_COLUMNS
from listings.importers.services import ImportResult, listings_import
from listings.models import Listing
from tests.listings.conftest import REALTOR_V1_HEADER, rejects, trustasset_row


def import_file(path: Path, format_name: str, tmp_path: Path, **options: object) -> ImportResult:
    return listings_import(path=path, format_name=format_name, rejects_path=tmp_path / "rejects.csv",
                           **options)  # type: ignore[arg-type]


# The full sample files, once each; every count was checked against the data with pandas:
# realtor_pr_v1 has 24,231 rows of which 3,364 are distinct (20,867 exact repeats); 15 distinct rows
# have neither city nor ZIP; one has 33 bedrooms (and 35 baths), one 1,450,112 sqft, one a
# 100,000-acre lot. vehicles_5k has 241 prices of 0 (2 of them also with 9,999,999 miles), 56 prices
# of $1–$85 for a car, and 2 more odometers beyond 1,000,000 miles.
@pytest.mark.django_db
def test_it_imports_realtor_v1_with_exact_counts_per_reason(shared_data: Path, tmp_path: Path) -> None:
    result = import_file(shared_data / "realtor_pr_v1.csv", "realtor", tmp_path)

    assert (result.imported, result.updated, result.rejected) == (3346, 0, 20885)
    assert result.rejected_by_reason == Counter({
        "duplicate": 20867, "place_missing": 15, "impossible_bed": 1, "impossible_house_size": 1,
        "impossible_acre_lot": 1,
    })
    assert Listing.objects.filter(source="realtor", kind="home", offer="sale", seller=None).count() == 3346
    logged = rejects(tmp_path)
    assert len(logged) == 20885
    assert list(logged[0]) == [*REALTOR_V1_HEADER.split(","), "line", "reason"]
    assert logged[0]["reason"] == "duplicate of line 76"
    assert logged[0]["line"] == "79"
    assert [row["reason"] for row in logged if row["line"] == "14345"] == [
        "33 bedrooms is impossible (0–20). 35 bathrooms is impossible (0–20)."
    ]


@pytest.mark.django_db
def test_it_imports_the_12_column_realtor_layout_with_its_byte_order_mark(shared_data: Path, tmp_path: Path) -> None:
    result = import_file(shared_data / "realtor_pr_v2_1k.csv", "realtor", tmp_path)

    assert (result.imported, result.updated, result.rejected) == (999, 0, 0)
    first = Listing.objects.get(brokered_by="103378", price=Decimal("105000"), zip_code="00601")
    assert (first.title, first.city, first.state, first.bed, first.bath, first.house_size, first.acre_lot) == (
        "3 bd, 2 ba house in Adjuntas, PR", "Adjuntas", "PR", 3, Decimal("2.0"), 920, 0.12,
    )
    assert (first.lat, first.lon) == (18.1967, -66.7367)  # the centroid of ZIP 00601
    assert first.status == "active"
    assert first.published_at is not None
    assert len(first.external_id) == 32
    # house_size 0 is how this layout says "not recorded": a lot, titled by its size
    lot = Listing.objects.get(brokered_by="80224", price=Decimal("380000"))
    assert (lot.house_size, lot.title) == (None, "18.45-acre lot in Hatillo, PR")


@pytest.mark.django_db
def test_it_imports_craigslist_vehicles_with_exact_counts_per_reason(shared_data: Path, tmp_path: Path) -> None:
    result = import_file(shared_data / "vehicles_5k.csv", "vehicles", tmp_path)

    assert (result.imported, result.updated, result.rejected) == (4701, 0, 299)
    assert result.rejected_by_reason == Counter(
        {"price_not_positive": 241, "price_range": 56, "impossible_odometer": 2}
    )
    car = Listing.objects.get(source="craigslist", external_id="7309312148")
    assert (car.kind, car.title, car.make, car.model, car.year, car.odometer, car.price) == (
        "car", "2005 GMC Sierra C 3500 Cube", "GMC", "Sierra C 3500 Cube", 2005, 89276, Decimal("12595.00"),
    )
    assert (car.city, car.state, car.lat, car.lon) == ("La Crosse", "WI", 44.0455, -91.668119)
    assert car.published_at == datetime(2021, 4, 19, 16, 46, 44, tzinfo=UTC)
    assert (car.body_type, car.cylinders, car.title_status, car.seller_id) == ("truck", "8 cylinders", "clean", None)
    van = Listing.objects.get(source="craigslist", external_id="7313534420")
    assert (van.title, van.city) == ("2016 Ford Transit Connect Titanium", "Medford-Ashland")
    assert not car.photos.exists()


JUNK = ("", " ", "0", "-1", "3", "2.5", "1e5", "NaN", "inf", "1" * 40, "9" * 20 + ".5", "\x00", "x\x00y", "½",
        "١٢٣", "Puerto Rico", "ca", "PR", "601", "00731", "abc", "2021-04-19T11:46:44-0500", "6/28/2019",
        "2/30/2020", "car", "home", "sale", "rent", "active", "draft", "for_sale", "sold", "realtor:x", "ford",
        "f-150", "Ponce", "a" * 300, '"', ",", "\n", "🙂", "-91.5", "44.2", "999", "100000")


def sample_rows(shared_data: Path, format_name: str) -> list[list[str]]:
    """A header and 300 good rows of the format."""
    if format_name == "trustasset":
        rows = [trustasset_row(external_id=f"trustasset:{index}", price=str(100_000 + index)) for index in range(300)]
        return [list(TRUSTASSET_COLUMNS), *([row[column] for column in TRUSTASSET_COLUMNS] for row in rows)]
    name = {"realtor": "realtor_pr_v1.csv", "vehicles": "vehicles_5k.csv"}[format_name]
    with (shared_data / name).open(encoding="utf-8-sig", newline="") as file:
        return list(itertools.islice(csv.reader(file), 301))


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", ["realtor", "trustasset", "vehicles"])
def test_it_rejects_rows_spoiled_with_junk_without_crashing(format_name: str, shared_data: Path,
                                                             tmp_path: Path) -> None:
    rng = random.Random(format_name)
    header, *rows = sample_rows(shared_data, format_name)
    for row in rows:
        for _ in range(rng.randint(0, 3)):
            row[rng.randrange(len(row))] = rng.choice(JUNK)
    path = tmp_path / "spoiled.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header, *rows])

    result = import_file(path, format_name, tmp_path)

    assert result.imported + result.rejected == 300
    assert Listing.objects.count() == result.imported
    assert len(rejects(tmp_path)) == result.rejected


@pytest.mark.django_db
def test_it_rejects_every_row_of_binary_garbage_after_a_valid_header(tmp_path: Path) -> None:
    garbage = random.Random(7).randbytes(200_000)
    path = tmp_path / "garbage.csv"
    path.write_bytes(REALTOR_V1_HEADER.encode() + b"\n" + garbage)

    result = import_file(path, "realtor", tmp_path)

    assert (result.imported, result.updated, result.rejected) == (0, 0, 1539)
    assert result.rejected_by_reason == Counter({"columns": 1524, "duplicate": 15})
    assert len(rejects(tmp_path)) == 1539
    assert not Listing.objects.exists()
