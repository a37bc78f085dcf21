"""The SASRec network and a trained model that scores histories; save and load.

Architecture (Kang & McAuley 2018, pre-norm variant): an item's embedding is a free vector plus a learned
linear projection of its content vector; learned positions count from the first item of the window;
``blocks`` × (causal multi-head self-attention, point-wise feed-forward, each behind a layer norm, with
dropout and a residual); a final layer norm; logits are the last hidden state · item table, the same
table as the input (shared embeddings).

Cold start by content: an item with a content vector starts at the projection of it (its free vector is
zero at first), so a sparsely seen item starts near items with similar content. Items never seen in
training keep no free vector at all: their rows are the projection only, so two unseen items with the
same content score the same. ``SequenceModel.known`` tells them apart; the caller scores the unknown ones
with the content ranker, not with this model.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import IO

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from recommendations.ml.sequence.config import SequenceConfig
from recommendations.ml.sequence.items import PAD_INDEX, ItemVocabulary, repeats_collapsed

SAVE_FORMAT = 1
EVAL_BATCH_SIZE = 1024


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class _Block(nn.Module):
    """(batch, length, hidden) → same: pre-norm causal self-attention and feed-forward, each residual."""

    def __init__(self, config: SequenceConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.attention_dropout = config.dropout
        self.attention_norm = nn.LayerNorm(config.hidden)
        self.query_key_value = nn.Linear(config.hidden, 3 * config.hidden)
        self.attention_out = nn.Linear(config.hidden, config.hidden)
        self.feed_forward_norm = nn.LayerNorm(config.hidden)
        self.feed_forward = nn.Sequential(
            nn.Linear(config.hidden, config.hidden), nn.ReLU(), nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.hidden),
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, states: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """``allowed`` (batch, 1, length, length) bool: whether a query position may read a key position."""
        batch, length, hidden = states.shape
        query, key, value = (
            self.query_key_value(self.attention_norm(states))
            .view(batch, length, 3, self.heads, hidden // self.heads)
            .permute(2, 0, 3, 1, 4)
        )
        attended = functional.scaled_dot_product_attention(
            query, key, value, attn_mask=allowed, dropout_p=self.attention_dropout if self.training else 0.0,
        )
        states = states + self.dropout(self.attention_out(attended.transpose(1, 2).reshape(batch, length, hidden)))
        return states + self.dropout(self.feed_forward(self.feed_forward_norm(states)))


class SasRec(nn.Module):
    """Item indices (batch, length), left-padded with 0, → hidden states (batch, length, hidden); the state
    at a position has read that item and the ones before it, never later ones.

    ``content`` (n_items, c) float32 (c may be 0; rows of zeros for items without content) and ``known``
    (n_items,) bool (items with a free vector) are fixed buffers, in ``item_ids`` order.
    """

    content: torch.Tensor
    known: torch.Tensor

    def __init__(self, *, content: torch.Tensor, known: torch.Tensor, config: SequenceConfig) -> None:
        super().__init__()
        n_items, content_dim = content.shape
        self.config = config
        padding = torch.zeros(1, dtype=torch.bool)
        self.register_buffer("content", torch.cat([torch.zeros(1, content_dim), content.float()]))
        self.register_buffer("known", torch.cat([padding, known.bool()]))
        self.item_embedding = nn.Embedding(n_items + 1, config.hidden, padding_idx=PAD_INDEX)
        self.content_projection = nn.Linear(content_dim, config.hidden, bias=False) if content_dim else None
        self.positions = nn.Embedding(config.max_length, config.hidden)
        self.input_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.blocks))
        self.final_norm = nn.LayerNorm(config.hidden)
        self._initialize()

    def _initialize(self) -> None:
        # Item rows of norm ~1 either way: a unit content vector through N(0, 1/hidden) weights, or a
        # random free vector where there is no content. Items with content start at their projection.
        scale = self.config.hidden**-0.5
        with torch.no_grad():
            has_content = self.content.abs().sum(dim=1) > 0
            self.item_embedding.weight.normal_(0.0, scale)
            self.item_embedding.weight[has_content | ~self.known] = 0.0
            if self.content_projection is not None:
                self.content_projection.weight.normal_(0.0, scale)
            self.positions.weight.normal_(0.0, 0.5)

    def item_vectors(self, indices: torch.Tensor) -> torch.Tensor:
        """(..., hidden) rows of the item table for ``indices`` (...); zeros for padding."""
        vectors = self.item_embedding(indices) * self.known[indices].unsqueeze(-1)
        if self.content_projection is not None:
            vectors = vectors + self.content_projection(self.content[indices])
        return vectors

    def item_table(self) -> torch.Tensor:
        """(n_items + 1, hidden): every item's row, padding first."""
        return self.item_vectors(torch.arange(len(self.known), device=self.known.device))

    def forward(self, items: torch.Tensor, vectors: torch.Tensor | None = None) -> torch.Tensor:
        """``vectors`` (batch, length, hidden): the rows of ``items`` when the caller has them already."""
        real = items != PAD_INDEX
        positions = (real.cumsum(dim=1) - 1).clamp(min=0)
        vectors = self.item_vectors(items) if vectors is None else vectors
        states = vectors * self.config.hidden**0.5 + self.positions(positions)
        states = self.input_dropout(states) * real.unsqueeze(-1)
        length = items.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool, device=items.device).tril()
        # A padding position reads itself only: a query row with no key would give NaN.
        diagonal = torch.eye(length, dtype=torch.bool, device=items.device)
        allowed = causal & (real[:, None, None, :] | diagonal)
        for block in self.blocks:
            states = block(states, allowed) * real.unsqueeze(-1)
        return self.final_norm(states) * real.unsqueeze(-1)

    def logits(self, hidden: torch.Tensor, indices: torch.Tensor | None = None) -> torch.Tensor:
        """Scores (..., n_items + 1) of ``hidden`` (..., hidden) against every item, or (..., k) against
        ``indices`` (k,) only."""
        table = self.item_table() if indices is None else self.item_vectors(indices)
        return hidden @ table.T


