"""``train_encoder --kind home|car|all``: the Celery retrain, run here and now (or enqueued)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.models import Kind
from recommendations import conf
from recommendations.services.encoder import NotEnoughListings, encoder_retrain
from recommendations.tasks import encoder_retrain as encoder_retrain_task
from registry.selectors import version_active


class Command(BaseCommand):
    help = "Train a new item encoder per kind, embed every listing, refresh neighbours, activate it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=[*Kind.values, "all"], default="all")
        parser.add_argument("--if-missing", action="store_true", help="Only kinds without an active encoder.")
        parser.add_argument("--enqueue", action="store_true", help="Hand the training to the Celery worker.")
        parser.add_argument("--max-epochs", type=int, help="Default: ENCODER_CONFIG's, else the seed deck's (100).")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = Kind.values if options["kind"] == "all" else [options["kind"]]
        if options["if_missing"]:
            kinds = [kind for kind in kinds if version_active(kind=kind) is None]
        config = conf.encoder_config()
        if options["max_epochs"]:
            config = dataclasses.replace(config, max_epochs=options["max_epochs"])
        for kind in kinds:
            if options["enqueue"]:
                encoder_retrain_task.delay(kind)
                self.stdout.write(f"{kind}: training queued for the worker")
                continue
            try:
                version = encoder_retrain(kind=kind, config=config, progress=options["verbosity"] > 0)
            except NotEnoughListings as error:
                raise CommandError(str(error)) from error
            metrics = version.metrics
            self.stdout.write(
                f"{kind}: version {version.pk} active — {metrics['rows']} listings, val MSE {metrics['val_mse']:.4f} "
                f"({metrics['mean_baseline_factor']:.1f}× better than the mean), best epoch {metrics['best_epoch']}"
            )
