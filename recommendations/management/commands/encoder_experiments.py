"""``encoder_experiments --kind home``: the seed deck's five autoencoder configurations, on our listings."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.models import Kind
from recommendations import conf
from recommendations.ml.autoencoder import EXPERIMENTS, autoencoder_train
from recommendations.ml.features import feature_pipeline_for
from recommendations.services.encoder import MIN_TRAINING_ROWS, training_listings
from recommendations.services.frames import listing_frame


class Command(BaseCommand):
    help = "Train the deck's five autoencoder configurations on the current listings and print their table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=Kind.values, default=Kind.HOME)
        parser.add_argument("--max-epochs", type=int, help="Override every configuration's epoch cap.")

    def handle(self, *args: Any, **options: Any) -> None:
        frame = listing_frame(listings=training_listings(kind=options["kind"]), kind=options["kind"])
        if len(frame) < MIN_TRAINING_ROWS:
            raise CommandError(f"{len(frame)} listings; the experiments need at least {MIN_TRAINING_ROWS}.")
        features = feature_pipeline_for(options["kind"]).fit_transform(frame)
        self.stdout.write(f"{len(frame)} {options['kind']} listings, {features.shape[1]} features\n")
        header = ("Experiment", "Embedding Dim", "Embedding Activation", "Hidden Layers (Encoder)", "Dropout Rate",
                  "Best Val MSE", "Best Val MAE", "Best Epoch", "Training Epochs")
        self.stdout.write("\t".join(header))
        for name, config in EXPERIMENTS.items():
            if options["max_epochs"]:
                config = dataclasses.replace(config, max_epochs=options["max_epochs"])
            result = autoencoder_train(features, config=config, device=conf.torch_device())
            self.stdout.write("\t".join([
                name, str(config.embedding_dim), repr(config.embedding_activation), str(tuple(config.hidden)),
                str(config.dropout), f"{result.val_mse:.4f}", f"{result.val_mae:.4f}", str(result.best_epoch),
                str(result.epochs_run),
            ]))
