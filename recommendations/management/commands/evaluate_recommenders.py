"""``evaluate_recommenders [--k 10] [--kind home|car] [--seed 0] [--json]``: leave-last-out offline evaluation.

Each signed-in user's latest new listing is held out and every algorithm ranks the whole catalogue
of its kind from what came before (see ``recommendations.ml.evaluation``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.models import Kind
from recommendations.ml.metrics import COVERAGE, NOVELTY, metric_names
from recommendations.services.evaluation import EvaluationReport, EvaluationUnavailable, recommenders_evaluate


def report_json(report: EvaluationReport, *, k: int) -> dict[str, Any]:
    """The documented ``--json`` shape: per algorithm exactly ``metric_names(k)`` and coverage."""
    keys = (*metric_names(k), COVERAGE)
    return {
        "users": report.users,
        "items": report.items,
        "intent_accuracy": report.intent_accuracy,
        "algorithms": {
            name: {key: _number(metrics[key]) for key in keys} for name, metrics in report.algorithms.items()
        },
    }


def _number(value: float) -> float | None:
    """NaN is not JSON: it is written as null."""
    return None if math.isnan(value) else value


class Command(BaseCommand):
    help = ("Hold out each user's latest new listing and rank the whole catalogue with random, popularity, "
            "item-kNN, content and the production feed; intent accuracy against the simulator's ground truth.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=10, help="Cut-off of the @k metrics (default 10).")
        parser.add_argument("--kind", choices=Kind.values, help="Only this kind (default: every kind with users).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the random baseline.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        try:
            report = recommenders_evaluate(k=k, kind=options["kind"], seed=options["seed"])
        except EvaluationUnavailable as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report_json(report, k=k)))
            return
        accuracy = "n/a" if report.intent_accuracy is None else f"{report.intent_accuracy:.1%}"
        self.stdout.write(f"users {report.users}, items {report.items}, intent accuracy {accuracy}")
        keys = (*metric_names(k), COVERAGE, NOVELTY)
        self.stdout.write(f"{'algorithm':<12}" + "".join(f"{key:>14}" for key in keys))
        for name, metrics in report.algorithms.items():
            self.stdout.write(f"{name:<12}" + "".join(f"{metrics[key]:>14.4f}" for key in keys))
