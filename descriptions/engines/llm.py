"""LLM engine: a local causal language model (optionally with a LoRA adapter) drafts the description.
No Django here.

The model is read from a local directory only (``local_files_only``: nothing is ever downloaded) and
loaded once per process. CUDA is used when present (bfloat16, or float16 where bfloat16 is missing;
4-bit NF4 through bitsandbytes on request), the CPU otherwise (float32). The prompt comes from
``descriptions.prompts``, the one place that builds it for generation and fine-tuning alike.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from descriptions.engines import EmptyDraft, tone_check
from descriptions.facts import ListingFacts
from descriptions.prompts import description_prompt_ids

logger = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 320
THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

_THINK_BLOCK = re.compile(re.escape(THINK_OPEN) + r".*?" + re.escape(THINK_CLOSE), re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Sampling:
    """How drafts are sampled; ``max_new_tokens`` bounds the reply, reasoning included."""

    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.1


@dataclass(frozen=True)
class LanguageModel:
    """A loaded model (eval mode, on ``device``) and its tokenizer; ``four_bit`` when quantized."""

    model: Any
    tokenizer: Any
    device: torch.device
    four_bit: bool


class LlmEngine:
    """Drafts with a local causal LM. The directory is checked here; the model loads on first use, once
    per process for each (model, adapter, 4-bit) (``language_model_load``)."""

    name: str = "llm"

    def __init__(
        self,
        *,
        model_path: str | Path,
        adapter_path: str | Path | None = None,
        use_4bit: bool = False,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        temperature: float = 0.7,
        top_p: float = 0.9,
        repetition_penalty: float = 1.1,
    ) -> None:
        self.model_path = model_directory(model_path)
        self.adapter_path = None if adapter_path is None else adapter_directory(adapter_path)
        self.use_4bit = use_4bit
        self.sampling = Sampling(max_new_tokens, temperature, top_p, repetition_penalty)

    def load(self) -> LanguageModel:
        return language_model_load(self.model_path, adapter_path=self.adapter_path, use_4bit=self.use_4bit)

    def draft(self, facts: ListingFacts, *, tone: str, seed: int) -> str:
        """One description of ``facts`` in ``tone``; the same seed gives the same text on the same machine.
        EmptyDraft when the model wrote nothing but reasoning or special tokens."""
        text = self.generate_batch([facts], tone=tone, seed=seed)[0]
        if not text:
            raise EmptyDraft(
                f"The model at {self.model_path} wrote no description within max_new_tokens="
                f"{self.sampling.max_new_tokens} (only reasoning or special tokens)."
            )
        return text

    def generate_batch(self, facts_list: Sequence[ListingFacts], *, tone: str, seed: int) -> list[str]:
        """One draft per listing, generated together (left-padded); ``""`` where the model wrote nothing."""
        loaded = self.load()
        return drafts_generate(loaded.model, loaded.tokenizer, facts_list, tone=tone, seed=seed, sampling=self.sampling)


def drafts_generate(
    model: Any, tokenizer: Any, facts_list: Sequence[ListingFacts], *, tone: str, seed: int, sampling: Sampling
) -> list[str]:
    """Sample one draft per listing from ``model`` (left-padded batch on the model's device), reasoning
    and special tokens removed. The global RNG is left as it was: sampling runs under a forked RNG
    seeded with ``seed``."""
    tone_check(tone)
    if not facts_list:
        return []
    prompts = [description_prompt_ids(tokenizer, facts, tone=tone) for facts in facts_list]
    pad_id = pad_token_id(tokenizer)
    input_ids, attention_mask = _left_padded(prompts, pad_id=pad_id)
    device = model.device
    stops = stop_token_ids(model, tokenizer)
    with torch.inference_mode(), torch.random.fork_rng(devices=rng_devices(device)):
        torch.manual_seed(seed)
        output = model.generate(
            input_ids=input_ids.to(device),
            attention_mask=attention_mask.to(device),
            do_sample=True,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            repetition_penalty=sampling.repetition_penalty,
            max_new_tokens=sampling.max_new_tokens,
            pad_token_id=pad_id,
            eos_token_id=stops,
        )
    new_tokens = output[:, input_ids.shape[1]:].tolist()
    return [reply_text(tokenizer, row, stops=set(stops)) for row in new_tokens]


def reasoning_strip(text: str) -> str:
    """``text`` without reasoning, whitespace normalised (runs of spaces collapsed, paragraphs kept,
    one blank line between them).

    ``<think>…</think>`` blocks go; after a stray ``</think>`` (the chat template opened the block) only
    what follows is kept; an unclosed ``<think>`` runs to the end and goes with it.
    """
    text = _THINK_BLOCK.sub(" ", text)
    if THINK_CLOSE in text:
        text = text.rsplit(THINK_CLOSE, 1)[1]
    if THINK_OPEN in text:
        text = text.split(THINK_OPEN, 1)[0]
    paragraphs = (" ".join(paragraph.split()) for paragraph in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


_LOADED: dict[tuple[str, str | None, bool], LanguageModel] = {}
_LOADING = threading.Lock()


def language_model_load(
    model_path: str | Path, *, adapter_path: str | Path | None = None, use_4bit: bool = False
) -> LanguageModel:
    """The model at ``model_path`` with the adapter at ``adapter_path`` merged in (kept separate on a
    4-bit base), ready for generation; loaded once per process and key, then shared."""
    model_dir = model_directory(model_path)
    adapter_dir = None if adapter_path is None else adapter_directory(adapter_path)
    key = (str(model_dir), None if adapter_dir is None else str(adapter_dir), use_4bit)
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = _language_model(model_dir, adapter_dir=adapter_dir, use_4bit=use_4bit)
        return _LOADED[key]


def _language_model(model_dir: Path, *, adapter_dir: Path | None, use_4bit: bool) -> LanguageModel:
    device = default_device()
    four_bit = four_bit_usable(use_4bit, device)
    model = causal_lm_load(model_dir, four_bit=four_bit, device=device)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=False)
        if not four_bit:
            model = model.merge_and_unload()  # plain weights again: generation at the base model's speed
    model.eval()
    logger.info("Loaded language model %s (adapter %s) on %s%s", model_dir, adapter_dir, device,
                " in 4 bits" if four_bit else "")
    return LanguageModel(model=model, tokenizer=tokenizer_load(model_dir), device=device, four_bit=four_bit)


def causal_lm_load(model_path: str | Path, *, four_bit: bool, device: torch.device) -> Any:
    """A fresh (uncached) copy of the model at ``model_path`` on ``device``: 4-bit NF4 when ``four_bit``
    (CUDA only), else bfloat16/float16 on CUDA and float32 on the CPU."""
    from transformers import AutoModelForCausalLM

    model_dir = model_directory(model_path)
    if four_bit:
        return AutoModelForCausalLM.from_pretrained(
            str(model_dir), local_files_only=True, quantization_config=four_bit_config(),
            device_map={"": device.index or 0},
        )
    model: Any = AutoModelForCausalLM.from_pretrained(str(model_dir), local_files_only=True, dtype=model_dtype(device))
    return model.to(device)


def tokenizer_load(model_path: str | Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_directory(model_path)), local_files_only=True)


def four_bit_config() -> Any:
    """NF4 quantization with bfloat16 compute. ImportError naming the install command when bitsandbytes
    is missing (it is not in requirements.txt: it only works on CUDA machines)."""
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "4-bit loading needs bitsandbytes, which is not installed. On a CUDA machine: pip install bitsandbytes"
        ) from error
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_use_double_quant=True,
    )


def four_bit_usable(use_4bit: bool, device: torch.device) -> bool:
    """Whether to load in 4 bits: only when asked and on CUDA (bitsandbytes needs it); a request on the
    CPU is logged as a warning and the model loads in float32."""
    if use_4bit and device.type != "cuda":
        logger.warning("4-bit loading asked for, but CUDA is not available: loading in float32 on the CPU.")
        return False
    return use_4bit


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_dtype(device: torch.device) -> torch.dtype:
    if device.type != "cuda":
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def rng_devices(device: torch.device) -> list[int]:
    """The CUDA devices whose RNG a forked RNG must save and restore along with the CPU's."""
    return [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []


def pad_token_id(tokenizer: Any) -> int:
    """The tokenizer's pad token, or its end-of-sequence token where it has none."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    if pad is None:
        raise ValueError("The tokenizer has neither a pad nor an end-of-sequence token.")
    return int(pad)


def model_directory(path: str | Path) -> Path:
    """``path`` resolved, when it holds a saved model (config.json); FileNotFoundError otherwise."""
    directory = Path(path).expanduser().resolve()
    if not (directory / "config.json").is_file():
        raise FileNotFoundError(
            f"No language model at {directory}: the directory must hold a model saved with save_pretrained "
            "(config.json, weights and tokenizer files). Nothing is downloaded."
        )
    return directory


def adapter_directory(path: str | Path) -> Path:
    """``path`` resolved, when it holds a LoRA adapter (adapter_config.json); FileNotFoundError otherwise."""
    directory = Path(path).expanduser().resolve()
    if not (directory / "adapter_config.json").is_file():
        raise FileNotFoundError(
            f"No LoRA adapter at {directory}: the directory must hold adapter_config.json and the adapter "
            "weights, as saved by the describer fine-tuning."
        )
    return directory


def _left_padded(rows: Sequence[Sequence[int]], *, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(len(rows), longest) input ids and attention mask, each row padded on the left."""
    width = max(len(row) for row in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        input_ids[index, width - len(row):] = torch.tensor(row, dtype=torch.long)
        attention_mask[index, width - len(row):] = 1
    return input_ids, attention_mask


def stop_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """End-of-sequence ids of the tokenizer and the model's generation config (chat models have several)."""
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids = configured if isinstance(configured, list) else [configured]
    stops = [int(token) for token in [tokenizer.eos_token_id, *ids] if token is not None]
    if not stops:
        raise ValueError("The tokenizer and the model define no end-of-sequence token.")
    return list(dict.fromkeys(stops))


def reply_text(tokenizer: Any, token_ids: list[int], *, stops: set[int]) -> str:
    """The reply up to its first stop token, decoded, with reasoning and special tokens removed."""
    end = next((index for index, token in enumerate(token_ids) if token in stops), len(token_ids))
    text = str(tokenizer.decode(token_ids[:end], skip_special_tokens=False))
    # Think tags may be special tokens: strip the reasoning before removing the other special tokens.
    text = reasoning_strip(text)
    for special in tokenizer.all_special_tokens:
        text = text.replace(special, " ")
    return reasoning_strip(text)
