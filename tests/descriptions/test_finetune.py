"""Describer fine-tuning on a tiny random model: LoRA lowers the validation loss on the description
tokens, the best adapter and its report are saved and reload, too few examples are refused, and
training pairs are read from JSON lines with bad lines rejected by number."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import torch

from descriptions.engines.llm import LlmEngine, default_device, tokenizer_load
from descriptions.facts import ListingFacts
from descriptions.finetune import (
    IGNORE_INDEX,
    MIN_EXAMPLES,
    REPORT_FILE,
    FinetuneReport,
    attention_projections,
    describer_finetune,
    examples_split,
    finding_count,
    training_row,
)
from descriptions.prompts import description_prompt_ids
from descriptions.training_data import training_pair_json, training_pair_parse, training_pairs_read
from tests.conftest import torch_threads

Pairs = list[tuple[ListingFacts, str]]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def even_beds_pass(text: str, facts: ListingFacts) -> int:
    """A stand-in check: a draft for an odd bed count has one finding, whatever it says."""
    assert text
    return 0 if facts.bed is not None and facts.bed % 2 == 0 else 1


@pytest.fixture(scope="module")
def epoch_losses() -> list[float]:
    """The validation loss after each epoch of ``finetuned``."""
    return []


@pytest.fixture(scope="module")
def finetuned(
    tiny_llm_dir: Path, describer_pairs: Pairs, tmp_path_factory: pytest.TempPathFactory, epoch_losses: list[float]
) -> FinetuneReport:
    with torch_threads(1):
        return describer_finetune(
            base_path=tiny_llm_dir, examples=describer_pairs, out_dir=tmp_path_factory.mktemp("adapter"), epochs=3,
            learning_rate=3e-2, batch_size=8, max_new_tokens=16, checker=even_beds_pass, seed=0,
            on_epoch=lambda _, loss: epoch_losses.append(loss),
        )


def test_it_lowers_the_validation_loss(finetuned: FinetuneReport) -> None:
    assert finetuned.validation_loss_after < finetuned.validation_loss_before


def test_it_reports_the_split_the_epochs_and_the_device(
    finetuned: FinetuneReport, epoch_losses: list[float]
) -> None:
    assert (finetuned.train_examples, finetuned.validation_examples, finetuned.drafts_evaluated) == (48, 12, 12)
    # The last two epochs' losses differ in the fourth digit, so which is best depends on the CPU's arithmetic;
    # the report names the best, and keeps its loss.
    assert finetuned.epochs_run == len(epoch_losses) == 3
    assert finetuned.best_epoch == 1 + epoch_losses.index(min(epoch_losses))
    assert finetuned.validation_loss_after == pytest.approx(min(epoch_losses))
    assert (finetuned.device, finetuned.four_bit) == (str(default_device()), False)


def test_it_passes_the_validation_drafts_the_checker_finds_nothing_in(
    finetuned: FinetuneReport, describer_pairs: Pairs
) -> None:
    _, validation = examples_split(describer_pairs, validation_fraction=0.2, seed=0)
    even = sum(1 for facts, _ in validation if facts.bed is not None and facts.bed % 2 == 0)

    assert even == 5
    assert (finetuned.pass_rate_before, finetuned.pass_rate_after) == (even / 12, even / 12)


def test_it_saves_the_adapter_and_the_report(finetuned: FinetuneReport) -> None:
    adapter_dir = Path(finetuned.adapter_dir)

    assert sorted(path.name for path in adapter_dir.iterdir()) == [
        "README.md", "adapter_config.json", "adapter_model.safetensors", REPORT_FILE,
    ]
    assert json.loads((adapter_dir / REPORT_FILE).read_text()) == finetuned.as_json()
    assert sorted(json.loads((adapter_dir / "adapter_config.json").read_text())["target_modules"]) == [
        "k_proj", "o_proj", "q_proj", "v_proj",
    ]


def test_it_drafts_with_the_saved_adapter(finetuned: FinetuneReport, tiny_llm_dir: Path, describer_pairs: Pairs) -> None:
    engine = LlmEngine(model_path=tiny_llm_dir, adapter_path=finetuned.adapter_dir, max_new_tokens=16)

    draft = engine.draft(describer_pairs[0][0], tone="warm", seed=5)

    assert draft == engine.draft(describer_pairs[0][0], tone="warm", seed=5) != ""


def test_it_keeps_the_untrained_adapter_when_no_epoch_improves(
    tiny_llm_dir: Path, describer_pairs: Pairs, tmp_path: Path
) -> None:
    report = describer_finetune(
        base_path=tiny_llm_dir, examples=describer_pairs, out_dir=tmp_path, epochs=5, patience=2, learning_rate=0.0,
        batch_size=16, max_new_tokens=4, evaluation_limit=2, checker=lambda text, facts: 0,
    )

    assert (report.best_epoch, report.epochs_run, report.drafts_evaluated) == (0, 2, 2)
    assert report.validation_loss_after == report.validation_loss_before


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="QLoRA needs CUDA")
def test_it_trains_a_qlora_adapter_on_a_4bit_base(tiny_llm_dir: Path, describer_pairs: Pairs, tmp_path: Path) -> None:
    pytest.importorskip("bitsandbytes")

    report = describer_finetune(
        base_path=tiny_llm_dir, examples=describer_pairs, out_dir=tmp_path, epochs=2, use_4bit=True,
        learning_rate=3e-2, batch_size=8, gradient_accumulation=2, max_new_tokens=8, checker=lambda text, facts: 0,
    )

    assert (report.four_bit, report.device) == (True, "cuda")
    assert report.validation_loss_after < report.validation_loss_before
    assert (tmp_path / "adapter_config.json").is_file()


def test_it_refuses_fewer_examples_than_the_minimum(describer_pairs: Pairs, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as error:
        describer_finetune(base_path=tmp_path, examples=describer_pairs[:10], out_dir=tmp_path / "adapter")

    assert MIN_EXAMPLES == 50
    assert str(error.value) == (
        "Only 10 training examples; fine-tuning needs at least 50 (the seed deck's adapter, trained on 10, "
        "overfitted into nonsense). Add examples, or force the run."
    )
    assert not (tmp_path / "adapter").exists()


def test_it_trains_on_fewer_examples_when_forced(tiny_llm_dir: Path, describer_pairs: Pairs, tmp_path: Path) -> None:
    report = describer_finetune(
        base_path=tiny_llm_dir, examples=describer_pairs[:10], out_dir=tmp_path, epochs=1, force=True,
        max_new_tokens=4, checker=lambda text, facts: 0,
    )

    assert (report.train_examples, report.validation_examples, report.epochs_run) == (8, 2, 1)
    assert (tmp_path / "adapter_config.json").is_file()


def test_it_splits_the_examples_by_seed(describer_pairs: Pairs) -> None:
    train, validation = examples_split(describer_pairs, validation_fraction=0.2, seed=0)

    assert (len(train), len(validation)) == (48, 12)
    assert sorted(map(str, train + validation)) == sorted(map(str, describer_pairs))
    assert examples_split(describer_pairs, validation_fraction=0.2, seed=0) == (train, validation)
    assert examples_split(describer_pairs, validation_fraction=0.2, seed=1) != (train, validation)
    with pytest.raises(ValueError, match=r"^validation_fraction must lie between 0 and 1, not 1\.0\.$"):
        examples_split(describer_pairs, validation_fraction=1.0, seed=0)


def test_it_trains_on_the_description_tokens_after_the_engines_prompt(
    tiny_llm_dir: Path, describer_pairs: Pairs
) -> None:
    tokenizer = tokenizer_load(tiny_llm_dir)
    facts, description = describer_pairs[0]
    prompt = description_prompt_ids(tokenizer, facts, tone="warm")
    target = [*tokenizer(description, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]

    row = training_row(tokenizer, facts, description, tone="warm", max_length=1024)

    assert row.input_ids == prompt + target
    assert row.labels == [IGNORE_INDEX] * len(prompt) + target
    assert tokenizer.decode(target) == description + "<|end|>"
    assert training_row(tokenizer, facts, description, tone="warm", max_length=len(prompt) + 2).labels[-2:] == target[:2]


def test_it_refuses_a_prompt_longer_than_the_maximum_length(tiny_llm_dir: Path, describer_pairs: Pairs) -> None:
    tokenizer = tokenizer_load(tiny_llm_dir)
    facts, description = describer_pairs[0]
    length = len(description_prompt_ids(tokenizer, facts, tone="warm"))

    with pytest.raises(ValueError) as error:
        training_row(tokenizer, facts, description, tone="warm", max_length=length)

    assert str(error.value) == (
        f"A prompt of {length} tokens leaves no room for the description in max_length={length}."
    )


def test_it_targets_the_attention_projections(tiny_llm_dir: Path) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_llm_dir, local_files_only=True)

    assert attention_projections(model) == ["q_proj", "k_proj", "v_proj", "o_proj"]
    with pytest.raises(ValueError, match=r"^Sequential has none of the attention projections LoRA targets: q_proj"):
        attention_projections(torch.nn.Sequential(torch.nn.Linear(2, 2)))


def test_it_counts_fact_and_fair_housing_findings(describer_pairs: Pairs) -> None:
    facts, description = describer_pairs[1]

    assert finding_count(description, facts) == 0
    assert finding_count(description.replace(f"{facts.bed} bedrooms", f"{facts.bed + 1} bedrooms"), facts) == 1


def test_it_reads_training_pairs_and_rejects_bad_lines_by_number(tmp_path: Path) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text("\n".join([
        '{"facts": {"kind": "home", "bed": 3, "bath": 2, "city": "Ponce", "prev_sold_date": "2019-05-01"},'
        ' "description": " A home in Ponce. "}',
        "",
        '{"facts": {"kind": "home"}, "description": "cut off',
        '["a list"]',
        '{"facts": {"kind": "boat"}, "description": "A boat."}',
        '{"facts": {"kind": "home", "rooms": 3}, "description": "A home."}',
        '{"facts": {"kind": "home", "bed": 2.5}, "description": "A home."}',
        '{"facts": {"kind": "home", "bed": "3"}, "description": "A home."}',
        '{"facts": {"kind": "home", "prev_sold_date": "May 2019"}, "description": "A home."}',
        '{"facts": {"kind": "car", "make": "ford"}, "description": "  "}',
        '{"facts": {"kind": "car", "offer": "lease"}, "description": "A car."}',
        '{"facts": {"kind": "car"}, "description": "A car.", "tone": "warm"}',
        '{"facts": {"kind": "car", "year": 2018, "odometer": 45000.0, "price": 12500, "fuel": null}, "description": "A car."}',
    ]) + "\n")

    read = training_pairs_read(data)

    assert read.pairs == [
        (ListingFacts(kind="home", bed=3, bath=2.0, city="Ponce", prev_sold_date=date(2019, 5, 1)), "A home in Ponce."),
        (ListingFacts(kind="car", year=2018, odometer=45000, price=12500.0), "A car."),
    ]
    assert read.rejected == [
        "line 3: not valid JSON (Unterminated string starting at: column 44)",
        "line 4: not a JSON object with facts and description",
        "line 5: facts.kind must be one of home, car, not 'boat'",
        "line 6: unknown facts rooms",
        "line 7: facts.bed must be a whole number, not 2.5",
        "line 8: facts.bed must be a number, not '3'",
        "line 9: facts.prev_sold_date must be an ISO date (YYYY-MM-DD), not 'May 2019'",
        "line 10: description missing or empty",
        "line 11: facts.offer must be one of sale, rent, not 'lease'",
        "line 12: unexpected keys tone (only facts and description)",
    ]


def test_it_writes_training_pairs_that_read_back(describer_pairs: Pairs) -> None:
    facts = ListingFacts(kind="home", offer="rent", price=1800, bed=2, bath=1.5, prev_sold_date=date(2020, 1, 2))

    line = training_pair_json(facts, "A rental.")

    assert json.loads(line) == {
        "facts": {"kind": "home", "offer": "rent", "price": 1800.0, "bed": 2, "bath": 1.5,
                  "prev_sold_date": "2020-01-02"},
        "description": "A rental.",
    }
    assert training_pair_parse(line) == (ListingFacts(kind="home", offer="rent", price=1800.0, bed=2, bath=1.5,
                                                      prev_sold_date=date(2020, 1, 2)), "A rental.")
    assert [training_pair_parse(training_pair_json(*pair)) for pair in describer_pairs[:5]] == describer_pairs[:5]
