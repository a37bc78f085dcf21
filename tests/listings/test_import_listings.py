"""import_listings: normalizations, bad rows with their reasons, re-runs, crashes, refusals and dry runs."""

from __future__ import annotations

import csv
import random
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from listings.importers import writer
from listings.importers.layouts import TRUSTASSET_COLUMNS
from listings.models import Listing, PriceChange
from tests.listings.conftest import REALTOR_V1_HEADER, rejects, trustasset_row


def run_import(path: Path, *args: str, tmp_path: Path) -> str:
    """The command's stdout; rejects go to tmp_path (the sample data folder is read-only)."""
    out = StringIO()
    call_command("import_listings", str(path), *args, "--rejects", str(tmp_path / "rejects.csv"),
                 verbosity=0, stdout=out)
    return out.getvalue()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def write_trustasset(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv_writer = csv.DictWriter(file, fieldnames=TRUSTASSET_COLUMNS)
        csv_writer.writeheader()
        csv_writer.writerows(rows)
    return path


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
