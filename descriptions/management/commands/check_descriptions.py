"""``check_descriptions [--listing ID | --all] [--text TEXT --listing ID] [--json]``: what the fact and
fair-housing checks find in listings' descriptions (or in a text about one listing), for moderators."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from descriptions.selectors import description_findings
from listings.management.commands.import_listings import positive_int
from listings.models import Listing


class Command(BaseCommand):
    help = ("Report fact and fair-housing findings in listing descriptions: one listing (--listing ID), every "
            "listing with a description (--all), or a text checked against one listing (--text TEXT --listing ID).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listing", type=positive_int, metavar="ID")
        parser.add_argument("--all", action="store_true", help="Every listing that has a description.")
        parser.add_argument("--text", help="Check this text against the facts of --listing instead of its description.")
        parser.add_argument("--json", action="store_true",
                            help='Print a list of {"listing", "kind", "span", "message"}.')

    def handle(self, *args: Any, **options: Any) -> None:
        listings = self.listings(listing_id=options["listing"], every=options["all"], text=options["text"])
        rows = []
        checked = 0
        for listing in listings:
            checked += 1
            for finding in description_findings(listing=listing, text=options["text"]):
                rows.append({"listing": listing.pk, "kind": finding.kind, "span": finding.span,
                             "message": finding.message})
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"listing {row['listing']} [{row['kind']}] “{row['span']}”: {row['message']}")
        flagged = len({row["listing"] for row in rows})
        self.stdout.write(f"{len(rows)} findings in {flagged} of {checked} descriptions checked.")

    def listings(self, *, listing_id: int | None, every: bool, text: str | None) -> Any:
        if text is not None and listing_id is None:
            raise CommandError("--text needs --listing ID: a text is checked against one listing's facts.")
        if listing_id is not None and every:
            raise CommandError("Give --listing ID or --all, not both.")
        if listing_id is not None:
            listing = Listing.objects.filter(pk=listing_id).first()
            if listing is None:
                raise CommandError(f"No listing {listing_id}.")
            return [listing]
        if every:
            return Listing.objects.exclude(description="").order_by("pk").iterator(chunk_size=2000)
        raise CommandError("Give --listing ID, --all, or --text TEXT --listing ID.")
