"""import_listings: the real sample files with exact counts, normalizations, bad rows, re-runs."""

from __future__ import annotations

import csv
import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from listings.importers import writer
from listings.importers.layouts import TRUSTASSET_COLUMNS
from listings.importers.parsing import Unreadable, car_title, home_title, parse_date, parse_datetime
from listings.importers.services import ImportResult, listings_import
from listings.models import Listing, PriceChange

REALTOR_V1_HEADER = "status,bed,bath,acre_lot,city,state,zip_code,house_size,prev_sold_date,price"


def run_import(path: Path, *args: str, tmp_path: Path) -> str:
    """The command's stdout; rejects go to tmp_path (the sample data folder is read-only)."""
    out = StringIO()
    call_command("import_listings", str(path), *args, "--rejects", str(tmp_path / "rejects.csv"),
                 verbosity=0, stdout=out)
    return out.getvalue()


def rejects(tmp_path: Path) -> list[dict[str, str]]:
    with (tmp_path / "rejects.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def import_file(path: Path, format_name: str, tmp_path: Path, **options: object) -> ImportResult:
    return listings_import(path=path, format_name=format_name, rejects_path=tmp_path / "rejects.csv",
                           **options)  # type: ignore[arg-type]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def trustasset_row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(TRUSTASSET_COLUMNS, "")
    row.update(kind="home", offer="sale", status="active", price="150000", city="Ponce", state="PR",
               zip_code="00731", bed="3", bath="2")
    row.update(values)
    return row


def write_trustasset(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv_writer = csv.DictWriter(file, fieldnames=TRUSTASSET_COLUMNS)
        csv_writer.writeheader()
        csv_writer.writerows(rows)
    return path


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


@pytest.mark.django_db
def test_it_reimports_as_updates_with_the_same_rejects(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "vehicles_5k.csv"
    first = run_import(path, "--format", "vehicles", "--limit", "1000", tmp_path=tmp_path)
    first_rejects = rejects(tmp_path)

    second = run_import(path, "--format", "vehicles", "--limit", "1000", tmp_path=tmp_path)

    # the first 1,000 rows hold 64 with a price under $100 or more than 1,000,000 miles
    assert first == "imported 936, updated 0, rejected 64\n"
    assert second == "imported 0, updated 936, rejected 64\n"
    assert rejects(tmp_path) == first_rejects
    assert Listing.objects.count() == 936
    assert not PriceChange.objects.exists()


@pytest.mark.django_db
def test_it_records_a_price_change_when_a_reimport_changes_the_price(tmp_path: Path) -> None:
    path = tmp_path / "listings.csv"
    write_trustasset(path, [trustasset_row(external_id="trustasset:home-1", price="150000")])
    run_import(path, "--format", "trustasset", tmp_path=tmp_path)
    write_trustasset(path, [trustasset_row(external_id="trustasset:home-1", price="139000")])

    output = run_import(path, "--format", "trustasset", tmp_path=tmp_path)

    assert output == "imported 0, updated 1, rejected 0\n"
    listing = Listing.objects.get(source="trustasset", external_id="home-1")
    assert listing.price == Decimal("139000.00")
    assert list(PriceChange.objects.values_list("listing_id", "old_price", "new_price")) == [
        (listing.pk, Decimal("150000.00"), Decimal("139000.00"))
    ]


@pytest.mark.django_db
def test_it_normalizes_states_zips_cities_coordinates_and_dates(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "homes.csv", "\ufeff" + "\r\n".join([
        REALTOR_V1_HEADER,
        "for_sale,3,2,0.12,Adjuntas,Puerto Rico,601,920,6/28/2019,105000",
        "for_sale,2,1,,,pr,731,800,2019-06-28,90000",  # city from the ZIP
        "ready_to_build,,,0.5,Ponce,PR,,,,40000",  # no ZIP: the city's first ZIP for coordinates
        "sold,4,2.5,,Los Angeles,ca,90012,2100,,950000",
    ]) + "\r\n")

    assert run_import(path, "--format", "realtor", tmp_path=tmp_path) == "imported 4, updated 0, rejected 0\n"

    rows = Listing.objects.order_by("price").values_list(
        "title", "status", "city", "state", "zip_code", "lat", "lon", "prev_sold_date"
    )
    assert list(rows) == [
        ("0.5-acre lot in Ponce, PR", "active", "Ponce", "PR", "", 17.9877, -66.6236, None),
        ("2 bd, 1 ba house in Ponce, PR", "active", "Ponce", "PR", "00731", 18.0956, -66.6415, date(2019, 6, 28)),
        ("3 bd, 2 ba house in Adjuntas, PR", "active", "Adjuntas", "PR", "00601", 18.1967, -66.7367,
         date(2019, 6, 28)),
        ("4 bd, 2.5 ba house in Los Angeles, CA", "sold", "Los Angeles", "CA", "90012", 34.0614, -118.2385, None),
    ]


@pytest.mark.parametrize(("bed", "bath", "acre_lot", "house_size", "title"), [
    (3, Decimal("2"), 0.12, 920, "3 bd, 2 ba house in Ponce, PR"),
    (3, None, None, None, "3 bd house in Ponce, PR"),
    (None, Decimal("1.5"), None, None, "1.5 ba house in Ponce, PR"),
    (None, None, 0.5, 1200, "1,200 sqft house in Ponce, PR"),
    (None, None, 0.5, None, "0.5-acre lot in Ponce, PR"),
    (None, None, None, None, "House in Ponce, PR"),
])
def test_it_titles_homes_from_what_is_known(
    bed: int | None, bath: Decimal | None, acre_lot: float | None, house_size: int | None, title: str,
) -> None:
    assert home_title(bed=bed, bath=bath, acre_lot=acre_lot, house_size=house_size, place="Ponce, PR") == title


@pytest.mark.parametrize(("year", "make", "model", "title"), [
    (2016, "ford", "transit connect titanium", "2016 Ford Transit Connect Titanium"),
    (2005, "gmc", "sierra 1500", "2005 GMC Sierra 1500"),
    (2011, "bmw", "328i", "2011 BMW 328i"),
    (2019, "mercedes-benz", "gle 350", "2019 Mercedes-Benz GLE 350"),
    (2018, "ram", "2500hd", "2018 Ram 2500HD"),
    (2014, "ford", "f-150 xlt 4x4", "2014 Ford F-150 XLT 4x4"),
    (2012, "honda", "cr-v ex-l", "2012 Honda CR-V EX-L"),
    (2001, "toyota", "4runner sr5", "2001 Toyota 4Runner SR5"),
    (2020, "Tesla", "Model 3", "2020 Tesla Model 3"),
])
def test_it_titles_cars_with_proper_casing(year: int, make: str, model: str, title: str) -> None:
    assert car_title(year=year, make=make, model=model) == title


def test_it_reads_us_and_iso_dates_and_refuses_others() -> None:
    assert parse_date("6/28/2019") == parse_date("2019-06-28") == date(2019, 6, 28)
    assert parse_datetime("2021-04-19T11:46:44-0500") == datetime(2021, 4, 19, 16, 46, 44, tzinfo=UTC)
    assert parse_datetime("2021-04-19") == datetime(2021, 4, 19, tzinfo=UTC)
    assert parse_date("") is None
    with pytest.raises(Unreadable, match="unreadable date '31/31/2020'"):
        parse_date("31/31/2020")


@pytest.mark.django_db
def test_it_rejects_bad_rows_with_a_reason_each_and_keeps_going(tmp_path: Path) -> None:
    good = "for_sale,3,2,0.12,Ponce,PR,731,920,,105000"
    path = tmp_path / "homes.csv"
    path.write_bytes("\n".join([
        REALTOR_V1_HEADER,
        good,  # line 2
        "%%% this is not a listing %%%",
        "for_sale,3,2,0.12,Ponce,PR,731,920,,105000,extra",
        "for_sale,3,2,0.12,Ponce,PR,731,920,,",  # line 5: no price
        "for_sale,3,2,0.12,Ponce,PR,731,920,,-5",
        "for_sale,3,2,0.12,Ponce,PR,731,920,,900000000",
        "for_sale,3,2,0.12,Ponce,PR,731,50,,105000",
        "for_sale,three,2,0.12,Ponce,PR,731,920,,105000",
        "for_sale,3,2,0.12,Ponce,Atlantis,731,920,,105000",  # line 10
        "for_sale,3,2,0.12,Ponce,PR,731,920,31/31/2020,105000",
        "for_sale,3,2,0.12,,PR,,920,,105000",
        "foreclosure,3,2,0.12,Ponce,PR,731,920,,105000",
        good,  # line 14
        "for_sale,3,2.0,0.12,Ponce,PR,00731,920,,105000",  # the same listing written differently
    ]).encode() + b"\nfor_sale,3,2,0.12,Pon\xff\xfece,PR,731,920,,105000\n")

    output = run_import(path, "--format", "realtor", tmp_path=tmp_path)

    assert output == "imported 1, updated 0, rejected 14\n"
    assert [(row["line"], row["reason"]) for row in rejects(tmp_path)] == [
        ("3", "has 1 columns, expected 10"),
        ("4", "has 11 columns, expected 10"),
        ("5", "Price is required."),
        ("6", "Price must be positive."),
        ("7", "Price $900,000,000 is outside the sane range $1,000–$500,000,000."),
        ("8", "House size 50 sqft is impossible (100–100,000)."),
        ("9", "bed: unreadable number 'three'"),
        ("10", "unknown state 'Atlantis'"),
        ("11", "prev_sold_date: unreadable date '31/31/2020'"),
        ("12", "no city and no ZIP code"),
        ("13", "status: unknown value 'foreclosure' (one of for_sale, ready_to_build, sold)"),
        ("14", "duplicate of line 2"),
        ("15", f"same listing as line 2 (realtor:{Listing.objects.get().external_id})"),
        ("16", "text that is not UTF-8"),
    ]


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


@pytest.mark.django_db
def test_it_refuses_a_garbage_file_without_a_header_naming_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(random.Random(8).randbytes(5_000))

    with pytest.raises(CommandError) as error:
        run_import(path, "--format", "trustasset", tmp_path=tmp_path)

    assert str(error.value) == (
        f"The header does not match the trustasset format (TrustAsset layout): missing columns "
        f"{', '.join(TRUSTASSET_COLUMNS)}."
    )


@pytest.mark.django_db
def test_it_refuses_a_file_of_another_format(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        run_import(shared_data / "vehicles_5k.csv", "--format", "realtor", tmp_path=tmp_path)

    assert str(error.value) == (
        "The header does not match the realtor format (realtor, 10-column layout): missing columns "
        "status, bed, bath, acre_lot, city, zip_code, house_size, prev_sold_date."
    )


@pytest.mark.django_db
def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", "")

    with pytest.raises(CommandError) as error:
        run_import(path, "--format", "realtor", tmp_path=tmp_path)

    assert str(error.value) == f"{path} is empty: no header row."


@pytest.mark.django_db
def test_it_sets_the_offer_and_judges_prices_as_monthly_rents(shared_data: Path, tmp_path: Path) -> None:
    output = run_import(shared_data / "realtor_pr_v2_1k.csv", "--format", "realtor", "--offer", "rent",
                        "--limit", "100", tmp_path=tmp_path)

    assert output == "imported 96, updated 0, rejected 4\n"
    assert set(Listing.objects.values_list("offer", flat=True)) == {"rent"}
    assert [(row["line"], row["reason"]) for row in rejects(tmp_path)] == [
        ("43", "Price $3,900,000 per month is outside the sane range $50–$1,000,000 per month."),
        ("58", "Price $10,000,000 per month is outside the sane range $50–$1,000,000 per month."),
        ("68", "Price $3,250,000 per month is outside the sane range $50–$1,000,000 per month."),
        ("71", "Price $1,399,000 per month is outside the sane range $50–$1,000,000 per month."),
    ]


@pytest.mark.django_db
def test_it_reads_source_prefixes_of_the_trustasset_layout(tmp_path: Path) -> None:
    path = write_trustasset(tmp_path / "listings.csv", [
        trustasset_row(external_id="realtor:ab12", title="Casa"),
        trustasset_row(external_id="nowhere:7", price="99000"),
        trustasset_row(external_id="", price="98000"),
        trustasset_row(external_id="craigslist:99", kind="car", year="2016", make="Ford", model="Transit Connect",
                       bed="", bath="", price="15573"),
        trustasset_row(external_id="craigslist:100", kind="car", make="Ford", bed="", bath="", price="15573"),
    ])

    output = run_import(path, "--format", "trustasset", tmp_path=tmp_path)

    assert output == "imported 4, updated 0, rejected 1\n"
    content_id = Listing.objects.get(price=98000).external_id  # no id: a hash of the row
    assert len(content_id) == 32
    assert sorted(Listing.objects.values_list("source", "external_id", "title")) == sorted([
        ("craigslist", "99", "2016 Ford Transit Connect"),
        ("realtor", "ab12", "Casa"),
        ("trustasset", "nowhere:7", "3 bd, 2 ba house in Ponce, PR"),
        ("trustasset", content_id, "3 bd, 2 ba house in Ponce, PR"),
    ])
    assert [row["reason"] for row in rejects(tmp_path)] == ["a car needs make, model and year; missing model, year"]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_committed_batches_after_a_crash_and_a_rerun_completes_the_file(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_write, calls = writer.listing_batch_write, []

    def write_then_crash_in_the_third_batch(**arguments: object) -> writer.BatchResult:
        calls.append(1)
        if len(calls) == 3:
            with transaction.atomic():
                real_write(**arguments)  # type: ignore[arg-type]
                raise RuntimeError("power cut")
        return real_write(**arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "listing_batch_write", write_then_crash_in_the_third_batch)
    path = shared_data / "realtor_pr_v2_1k.csv"
    with pytest.raises(RuntimeError, match="power cut"):
        run_import(path, "--format", "realtor", "--batch-size", "100", tmp_path=tmp_path)
    assert Listing.objects.count() == 200
    monkeypatch.setattr(writer, "listing_batch_write", real_write)

    output = run_import(path, "--format", "realtor", "--batch-size", "100", tmp_path=tmp_path)

    assert output == "imported 799, updated 200, rejected 0\n"
    assert Listing.objects.count() == 999


@pytest.mark.django_db
def test_it_turns_ctrl_c_into_a_message_about_rerunning(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupt(**arguments: object) -> writer.BatchResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "listing_batch_write", interrupt)

    with pytest.raises(CommandError) as error:
        run_import(shared_data / "realtor_pr_v1.csv", "--format", "realtor", "--batch-size", "10",
                   tmp_path=tmp_path)

    assert str(error.value) == (
        "Interrupted. Batches already written are committed; run the same command again to finish."
    )


@pytest.mark.django_db
def test_it_checks_without_writing_on_a_dry_run(shared_data: Path, tmp_path: Path) -> None:
    output = run_import(shared_data / "vehicles_5k.csv", "--format", "vehicles", "--limit", "1000", "--dry-run",
                        tmp_path=tmp_path)

    assert output == "accepted 936, rejected 64 (dry run: nothing written)\n"
    assert not Listing.objects.exists()
    assert len(rejects(tmp_path)) == 64


@pytest.mark.django_db
def test_it_reports_a_rejects_path_it_cannot_write(shared_data: Path, tmp_path: Path) -> None:
    rejects_path = tmp_path / "missing" / "rejects.csv"

    with pytest.raises(CommandError) as error:
        call_command("import_listings", str(shared_data / "realtor_pr_v2_1k.csv"), "--format", "realtor",
                     "--rejects", str(rejects_path), verbosity=0)

    assert str(error.value) == f"No such file or directory: {rejects_path}"


@pytest.mark.django_db
def test_it_never_writes_rejects_over_the_file_it_reads(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "homes.csv", f"{REALTOR_V1_HEADER}\nfor_sale,3,2,0.12,Ponce,PR,731,920,,105000\n")

    with pytest.raises(CommandError) as error:
        call_command("import_listings", str(path), "--format", "realtor", "--rejects", str(path), verbosity=0)

    assert str(error.value) == f"The rejects file {path} would overwrite the file being read."
    assert path.read_text(encoding="utf-8").count("\n") == 2
