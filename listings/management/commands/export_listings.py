"""``export_listings PATH [--kind home|car]``: every listing in the TrustAsset layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.importers.export import listings_export
from listings.models import Kind


class Command(BaseCommand):
    help = (
        "Write listings to a CSV in the TrustAsset layout (external_id as source:id), which "
        "'import_listings --format trustasset' reads back onto the same rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", choices=Kind.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = listings_export(path=options["path"], kind=options["kind"])
        except OSError as error:
            raise CommandError(f"{error.strerror}: {error.filename}") from error
        self.stdout.write(f"exported {count}")
