"""``generate_listings --homes N --cars M --seed S [--if-empty]``: demo listings and demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from listings.importers.demo import DEMO_ADMIN, DEMO_BUYER, DEMO_PASSWORD, DEMO_SELLER, demo_listings_generate
from listings.management.commands.import_listings import non_negative_int
from listings.models import Listing


class Command(BaseCommand):
    help = (
        "Generate demo homes and cars across real US ZIP codes (source 'demo', the same listings for the "
        "same seed), owned by demo sellers, and create the demo logins if missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--homes", type=non_negative_int, default=20_000)
        parser.add_argument("--cars", type=non_negative_int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any listing exists")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Listing.objects.exists():
            self.stdout.write("Listings already exist; nothing generated.")
            return
        written = demo_listings_generate(homes=options["homes"], cars=options["cars"], seed=options["seed"])
        self.stdout.write(
            f"generated {options['homes']} homes and {options['cars']} cars "
            f"(imported {written.inserted}, updated {written.updated})"
        )
        self.stdout.write(
            f"Demo logins, password '{DEMO_PASSWORD}': {DEMO_BUYER} (buyer), {DEMO_SELLER} (seller), "
            f"{DEMO_ADMIN} (admin, staff)"
        )
