"""Describer fine-tuning: a LoRA adapter on a local causal LM, trained on (facts, description) pairs with
exactly the prompt ``LlmEngine`` uses. No Django here.

With CUDA, the base can load in 4 bits (QLoRA: NF4 base through bitsandbytes, adapter in float32) and
gradients accumulate over several batches; on the CPU the base is float32 and every batch is a step.
Only the adapter trains; the loss counts the description tokens only (the prompt is masked). The
best epoch on the validation loss is kept (early stopping), and the report compares the base model
and the adapter on validation loss and on the share of generated validation drafts with no findings.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from descriptions.checks import description_check
from descriptions.engines import tone_check
from descriptions.engines.llm import (
    DEFAULT_MAX_NEW_TOKENS,
    Sampling,
    causal_lm_load,
    default_device,
    drafts_generate,
    four_bit_usable,
    pad_token_id,
    rng_devices,
    tokenizer_load,
)
from descriptions.facts import ListingFacts
from descriptions.prompts import description_prompt_ids

logger = logging.getLogger(__name__)

# The seed deck's adapter trained on 10 examples learned them by heart and wrote nonsense otherwise.
MIN_EXAMPLES = 50
REPORT_FILE = "finetune_report.json"
IGNORE_INDEX = -100  # label of a token the loss skips (the prompt, padding)
# Attention projection names across common architectures (Llama/Qwen/Mistral, Phi, Falcon/BLOOM, GPT-2, MPT).
ATTENTION_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "qkv_proj", "query_key_value", "c_attn", "Wqkv")
GENERATION_BATCH = 8

FindingCount = Callable[[str, ListingFacts], int]
Pair = tuple[ListingFacts, str]


def finding_count(text: str, facts: ListingFacts) -> int:
    """How many fact and fair-housing findings ``text`` has against ``facts``."""
    return len(description_check(text, facts))


@dataclass(frozen=True)
class FinetuneReport:
    """What a fine-tuning run did. Losses are mean cross-entropy per description token (nats) on the
    validation pairs; pass rates are the share of validation drafts (``drafts_evaluated`` of them) that
    are non-empty with no findings, from the bare base model (before) and with the saved adapter (after).
    ``best_epoch`` 0: no epoch beat the base model, and the saved adapter changes nothing."""

    train_examples: int
    validation_examples: int
    validation_loss_before: float
    validation_loss_after: float
    pass_rate_before: float
    pass_rate_after: float
    drafts_evaluated: int
    best_epoch: int
    epochs_run: int
    adapter_dir: str
    device: str
    four_bit: bool

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class TrainingRow:
    """One pair as token ids: the prompt then the description and end-of-sequence token; ``labels`` are
    the ids with the prompt masked (IGNORE_INDEX)."""

    input_ids: list[int]
    labels: list[int]


@dataclass(frozen=True)
class _Schedule:
    epochs: int
    learning_rate: float
    batch_size: int
    accumulation: int
    patience: int
    seed: int
    pad_id: int


def describer_finetune(
    *,
    base_path: str | Path,
    examples: Sequence[Pair],
    out_dir: str | Path,
    epochs: int = 3,
    use_4bit: bool = False,
    force: bool = False,
    min_examples: int = MIN_EXAMPLES,
    validation_fraction: float = 0.2,
    seed: int = 0,
    learning_rate: float = 2e-4,
    lora_r: int = 8,
    lora_alpha: int = 16,
    lora_dropout: float = 0.05,
    batch_size: int = 4,
    gradient_accumulation: int = 4,
    patience: int = 2,
    checker: FindingCount = finding_count,
    tone: str = "warm",
    max_length: int = 1024,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    evaluation_limit: int | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> FinetuneReport:
    """Train a LoRA adapter for the model at ``base_path`` on ``examples`` and save the best one (by
    validation loss) into ``out_dir`` (peft ``save_pretrained`` plus REPORT_FILE).

    ValueError for fewer than ``min_examples`` pairs unless ``force``. ``use_4bit`` (QLoRA) and
    ``gradient_accumulation`` apply only when CUDA is present; on the CPU the base loads in float32 and
    each batch of ``batch_size`` is one optimizer step. Training stops after ``patience`` epochs without
    a better validation loss. Drafts for the pass rates use the prompt in ``tone`` and ``seed``, up to
    ``max_new_tokens`` each, for the first ``evaluation_limit`` validation pairs (all when None).
    ``on_epoch(epoch, validation_loss)`` is called after each epoch.
    """
    examples_enough(len(examples), min_examples=min_examples, force=force)
    tone_check(tone)
    train, validation = examples_split(examples, validation_fraction=validation_fraction, seed=seed)
    device = default_device()
    four_bit = four_bit_usable(use_4bit, device)
    tokenizer = tokenizer_load(base_path)
    model = causal_lm_load(base_path, four_bit=four_bit, device=device)
    schedule = _Schedule(epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, patience=patience,
                         accumulation=gradient_accumulation if device.type == "cuda" else 1, seed=seed,
                         pad_id=pad_token_id(tokenizer))
    train_rows = [training_row(tokenizer, facts, text, tone=tone, max_length=max_length) for facts, text in train]
    validation_rows = [training_row(tokenizer, facts, text, tone=tone, max_length=max_length)
                       for facts, text in validation]
    evaluated = [facts for facts, _ in validation[:evaluation_limit]]
    sampling = Sampling(max_new_tokens=max_new_tokens)

    def drafts_pass_rate(trained: Any) -> float:
        return pass_rate(trained, tokenizer, evaluated, tone=tone, seed=seed, sampling=sampling, checker=checker)

    with torch.random.fork_rng(devices=rng_devices(device)):
        torch.manual_seed(seed)
        loss_before = validation_loss(model, validation_rows, pad_id=schedule.pad_id, batch_size=batch_size)
        pass_before = drafts_pass_rate(model)
        model = lora_wrap(model, r=lora_r, alpha=lora_alpha, dropout=lora_dropout, four_bit=four_bit)
        best_epoch, epochs_run, loss_after = _lora_train(
            model, train_rows, validation_rows, schedule=schedule, loss_before=loss_before, on_epoch=on_epoch
        )
        pass_after = drafts_pass_rate(model)
    adapter_dir = Path(out_dir)
    adapter_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(adapter_dir))
    report = FinetuneReport(
        train_examples=len(train), validation_examples=len(validation), validation_loss_before=loss_before,
        validation_loss_after=loss_after, pass_rate_before=pass_before, pass_rate_after=pass_after,
        drafts_evaluated=len(evaluated), best_epoch=best_epoch, epochs_run=epochs_run,
        adapter_dir=str(adapter_dir), device=str(device), four_bit=four_bit,
    )
    (adapter_dir / REPORT_FILE).write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return report


def examples_enough(count: int, *, min_examples: int, force: bool) -> None:
    """ValueError when ``count`` pairs are too few to fine-tune on, unless ``force``."""
    if count < min_examples and not force:
        raise ValueError(
            f"Only {count} training examples; fine-tuning needs at least {min_examples} (the seed deck's adapter, "
            "trained on 10, overfitted into nonsense). Add examples, or force the run."
        )


def examples_split(examples: Sequence[Pair], *, validation_fraction: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(train, validation): a seeded shuffle, ``round(len × validation_fraction)`` (at least 1) to validation."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must lie between 0 and 1, not {validation_fraction}.")
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    count = max(1, round(len(examples) * validation_fraction))
    if count >= len(examples):
        raise ValueError(f"{len(examples)} examples leave none to train on beside {count} for validation.")
    return [examples[index] for index in order[count:]], [examples[index] for index in order[:count]]


def training_row(tokenizer: Any, facts: ListingFacts, description: str, *, tone: str, max_length: int) -> TrainingRow:
    """The prompt ``LlmEngine`` would send for ``facts`` followed by ``description`` and the end-of-sequence
    token, cut to ``max_length`` tokens; only the description's tokens carry labels."""
    if tokenizer.eos_token_id is None:
        raise ValueError("The tokenizer has no end-of-sequence token to end a description with.")
    prompt = description_prompt_ids(tokenizer, facts, tone=tone)
    if len(prompt) >= max_length:
        raise ValueError(f"A prompt of {len(prompt)} tokens leaves no room for the description in max_length={max_length}.")
    target = [*tokenizer(description, add_special_tokens=False)["input_ids"], int(tokenizer.eos_token_id)]
    return TrainingRow(
        input_ids=[*prompt, *target][:max_length], labels=[*([IGNORE_INDEX] * len(prompt)), *target][:max_length]
    )


