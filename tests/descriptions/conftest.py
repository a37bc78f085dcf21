"""Fixtures for the LLM engine and its fine-tuning: a tiny random causal LM saved to a temporary directory
(no real model, no network), and consistent training pairs for it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from descriptions.engines.tiny import tiny_model_save
from descriptions.facts import ListingFacts
from tests.conftest import torch_threads

CITIES = ("Ponce", "Mayaguez", "Caguas", "Arecibo", "Bayamon", "Carolina")


def describer_pair(index: int) -> tuple[ListingFacts, str]:
    """A home with seeded facts and the one sentence our house style writes for it."""
    rng = random.Random(index)
    rent = index % 4 == 0
    facts = ListingFacts(
        kind="home", offer="rent" if rent else "sale", city=rng.choice(CITIES), state="PR",
        price=float(rng.randrange(8, 30) * 100 if rent else rng.randrange(80, 400) * 1000),
        bed=rng.randint(1, 5), bath=float(rng.randint(1, 3)), house_size=rng.randrange(700, 2500, 50),
    )
    assert facts.price is not None and facts.bath is not None
    offer = f"for rent at ${facts.price:,.0f} a month" if rent else f"for sale at ${facts.price:,.0f}"
    description = (f"This home in {facts.city} has {facts.bed} bedrooms and {facts.bath:g} bathrooms in "
                   f"{facts.house_size:,} square feet, {offer}.")
    return facts, description


@pytest.fixture(scope="session")
def describer_pairs() -> list[tuple[ListingFacts, str]]:
    """60 pairs: 45 homes for sale, 15 for rent."""
    return [describer_pair(index) for index in range(60)]


@pytest.fixture(scope="session")
def tiny_llm_dir(tmp_path_factory: pytest.TempPathFactory, describer_pairs: list[tuple[ListingFacts, str]]) -> Path:
    """A tiny random Qwen2 (hidden 32, 2 layers) and a BPE tokenizer trained on our prompts and pairs."""
    with torch_threads(1):
        return tiny_model_save(tmp_path_factory.mktemp("tiny_llm"), corpus=[text for _, text in describer_pairs])
