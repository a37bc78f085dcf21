"""A tiny randomly initialised causal LM with its own tokenizer, saved like a real one: the stand-in for
tests and benchmarks where no real model is at hand (none ships with us, nothing is downloaded). No Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from descriptions.engines import TONES
from descriptions.facts import ListingFacts
from descriptions.prompts import description_messages

TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
_TINY_END, _TINY_PAD = "<|end|>", "<|pad|>"
_TINY_ROLES = ["<|system|>", "<|user|>", "<|assistant|>"]


def tiny_model_save(directory: str | Path, *, corpus: Sequence[str] = (), vocab_size: int = 800, seed: int = 0) -> Path:
    """Save a tiny randomly initialised Qwen2 causal LM (hidden 32, 2 layers, 2 heads) with a byte-level
    BPE tokenizer (trained on ``corpus`` and our prompts, with a chat template) into ``directory``.

    A stand-in for tests and benchmarks where no real model is at hand: it loads and runs like one,
    but its drafts are gibberish.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[_TINY_END, _TINY_PAD, *_TINY_ROLES], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator([*corpus, *_prompt_texts()], trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token=_TINY_END, pad_token=_TINY_PAD, additional_special_tokens=_TINY_ROLES
    )
    tokenizer.chat_template = TINY_CHAT_TEMPLATE
    tokenizer.save_pretrained(target)

    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2, max_position_embeddings=2048, tie_word_embeddings=True,
        bos_token_id=None, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(target)
    return target


def _prompt_texts() -> list[str]:
    """Every tone's rules and a home's and a car's facts, so that prompts take few tokens."""
    samples = [
        ListingFacts(kind="home", offer=offer, price=1500.0, city="San Juan", state="PR", bed=3, bath=2.0,
                     house_size=1400, acre_lot=0.2)
        for offer in ("sale", "rent")
    ]
    samples.append(ListingFacts(kind="car", price=12000.0, year=2018, make="toyota", model="camry", odometer=45000,
                                condition="good", fuel="gas", transmission="automatic", drive="fwd", body_type="sedan"))
    return [message["content"] for facts in samples for tone in TONES for message in description_messages(facts, tone=tone)]