class SequenceModel:
    """A trained ``SasRec`` with its vocabulary, in eval mode; scores line up with ``item_ids``."""

    def __init__(
        self, network: SasRec, vocabulary: ItemVocabulary, *, metrics: dict[str, float | int] | None = None,
    ) -> None:
        self.network = network.eval()
        self.vocabulary = vocabulary
        self.config = network.config
        self.metrics = metrics or {}
        # After training: which of the training sequences held out their last item (not saved).
        self.validation_rows = np.zeros(0, dtype=np.int64)
        with torch.inference_mode():
            self._table = network.item_table()[1:]

    @property
    def item_ids(self) -> np.ndarray:
        return self.vocabulary.ids

    def known(self, item_ids: np.ndarray) -> np.ndarray:
        """(q,) bool: whether each of ``item_ids`` (q,) was seen in training; the others (and ids not in the
        vocabulary) are for the content ranker to score."""
        return self.network.known.cpu().numpy()[self.vocabulary.indices(item_ids)]

    @functools.cached_property
    def known_items(self) -> np.ndarray:
        """(n_items,) bool, in ``item_ids`` order: ``known`` of every item, computed once."""
        return self.network.known.cpu().numpy()[1:].copy()

    @functools.cached_property
    def known_item_ids(self) -> np.ndarray:
        """(k,) the ids of the items seen in training, ascending: the only ones a ranking asks the model about."""
        return self.vocabulary.ids[self.known_items]

    @functools.cached_property
    def _known_table(self) -> torch.Tensor:
        return self._table[torch.from_numpy(np.flatnonzero(self.known_items)).to(self._table.device)]

    def known_scores(self, history: np.ndarray) -> np.ndarray:
        """(k,) float32 ``scores`` of the ``known_item_ids`` alone: at serving time the model proposes and
        ranks only what it learned, and the catalogue can be far larger than that."""
        row = _history_indices(self.vocabulary, history, self.config.max_length)
        if not len(row):
            raise ValueError("A history has no item of the vocabulary: the sequence model cannot score it.")
        with torch.inference_mode():
            hidden = self.network(left_padded([row]).to(self._table.device))[:, -1]
            return (hidden @ self._known_table.T).float().cpu().numpy()[0]

    def scores(self, history: np.ndarray) -> np.ndarray:
        """(n_items,) float32 next-item scores after ``history`` (h,) item ids, oldest first. Ids not in the
        vocabulary are skipped and the latest ``max_length`` others read; ValueError if none is left."""
        return self.scores_batch([history])[0]

    def scores_batch(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """(u, n_items) float32: ``scores`` of each of the u histories, computed together."""
        rows = [_history_indices(self.vocabulary, history, self.config.max_length) for history in histories]
        if any(not len(row) for row in rows):
            raise ValueError("A history has no item of the vocabulary: the sequence model cannot score it.")
        device = self._table.device
        with torch.inference_mode():
            chunks = [
                self._table_scores(left_padded(rows[start:start + EVAL_BATCH_SIZE]).to(device))
                for start in range(0, len(rows), EVAL_BATCH_SIZE)
            ]
        if not chunks:
            return np.zeros((0, len(self.vocabulary)), dtype=np.float32)
        return np.concatenate(chunks)

    def _table_scores(self, items: torch.Tensor) -> np.ndarray:
        return (self.network(items)[:, -1] @ self._table.T).float().cpu().numpy()

    def save(self, path: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write config, item ids, weights and buffers (content, known; on CPU) and metrics in one file."""
        torch.save({
            "format": SAVE_FORMAT,
            "config": self.config.to_dict(),
            "item_ids": torch.from_numpy(self.vocabulary.ids.copy()),
            "state_dict": {name: tensor.detach().cpu() for name, tensor in self.network.state_dict().items()},
            "metrics": dict(self.metrics),
        }, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | IO[bytes], *, device: str | None = None) -> SequenceModel:
        """The model written by ``save``, on ``device`` (None: CUDA when present); ``weights_only=True``,
        so a file cannot run code."""
        saved = torch.load(path, map_location="cpu", weights_only=True)
        if saved.get("format") != SAVE_FORMAT:
            raise ValueError(f"Unknown sequence model file format {saved.get('format')!r}.")
        state = saved["state_dict"]
        network = SasRec(content=torch.zeros(state["content"].shape[0] - 1, state["content"].shape[1]),
                         known=torch.zeros(state["known"].shape[0] - 1, dtype=torch.bool),
                         config=SequenceConfig.from_dict(saved["config"]))
        network.load_state_dict(state)
        return cls(network.to(device or default_device()), ItemVocabulary(saved["item_ids"].numpy()),
                   metrics=saved["metrics"])


def _history_indices(vocabulary: ItemVocabulary, history: np.ndarray, max_length: int) -> np.ndarray:
    """The latest ``max_length`` vocabulary indices of ``history`` (h,) ids, unknown ids skipped and
    repeats collapsed (as in training)."""
    indices = vocabulary.indices(history)
    return repeats_collapsed(indices[indices != PAD_INDEX])[-max_length:]


def left_padded(rows: Sequence[np.ndarray], width: int | None = None) -> torch.Tensor:
    """(len(rows), width) int64, each row right-aligned after ``PAD_INDEX``; width: the longest row."""
    width = max((len(row) for row in rows), default=0) if width is None else width
    padded = np.zeros((len(rows), width), dtype=np.int64)
    for row, indices in enumerate(rows):
        if len(indices):
            padded[row, width - len(indices):] = indices
    return torch.from_numpy(padded)
