"""``refresh_neighbours [--kind home|car] [--incremental] [--chunks N]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from listings.models import Kind
from recommendations.services import neighbours
from recommendations.tasks import neighbours_refresh as neighbours_refresh_task


class Command(BaseCommand):
    help = "Recompute the exact top-k similar listings of every listing (or only what changed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=Kind.values, help="Default: both kinds.")
        parser.add_argument("--incremental", action="store_true",
                            help="Only listings changed since the last refresh, and the lists they enter or leave.")
        parser.add_argument("--chunks", type=int, default=1,
                            help="Split a full refresh into N chunk tasks for the Celery workers.")

    def handle(self, *args: Any, **options: Any) -> None:
        for kind in [options["kind"]] if options["kind"] else Kind.values:
            if options["chunks"] > 1 and not options["incremental"]:
                neighbours_refresh_task.delay(kind, False, options["chunks"])
                self.stdout.write(f"{kind}: full refresh queued in {options['chunks']} chunks")
                continue
            refresh = neighbours.neighbours_update(kind=kind, incremental=options["incremental"])
            if refresh is None:
                self.stdout.write(f"{kind}: no active encoder; run train_encoder first")
                continue
            mode = "incremental" if refresh.incremental else "full"
            self.stdout.write(f"{kind}: {mode} refresh wrote {refresh.listings} lists in {refresh.seconds:.1f} s")
