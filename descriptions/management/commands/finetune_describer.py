"""``finetune_describer --base PATH --out DIR [--data FILE.jsonl] [--epochs N] [--4bit] [--force]``: teach a
local causal LM our house style with a LoRA adapter (QLoRA with --4bit on CUDA), from the descriptions
sellers accepted or a JSONL of ``{"facts": {...}, "description": "..."}``; the adapter becomes a version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from descriptions.services import describer_pairs_accepted, describer_version_record
from listings.management.commands.import_listings import positive_int


class Command(BaseCommand):
    help = ("Fine-tune the description writer (LoRA) on accepted descriptions or a JSONL file; report validation "
            "loss and the fact-check pass rate of validation drafts before and after; record the adapter as a "
            "model version (active unless it passes fewer drafts than the base model).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base", required=True, type=Path, help="Local directory of the base causal LM.")
        parser.add_argument("--out", required=True, type=Path, help="Directory the adapter is written to.")
        parser.add_argument("--data", type=Path, metavar="FILE.jsonl",
                            help="Training pairs (default: the descriptions sellers accepted).")
        parser.add_argument("--epochs", type=positive_int, default=3)
        parser.add_argument("--4bit", dest="four_bit", action="store_true",
                            help="QLoRA: load the base in 4 bits (CUDA and bitsandbytes needed).")
        parser.add_argument("--force", action="store_true", help="Train even on fewer examples than the minimum.")
        parser.add_argument("--min-examples", type=positive_int, default=None)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        from descriptions.finetune import MIN_EXAMPLES, describer_finetune  # torch, transformers, peft

        pairs = self.pairs(options["data"])
        minimum = options["min_examples"] or MIN_EXAMPLES
        try:
            report = describer_finetune(
                base_path=options["base"], examples=pairs, out_dir=options["out"], epochs=options["epochs"],
                use_4bit=options["four_bit"], force=options["force"], min_examples=minimum, seed=options["seed"],
                on_epoch=lambda epoch, loss: self.stdout.write(f"epoch {epoch}: validation loss {loss:.4f}"),
            )
        except (ValueError, FileNotFoundError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        version = describer_version_record(report=report, params={
            "base": str(options["base"]), "epochs": options["epochs"], "four_bit": report.four_bit,
            "examples": len(pairs), "seed": options["seed"],
        })
        state = "active" if version.active else "ready, not activated: it passes fewer drafts than the base model"
        self.stdout.write(
            f"{report.train_examples} training / {report.validation_examples} validation pairs on {report.device}; "
            f"validation loss {report.validation_loss_before:.4f} → {report.validation_loss_after:.4f}; "
            f"fact-check pass rate {report.pass_rate_before:.0%} → {report.pass_rate_after:.0%} "
            f"({report.drafts_evaluated} drafts); best epoch {report.best_epoch} of {report.epochs_run}; "
            f"adapter in {report.adapter_dir}; version {version.pk} {state}."
        )

    def pairs(self, data: Path | None) -> list[Any]:
        if data is None:
            return describer_pairs_accepted()
        from descriptions.training_data import training_pairs_read

        try:
            read = training_pairs_read(data)
        except OSError as error:
            raise CommandError(f"Cannot read {data}: {error.strerror or error}.") from error
        for message in read.rejected[:20]:
            self.stderr.write(f"{data}: {message}")
        if read.rejected:
            self.stderr.write(f"{data}: {len(read.rejected)} lines rejected, {len(read.pairs)} pairs read.")
        return read.pairs
