"""``simulate_interactions --users N --days D --seed S [--replace]``: simulated users for offline evaluation."""

from __future__ import annotations

import time
from datetime import UTC
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.management.commands.import_listings import positive_int
from recommendations.models import SimulatedUser
from recommendations.services.simulation import SimulationError, interactions_simulate


class Command(BaseCommand):
    help = (
        "Simulate N users (sim-<seed>-<n>) of known archetypes browsing the active and pending listings for the "
        "D days up to now: their searches, views, favorites and contacts become interactions, and their "
        "archetype, intent and latent preferences are stored for evaluate_recommenders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=positive_int, default=1000)
        parser.add_argument("--days", type=positive_int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--replace", action="store_true",
                            help="delete the users an earlier run with this seed made, then simulate again")
        parser.add_argument("--if-missing", action="store_true",
                            help="do nothing when this seed's users exist (what `make run` uses for demo data)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_missing"] and SimulatedUser.objects.filter(seed=options["seed"]).exists():
            self.stdout.write(f"Simulated users of seed {options['seed']} exist; nothing to do.")
            return
        began = time.perf_counter()
        try:
            result = interactions_simulate(users=options["users"], days=options["days"], seed=options["seed"],
                                           replace=options["replace"])
        except SimulationError as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - began
        self.stdout.write(
            f"Simulated {result.users:,} users over {options['days']} days (seed {options['seed']}, "
            f"{result.start.astimezone(UTC):%Y-%m-%d %H:%M} to {result.end.astimezone(UTC):%Y-%m-%d %H:%M} UTC): "
            f"{result.interactions_total:,} interactions in {seconds:.1f} s"
        )
        self.stdout.write("Users per archetype:")
        for name, count in sorted(result.archetypes.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {name:<20}{count:>10,}")
        self.stdout.write("Interactions per event:")
        for event, count in sorted(result.interactions.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {event:<20}{count:>10,}")
