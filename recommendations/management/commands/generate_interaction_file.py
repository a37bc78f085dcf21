"""``generate_interaction_file PATH [--users N] [--items M] [--seed S] [--noise P]``: a synthetic CSV
``user,item,timestamp`` whose order carries the signal (see ``ordered_pattern_generate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.management.commands.import_listings import positive_int
from recommendations.ml.interaction_files import ordered_pattern_generate, ordered_pattern_write


class Command(BaseCommand):
    help = (
        "Write a synthetic interaction file (CSV user,item,timestamp) with a known order pattern: N users each "
        "walk --min-length to --max-length steps (default 5 to 30) along one fixed random cycle through M items, jumping to a random item with "
        "probability P at each step, so the previous item predicts the next one while every item is equally "
        "popular. The same seed writes the same file; PATH is replaced. Evaluate it with "
        "'evaluate_recommenders --interactions PATH'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--users", type=positive_int, default=2000)
        parser.add_argument("--items", type=positive_int, default=500)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--noise", type=float, default=0.2,
                            help="probability of a random jump at each step (default %(default)s)")
        parser.add_argument("--min-length", type=positive_int, default=5, help="fewest events per user")
        parser.add_argument("--max-length", type=positive_int, default=30, help="most events per user")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pattern = ordered_pattern_generate(
                users=options["users"], items=options["items"], seed=options["seed"], noise=options["noise"],
                min_length=options["min_length"], max_length=options["max_length"],
            )
            count = ordered_pattern_write(pattern=pattern, path=options["path"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write {options['path']}: {error.strerror or error}.") from error
        self.stdout.write(f"wrote {count} interactions of {options['users']} users on {options['items']} items "
                          f"to {options['path']} (seed {options['seed']}, noise {options['noise']})")
