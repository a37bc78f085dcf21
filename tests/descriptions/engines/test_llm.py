"""LLM engine: the prompt from the facts and the style rules, loading a local model (once, offline),
seeded drafts, reasoning stripped, LoRA adapters, and the 4-bit path (GPU only)."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from descriptions.engines import TONES, UnknownTone
from descriptions.engines.llm import (
    EmptyDraft,
    LlmEngine,
    default_device,
    four_bit_config,
    four_bit_usable,
    language_model_load,
    reasoning_strip,
)
from descriptions.facts import ListingFacts
from descriptions.prompts import (
    TONE_INSTRUCTIONS,
    description_messages,
    description_prompt,
    description_prompt_ids,
    fact_lines,
)

HOME = ListingFacts(
    kind="home", offer="sale", title="Sunny 3BR with pool", price=250000, city="Ponce", state="PR", zip_code="00730",
    bed=3, bath=2.5, house_size=1500, acre_lot=0.12, prev_sold_date=date(2019, 5, 1), price_per_sqft_median=150.0,
)
RENTAL = ListingFacts(kind="home", offer="rent", price=1800, city="Caguas", bed=2, bath=1.0, house_size=900)
CAR = ListingFacts(
    kind="car", price=12500, year=2018, make="toyota", model="camry", odometer=45000, condition="other",
    fuel="gas", transmission="automatic", drive="fwd", body_type="sedan", paint_color="", title_status="clean",
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def engine(tiny_llm_dir: Path) -> LlmEngine:
    return LlmEngine(model_path=tiny_llm_dir, max_new_tokens=24)


@pytest.fixture(scope="module")
def random_adapter_dir(tiny_llm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA adapter with random (not zero) weights, so that it visibly changes the model."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_llm_dir, local_files_only=True)
    config = LoraConfig(r=8, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    adapter_dir = tmp_path_factory.mktemp("random_adapter")
    get_peft_model(model, config).save_pretrained(adapter_dir)
    return adapter_dir


def test_it_lists_only_the_known_facts_of_a_home() -> None:
    assert fact_lines(HOME) == [
        "- Price: $250,000",
        "- Location: Ponce, Puerto Rico",
        "- ZIP code: 00730",
        "- Bedrooms: 3",
        "- Bathrooms: 2.5",
        "- Living area: 1,500 square feet",
        "- Lot: 0.12 acres",
        "- Price per square foot: $167",
        "- Compared with similar listings nearby: price per square foot 11% above the median",
        "- Last sold: 2019-05-01",
    ]


def test_it_gives_a_rentals_rent_per_month_and_no_price_per_square_foot() -> None:
    assert fact_lines(RENTAL) == [
        "- Rent: $1,800 per month",
        "- Location: Caguas",
        "- Bedrooms: 2",
        "- Bathrooms: 1",
        "- Living area: 900 square feet",
    ]


def test_it_leaves_out_a_cars_values_that_say_nothing() -> None:
    assert fact_lines(CAR) == [
        "- Price: $12,500",
        "- Model year: 2018",
        "- Make: toyota",
        "- Model: camry",
        "- Mileage: 45,000 miles",
        "- Fuel: gas",
        "- Transmission: automatic",
        "- Drive: front-wheel drive",
        "- Body: sedan",
        "- Title status: clean",
    ]


def test_it_asks_for_the_listing_with_its_facts() -> None:
    system, user = description_messages(RENTAL, tone="warm")

    assert (system["role"], user["role"]) == ("system", "user")
    assert user["content"] == (
        "Write a description of this home for rent.\nFacts:\n- Rent: $1,800 per month\n- Location: Caguas\n"
        "- Bedrooms: 2\n- Bathrooms: 1\n- Living area: 900 square feet"
    )


@pytest.mark.parametrize("tone", TONES)
def test_it_gives_the_style_rules_and_the_tone(tone: str) -> None:
    rules = description_messages(HOME, tone=tone)[0]["content"].splitlines()

    assert rules[0] == "You write listing descriptions for TrustAsset, a marketplace for homes and cars. Rules:"
    assert rules[1].startswith("- Describe the home, not the people: never say who would suit it")
    assert "- This listing is for sale: never call it a rental." in rules
    assert "- Write 60–120 words of plain prose in one or two paragraphs: no headings, lists, emoji or contact details." in rules
    assert [line for line in rules if line.startswith("- Tone:")] == [f"- {TONE_INSTRUCTIONS[tone]}"]


def test_it_tells_a_rental_to_read_as_a_rental() -> None:
    rules = description_messages(RENTAL, tone="concise")[0]["content"].splitlines()

    assert ("- This listing is a rental: say it is for rent and give the rent per month; never call it for sale."
            in rules)


def test_it_has_an_instruction_for_every_tone() -> None:
    assert sorted(TONE_INSTRUCTIONS) == sorted(TONES)


def test_it_refuses_an_unknown_tone() -> None:
    with pytest.raises(UnknownTone, match="Unknown tone 'chatty'"):
        description_messages(HOME, tone="chatty")


def test_it_renders_the_prompt_with_the_chat_template(engine: LlmEngine) -> None:
    system, user = description_messages(HOME, tone="premium")

    prompt = description_prompt(engine.load().tokenizer, HOME, tone="premium")

    assert prompt == f"<|system|>\n{system['content']}<|end|>\n<|user|>\n{user['content']}<|end|>\n<|assistant|>\n"


def test_it_writes_a_plain_prompt_without_a_chat_template() -> None:
    system, user = description_messages(CAR, tone="concise")

    prompt = description_prompt(SimpleNamespace(chat_template=None), CAR, tone="concise")

    assert prompt == f"{system['content']}\n\n{user['content']}\n\nDescription:\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("<think>3 beds, so say 3.</think>\n\nA bright  home\twith 3 bedrooms.", "A bright home with 3 bedrooms."),
    ("Cozy home.<think>scratch</think> Two baths.", "Cozy home. Two baths."),
    ("Reasoning the template opened.\n</think>\n\nA home in Ponce.", "A home in Ponce."),
    ("A home in Ponce. <think>and then it ran out of tokens", "A home in Ponce."),
    ("<think>only thinking", ""),
    ("First paragraph\nstill first.\n\n\n  Second   paragraph.  ", "First paragraph still first.\n\nSecond paragraph."),
    ("<think>a</think>b</think> c <think>d", "c"),
])
def test_it_strips_reasoning_and_normalises_whitespace(text: str, expected: str) -> None:
    assert reasoning_strip(text) == expected


def test_it_drafts_text_from_a_local_model(engine: LlmEngine) -> None:
    draft = engine.draft(HOME, tone="warm", seed=1)

    assert isinstance(draft, str)
    assert draft == reasoning_strip(draft) != ""
    assert engine.name == "llm"


def test_it_gives_the_same_draft_for_the_same_seed(engine: LlmEngine) -> None:
    first = engine.draft(HOME, tone="warm", seed=7)

    assert engine.draft(HOME, tone="warm", seed=7) == first
    assert engine.draft(HOME, tone="warm", seed=8) != first


def test_it_leaves_the_global_random_state_alone(engine: LlmEngine) -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)

    engine.draft(HOME, tone="concise", seed=1)

    assert torch.equal(torch.rand(3), expected)


def test_it_drafts_a_batch_one_per_listing_and_reproducibly(engine: LlmEngine) -> None:
    drafts = engine.generate_batch([HOME, RENTAL, CAR], tone="premium", seed=3)

    assert len(drafts) == 3
    assert engine.generate_batch([HOME, RENTAL, CAR], tone="premium", seed=3) == drafts
    assert engine.generate_batch([], tone="premium", seed=3) == []


def test_it_raises_when_the_model_writes_no_description(engine: LlmEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LlmEngine, "generate_batch", lambda self, facts_list, *, tone, seed: [""])

    with pytest.raises(EmptyDraft, match=r"wrote no description within max_new_tokens=24"):
        engine.draft(HOME, tone="warm", seed=1)


def test_it_loads_a_model_once_per_process(tiny_llm_dir: Path) -> None:
    first = LlmEngine(model_path=tiny_llm_dir).load()

    assert LlmEngine(model_path=str(tiny_llm_dir), max_new_tokens=8).load() is first
    assert first.device == default_device()
    assert first.model.training is False
    assert next(first.model.parameters()).dtype == (torch.float32 if first.device.type == "cpu" else torch.bfloat16)


def test_it_refuses_a_directory_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as error:
        LlmEngine(model_path=tmp_path / "missing")

    assert str(error.value) == (
        f"No language model at {tmp_path / 'missing'}: the directory must hold a model saved with save_pretrained "
        "(config.json, weights and tokenizer files). Nothing is downloaded."
    )


def test_it_refuses_a_directory_without_an_adapter(tiny_llm_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"^No LoRA adapter at .*: the directory must hold adapter_config.json"):
        LlmEngine(model_path=tiny_llm_dir, adapter_path=tmp_path)


def test_it_drafts_with_a_lora_adapter(tiny_llm_dir: Path, random_adapter_dir: Path, engine: LlmEngine) -> None:
    adapted = LlmEngine(model_path=tiny_llm_dir, adapter_path=random_adapter_dir, max_new_tokens=24)

    loaded = adapted.load()

    assert type(loaded.model).__name__ == "Qwen2ForCausalLM"  # merged into the base weights
    assert loaded is not engine.load()
    assert adapted.draft(HOME, tone="warm", seed=7) != engine.draft(HOME, tone="warm", seed=7)


def test_it_loads_in_float32_with_a_warning_when_4bit_is_asked_without_cuda(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="descriptions.engines.llm"):
        usable = four_bit_usable(True, torch.device("cpu"))

    assert usable is False
    assert caplog.messages == ["4-bit loading asked for, but CUDA is not available: loading in float32 on the CPU."]


def test_it_names_the_install_command_when_bitsandbytes_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bitsandbytes", None)  # makes the import fail

    with pytest.raises(ImportError) as error:
        four_bit_config()

    assert str(error.value) == (
        "4-bit loading needs bitsandbytes, which is not installed. On a CUDA machine: pip install bitsandbytes"
    )


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="4-bit loading needs CUDA")
def test_it_drafts_from_a_4bit_model_on_cuda(tiny_llm_dir: Path) -> None:
    pytest.importorskip("bitsandbytes")
    engine = LlmEngine(model_path=tiny_llm_dir, use_4bit=True, max_new_tokens=24)

    loaded = engine.load()

    assert loaded.four_bit is True
    assert type(loaded.model.model.layers[0].self_attn.q_proj).__name__ == "Linear4bit"
    assert engine.draft(HOME, tone="warm", seed=1) == engine.draft(HOME, tone="warm", seed=1)


def test_it_tokenizes_the_prompt_without_adding_specials_to_a_chat_template(engine: LlmEngine) -> None:
    tokenizer = engine.load().tokenizer

    ids = description_prompt_ids(tokenizer, HOME, tone="warm")

    assert tokenizer.decode(ids) == description_prompt(tokenizer, HOME, tone="warm")
    assert language_model_load(engine.model_path).tokenizer is tokenizer
