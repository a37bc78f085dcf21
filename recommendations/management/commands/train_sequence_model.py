"""``train_sequence_model --kind home|car|all``: the nightly next-item training, run here and now."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.management.commands.import_listings import positive_int
from listings.models import Kind
from recommendations.ml.sequence.config import SequenceConfig
from recommendations.services.sequences import NotEnoughSequences, sequence_model_train


class Command(BaseCommand):
    help = "Train a new SASRec next-item model per kind on the users' interaction sequences, then activate it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=[*Kind.values, "all"], default="all")
        parser.add_argument("--max-epochs", type=positive_int, default=SequenceConfig.max_epochs)

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = Kind.values if options["kind"] == "all" else [options["kind"]]
        config = dataclasses.replace(SequenceConfig(), max_epochs=options["max_epochs"])
        for kind in kinds:
            try:
                version = sequence_model_train(kind=kind, config=config, progress=options["verbosity"] > 0)
            except NotEnoughSequences as error:
                raise CommandError(str(error)) from error
            metrics = version.metrics
            ndcg = "n/a" if metrics["ndcg@10"] is None else f"{metrics['ndcg@10']:.4f}"
            self.stdout.write(
                f"{kind}: version {version.pk} active — {metrics['users']} users, {metrics['items']} items, "
                f"validation NDCG@10 {ndcg}, best epoch {metrics['best_epoch']} of "
                f"{metrics['epochs_run']} ({metrics['seconds_per_epoch']:.1f} s per epoch)"
            )
