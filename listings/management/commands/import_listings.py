"""``import_listings PATH --format realtor|vehicles|trustasset``: stream a CSV of listings in."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.importers.layouts import FORMATS
from listings.importers.reading import ImportFileError
from listings.importers.services import DEFAULT_BATCH_SIZE, listings_import
from listings.models import Offer


def positive_int(text: str) -> int:
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    return _int_at_least(text, 0)


def _int_at_least(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
    return value


class Command(BaseCommand):
    help = (
        "Import listings from a CSV (realtor.com, Craigslist vehicles, or the TrustAsset layout of "
        "export_listings). Rows are upserted on (source, external_id) in batches; rejected rows go to "
        "PATH.rejects.csv with a reason. Prints 'imported N, updated M, rejected K'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", dest="format_name", required=True, choices=sorted(FORMATS))
        parser.add_argument("--offer", choices=Offer.values, default=Offer.SALE,
                            help="sale, or rent (prices are monthly); the trustasset layout has its own column")
        parser.add_argument("--limit", type=positive_int, help="read only the first N rows")
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE,
                            help="rows per transaction (default %(default)s)")
        parser.add_argument("--rejects", type=Path, help="where rejected rows go (default PATH.rejects.csv)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write the rejects only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = listings_import(
                path=options["path"], format_name=options["format_name"], offer=options["offer"],
                limit=options["limit"], batch_size=options["batch_size"], rejects_path=options["rejects"],
                progress=options["verbosity"] > 0, dry_run=options["dry_run"],
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"{error.strerror}: {error.filename}") from error
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted. Batches already written are committed; run the same command again to finish."
            ) from None
        if options["verbosity"] > 0 and result.rejected:
            reasons = ", ".join(f"{code} {count}" for code, count in result.rejected_by_reason.most_common())
            self.stderr.write(f"rejected by reason: {reasons}; rows and reasons in {result.rejects_path}")
        if options["dry_run"]:
            self.stdout.write(f"accepted {result.accepted}, rejected {result.rejected} (dry run: nothing written)")
        else:
            self.stdout.write(result.summary())
