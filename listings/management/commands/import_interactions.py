"""``import_interactions PATH``: views, favorites, contacts… from a CSV ``user,external_id,event,timestamp``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.importers.interactions import DEFAULT_BATCH_SIZE, interactions_import
from listings.importers.reading import ImportFileError
from listings.management.commands.import_listings import positive_int


class Command(BaseCommand):
    help = (
        "Import interactions from a CSV with columns user,external_id,event,timestamp (external_id as "
        "source:id, as export_listings writes it). Missing users are created with unusable passwords; "
        "bad rows go to PATH.rejects.csv. Prints 'imported N, rejected K'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE,
                            help="rows per transaction (default %(default)s)")
        parser.add_argument("--rejects", type=Path, help="where rejected rows go (default PATH.rejects.csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = interactions_import(
                path=options["path"], batch_size=options["batch_size"], rejects_path=options["rejects"],
                progress=options["verbosity"] > 0,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"{error.strerror}: {error.filename}") from error
        if options["verbosity"] > 0 and result.rejected:
            reasons = ", ".join(f"{code} {count}" for code, count in result.rejected_by_reason.most_common())
            self.stderr.write(f"rejected by reason: {reasons}; rows and reasons in {result.rejects_path}")
        self.stdout.write(result.summary())
