"""``export_interactions PATH [--kind home|car]``: the database's interactions as a CSV ``user,item,timestamp``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.models import Kind
from recommendations.ml.interaction_files import interaction_file_write
from recommendations.services.evaluation import event_log


class Command(BaseCommand):
    help = (
        "Write the interactions evaluate_recommenders reads from the database (signed-in users only, "
        "impressions left out; every other event, one row each) to PATH as a CSV user,item,timestamp: "
        "user id, listing id, ISO 8601 UTC time, in time order. 'evaluate_recommenders --interactions PATH' "
        "evaluates it. PATH is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", choices=Kind.values, help="Only listings of this kind (default: every kind).")

    def handle(self, *args: Any, **options: Any) -> None:
        logs = [event_log(kind=kind) for kind in ([options["kind"]] if options["kind"] else Kind.values)]
        users = np.concatenate([log.user_ids for log in logs])
        items = np.concatenate([log.item_ids for log in logs])
        times = np.concatenate([log.times for log in logs])
        order = np.argsort(times, kind="stable")
        try:
            count = interaction_file_write(path=options["path"], users=users[order], items=items[order],
                                           times=times[order])
        except OSError as error:
            raise CommandError(f"Cannot write {options['path']}: {error.strerror or error}.") from error
        self.stdout.write(f"exported {count} interactions of {len(np.unique(users))} users on "
                          f"{len(np.unique(items))} listings to {options['path']}")
