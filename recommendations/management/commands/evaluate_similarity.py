"""``evaluate_similarity --kind home [--sample N] [--json]``: neighbour coherence next to a raw-feature kNN."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.models import Kind
from recommendations.ml.similarity_quality import QUALITY_KEYS
from recommendations.services.quality import similarity_quality


class Command(BaseCommand):
    help = "How coherent the top-10 stored neighbours are, next to exact kNN on the raw standardized features."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=Kind.values, default=Kind.HOME)
        parser.add_argument("--sample", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        report = similarity_quality(kind=options["kind"], sample=options["sample"], seed=options["seed"])
        if report is None:
            raise CommandError(f"No active {options['kind']} encoder: run train_encoder first.")
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{'metric':<28}{'project':>12}{'baseline':>12}")
        for key in QUALITY_KEYS:
            self.stdout.write(f"{key:<28}{report['project'][key]:>12.4f}{report['baseline'][key]:>12.4f}")
