"""``evaluate_recommenders [--k 10] [--kind home|car | --interactions FILE] [--seed 0] [--json]``: leave-last-out
offline evaluation.

Database mode: each signed-in user's latest new listing is held out and every algorithm ranks the whole
catalogue of its kind from what came before (see ``recommendations.ml.evaluation``). Generic mode
(``--interactions FILE``): the same protocol on any CSV ``user,item,timestamp`` (see
``recommendations.ml.interaction_files``), every event weighing 1 and every item of the file the catalogue,
for the algorithms that need no listings; ``intent_accuracy`` is null.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from listings.management.commands.import_listings import positive_int
from listings.models import Kind
from recommendations.ml.evaluation.generic import generic_protocol_run, generic_recommenders
from recommendations.ml.evaluation.protocol import evaluated_users, results_summary
from recommendations.ml.interaction_files import InteractionFileError, interaction_file_read
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
            "item-kNN, content, the production feed, SASRec and the hybrid of feed and SASRec; intent accuracy "
            "against the simulator's ground truth. With --interactions FILE, evaluate a CSV user,item,timestamp instead (header required; timestamps "
            "ISO 8601 or epoch seconds; e.g. from export_interactions or generate_interaction_file): each user's "
            "last new item is held out, every item in the file is ranked, by random, popularity, item-kNN and "
            "SASRec.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=10, help="Cut-off of the @k metrics (default 10).")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--kind", choices=Kind.values, help="Only this kind (default: every kind with users).")
        source.add_argument("--interactions", type=Path, metavar="FILE",
                            help="Evaluate this CSV user,item,timestamp instead of the database.")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the random baseline and of SASRec.")
        parser.add_argument("--sasrec-epochs", type=positive_int, default=None,
                            help="Train SASRec at most this many epochs (default: until validation stops improving).")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        if options["interactions"]:
            report = self.file_evaluate(path=options["interactions"], k=k, seed=options["seed"],
                                        sasrec_epochs=options["sasrec_epochs"], verbosity=options["verbosity"])
        else:
            try:
                report = recommenders_evaluate(k=k, kind=options["kind"], seed=options["seed"],
                                               sasrec_epochs=options["sasrec_epochs"])
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

    def file_evaluate(
        self, *, path: Path, k: int, seed: int, sasrec_epochs: int | None, verbosity: int
    ) -> EvaluationReport:
        """The generic mode on the file at ``path``; skipped rows are reported on stderr."""
        try:
            interactions = interaction_file_read(path=path)
        except InteractionFileError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        if interactions.skipped and verbosity > 0:
            self.stderr.write(f"{path}: {interactions.skipped_summary()}")
        result = generic_protocol_run(log=interactions.log, items=interactions.items,
                                      recommenders=generic_recommenders(seed=seed, sasrec_epochs=sasrec_epochs), k=k)
        users = evaluated_users([result])
        if not users:
            raise CommandError(f"No user in {path} has events on two distinct items: nothing to hold out.")
        return EvaluationReport(users=users, items=interactions.items, intent_accuracy=None,
                                algorithms=results_summary([result], k=k))
