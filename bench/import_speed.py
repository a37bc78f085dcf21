"""Import speed, in rows/s, each figure beside a baseline measured in the same run on the same file.

    .venv/bin/python bench/import_speed.py [--rows 1000000] [--data ../shared/data]

Files: ``realtor_pr_v1.csv`` from the sample data, and ``--rows`` generated listings (80 % homes,
20 % cars, with descriptions) written to a TrustAsset-layout CSV in a temporary folder. For each:
  * baseline: plain ``csv.reader`` over the file, nothing else;
  * checks only: ``listings_import(dry_run=True)`` (parse, normalize, validate, find duplicates);
  * import: ``listings_import`` into an empty table, then the same file again (every row updated).
First, the choice of write path: ``--writer-rows`` demo homes upserted into an empty table by
``listing_batch_write`` (COPY + INSERT … ON CONFLICT) and by ``bulk_create(update_conflicts=True)``.

It runs on its own database, ``bench_import``, created (and migrated) on the configured server (the
embedded PostgreSQL, or the server DATABASE_URL names) and dropped at the end; your data is not
touched. Not part of the test run.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from bench.database import bench_database, django_setup  # noqa: E402

BENCH_DATABASE = "bench_import"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="generated rows (default %(default)s)")
    parser.add_argument("--writer-rows", type=int, default=20_000, help="rows per writer (default %(default)s)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    django_setup()
    with bench_database(BENCH_DATABASE), tempfile.TemporaryDirectory(prefix="import_speed_") as folder:
        _bench_writers(rows=args.writer_rows)
        _bench_file(args.data / "realtor_pr_v1.csv", format_name="realtor", folder=Path(folder))
        generated = Path(folder) / f"generated_{args.rows}.csv"
        seconds = _timed(lambda: _generated_csv_write(generated, rows=args.rows))
        print(f"(wrote {args.rows:,} generated rows, {generated.stat().st_size / 1e6:,.0f} MB, in {seconds:.0f} s)")
        _bench_file(generated, format_name="trustasset", folder=Path(folder))
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def _bench_file(path: Path, *, format_name: str, folder: Path) -> None:
    from listings import places
    from listings.importers.services import listings_import
    from listings.models import Listing

    places.city_place("Ponce", "PR")  # load the ZIP tables (about a second) before any clock starts
    rows = _csv_rows(path)
    baseline = rows / _timed(lambda: _csv_rows(path))
    rejects = folder / f"{path.name}.rejects.csv"
    checked = rows / _timed(lambda: listings_import(path=path, format_name=format_name, rejects_path=rejects,
                                                     dry_run=True))
    Listing.objects.all().delete()
    results = []
    first = rows / _timed(lambda: results.append(
        listings_import(path=path, format_name=format_name, rejects_path=rejects)))
    again = rows / _timed(lambda: results.append(
        listings_import(path=path, format_name=format_name, rejects_path=rejects)))
    print(f"{path.name}: {rows:,} rows; {results[0].summary()}; then {results[1].summary()}")
    print(f"  baseline, csv.reader only : {baseline:>9,.0f} rows/s")
    for label, speed in (("checks only (dry run)", checked), ("import, empty table", first),
                         ("import again (updates)", again)):
        print(f"  {label:<26}: {speed:>9,.0f} rows/s  ({speed / baseline:.3f} of the baseline)")


def _bench_writers(*, rows: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from listings.importers.demo import demo_home
    from listings.importers.streaming import batched
    from listings.importers.writer import listing_batch_write

    now = timezone.now()
    records = [demo_home(seed=1, index=index, seller_ids=[0], now=now) for index in range(rows)]
    for record in records:
        record.seller_id = None  # no users in this database
    fields = [field for field in _record_fields() if field not in ("source", "external_id", "published_at")]
    speeds = {}
    for label, write in (("COPY + INSERT ... ON CONFLICT", lambda batch: listing_batch_write(
                             records=batch, update_fields=fields)),
                         ("bulk_create(update_conflicts)", lambda batch: _bulk_create_write(batch, fields))):
        with transaction.atomic():
            speeds[label] = rows / _timed(lambda write=write: [write(batch) for batch in batched(records, 2000)])
            transaction.set_rollback(True)
    print(f"writers, {rows:,} demo homes into an empty table, batches of 2,000:")
    for label, speed in speeds.items():
        print(f"  {label:<30}: {speed:>9,.0f} rows/s")


def _bulk_create_write(batch: list, fields: list[str]) -> None:
    """The same promise as ``listing_batch_write`` (upsert, old prices for the history) with the ORM."""
    from django.db import transaction

    from listings.models import Listing, PriceChange

    with transaction.atomic():
        previous = dict(Listing.objects.select_for_update().filter(
            source=batch[0].source, external_id__in=[record.external_id for record in batch],
        ).values_list("external_id", "price"))
        listings = [Listing(**{field: getattr(record, field) for field in _record_fields()}) for record in batch]
        Listing.objects.bulk_create(listings, update_conflicts=True, unique_fields=["source", "external_id"],
                                    update_fields=[*fields, "updated_at"])
        PriceChange.objects.bulk_create([
            PriceChange(listing_id=listing.pk, old_price=previous[listing.external_id], new_price=listing.price)
            for listing in listings
            if listing.external_id in previous and previous[listing.external_id] != listing.price
        ])


def _record_fields() -> tuple[str, ...]:
    from listings.importers.records import RECORD_FIELDS

    return RECORD_FIELDS


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def _generated_csv_write(path: Path, *, rows: int) -> None:
    from django.utils import timezone

    from listings.importers.demo import demo_car, demo_home
    from listings.importers.export import trustasset_cells
    from listings.importers.layouts import TRUSTASSET_COLUMNS
    from listings.importers.records import RECORD_FIELDS

    now, homes = timezone.now(), rows * 4 // 5
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(TRUSTASSET_COLUMNS)
        for index in range(rows):
            make = demo_home if index < homes else demo_car
            record = make(seed=0, index=index, seller_ids=[0], now=now)
            writer.writerow(trustasset_cells({field: getattr(record, field) for field in RECORD_FIELDS}))


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