def attention_projections(model: Any) -> list[str]:
    """The names of ATTENTION_PROJECTIONS that ``model`` has as modules; ValueError when it has none."""
    leaves = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    found = [name for name in ATTENTION_PROJECTIONS if name in leaves]
    if not found:
        raise ValueError(f"{type(model).__name__} has none of the attention projections LoRA targets: "
                         f"{', '.join(ATTENTION_PROJECTIONS)}.")
    return found


def lora_wrap(model: Any, *, r: int, alpha: int, dropout: float, four_bit: bool) -> Any:
    """``model`` frozen with a fresh LoRA adapter on its attention projections (a peft model); a 4-bit
    base is first prepared for k-bit training (norms in float32, gradient checkpointing)."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    targets = attention_projections(model)
    if four_bit:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets, bias="none",
                        task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def validation_loss(model: Any, rows: Sequence[TrainingRow], *, pad_id: int, batch_size: int) -> float:
    """Mean cross-entropy per labelled (description) token over ``rows``, in nats; eval mode, no gradients."""
    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            batch = _batch(rows[start:start + batch_size], pad_id=pad_id, device=model.device)
            # The model's loss is the mean over the shifted labels that are not IGNORE_INDEX.
            counted = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
            total += float(model(**batch, use_cache=False).loss) * counted
            tokens += counted
    return total / tokens


def pass_rate(
    model: Any, tokenizer: Any, facts_list: Sequence[ListingFacts], *, tone: str, seed: int, sampling: Sampling,
    checker: FindingCount,
) -> float:
    """Share of drafts generated for ``facts_list`` that are non-empty and have no findings (0.0 for none)."""
    if not facts_list:
        return 0.0
    model.eval()
    passed = 0
    for start in range(0, len(facts_list), GENERATION_BATCH):
        chunk = facts_list[start:start + GENERATION_BATCH]
        drafts = drafts_generate(model, tokenizer, chunk, tone=tone, seed=seed + start, sampling=sampling)
        passed += sum(1 for draft, facts in zip(drafts, chunk, strict=True) if draft and checker(draft, facts) == 0)
    return passed / len(facts_list)


def _lora_train(
    model: Any, train_rows: Sequence[TrainingRow], validation_rows: Sequence[TrainingRow], *, schedule: _Schedule,
    loss_before: float, on_epoch: Callable[[int, float], None] | None,
) -> tuple[int, int, float]:
    """Train the adapter epoch by epoch with early stopping, leave the best weights in ``model`` and
    return (best epoch, epochs run, best validation loss); epoch 0 is the untrained adapter."""
    parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=schedule.learning_rate, weight_decay=0.0)
    order = torch.Generator().manual_seed(schedule.seed)
    best_loss, best_epoch, best_state = loss_before, 0, _trainable_state(model)
    epochs_run = 0
    for epoch in range(1, schedule.epochs + 1):
        _epoch_train(model, train_rows, optimizer=optimizer, parameters=parameters, order=order, schedule=schedule)
        loss = validation_loss(model, validation_rows, pad_id=schedule.pad_id, batch_size=schedule.batch_size)
        epochs_run = epoch
        logger.info("Describer fine-tuning epoch %d: validation loss %.4f", epoch, loss)
        if on_epoch is not None:
            on_epoch(epoch, loss)
        if loss < best_loss:
            best_loss, best_epoch, best_state = loss, epoch, _trainable_state(model)
        elif epoch - best_epoch >= schedule.patience:
            break
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name in best_state:
                parameter.copy_(best_state[name])
    return best_epoch, epochs_run, best_loss


def _epoch_train(
    model: Any, rows: Sequence[TrainingRow], *, optimizer: torch.optim.Optimizer, parameters: list[torch.Tensor],
    order: torch.Generator, schedule: _Schedule,
) -> None:
    """One pass over ``rows`` in a shuffled order; a step every ``schedule.accumulation`` batches."""
    model.train()
    shuffled = torch.randperm(len(rows), generator=order).tolist()
    starts = range(0, len(rows), schedule.batch_size)
    optimizer.zero_grad(set_to_none=True)
    for step, start in enumerate(starts, start=1):
        batch = _batch([rows[index] for index in shuffled[start:start + schedule.batch_size]], pad_id=schedule.pad_id,
                       device=model.device)
        loss = model(**batch, use_cache=False).loss / schedule.accumulation
        loss.backward()
        if step % schedule.accumulation == 0 or step == len(starts):
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)


def _trainable_state(model: Any) -> dict[str, torch.Tensor]:
    return {name: parameter.detach().clone() for name, parameter in model.named_parameters() if parameter.requires_grad}


def _batch(rows: Sequence[TrainingRow], *, pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    """input_ids, attention_mask and labels, each (len(rows), longest row), padded on the right."""
    width = max(len(row.input_ids) for row in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        input_ids[index, :len(row.input_ids)] = torch.tensor(row.input_ids, dtype=torch.long)
        labels[index, :len(row.labels)] = torch.tensor(row.labels, dtype=torch.long)
        attention_mask[index, :len(row.input_ids)] = 1
    return {"input_ids": input_ids.to(device), "attention_mask": attention_mask.to(device), "labels": labels.to(device)}
