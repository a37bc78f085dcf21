"""SASRec next-item model: per-user item sequences (time-ordered ids) → scores (n_items,) for the next item.

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

Training: every position of every sequence predicts the next item, against ``negatives`` items sampled
for its window (uniformly or by popularity among the items seen in training) with a sampled softmax
(log-Q corrected when sampling by popularity) or gSASRec's gBCE (Petrov & Macdonald 2023). Adam; early
stopping on NDCG@10 of each validation user's last item over the full ranking of the known items, keeping
the best epoch's weights. Seeded: two runs with the same seed on the same CPU give the same weights (two
threads included). CUDA when present.

Index 0 is padding; item ``item_ids[i]`` has index ``i + 1`` (``ItemVocabulary``).
"""

from __future__ import annotations

import copy
import functools
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any, Final, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional
from tqdm import tqdm

from recommendations.ml.metrics import hit_ratio_name, ndcg_name

SAVE_FORMAT = 1
PAD_INDEX = 0
SAMPLED_SOFTMAX: Final = "sampled_softmax"
GBCE: Final = "gbce"
UNIFORM: Final = "uniform"
POPULARITY: Final = "popularity"
VALIDATION_K = 10
_EVAL_BATCH_SIZE = 1024


@dataclass(frozen=True)
class SequenceConfig:
    """Hyperparameters.

    ``max_length`` items of history are read (the latest); ``negatives`` items are sampled per training
    window and shared by its positions; ``gbce_t`` is gSASRec's calibration (0 is plain BCE, 1 fully
    corrects the sampling rate; gBCE needs uniform sampling).
    ``val_fraction`` of the eligible users hold out a target for early stopping (0: no validation, train
    ``max_epochs`` and keep the last weights); ``patience`` is in epochs without a better NDCG@10. With
    ``exclude_seen`` (our offline protocol) the target is the last item new to the user, their sequence
    stops before it and their earlier items leave the ranking; without it (data where people come back
    to the same items) the target is the last item. ``device`` None means CUDA when present.
    """

    max_length: int = 50
    hidden: int = 64
    blocks: int = 2
    heads: int = 2
    dropout: float = 0.2
    negatives: int = 128
    negative_sampling: Literal["uniform", "popularity"] = UNIFORM
    loss: Literal["sampled_softmax", "gbce"] = SAMPLED_SOFTMAX
    gbce_t: float = 0.75
    learning_rate: float = 1e-3
    batch_size: int = 128
    max_epochs: int = 100
    patience: int = 5
    val_fraction: float = 0.2
    exclude_seen: bool = True
    seed: int = 0
    device: str | None = None

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads}).")
        if self.loss not in (SAMPLED_SOFTMAX, GBCE):
            raise ValueError(f"loss must be {SAMPLED_SOFTMAX!r} or {GBCE!r}, not {self.loss!r}.")
        if self.negative_sampling not in (UNIFORM, POPULARITY):
            raise ValueError(f"negative_sampling must be {UNIFORM!r} or {POPULARITY!r}, not {self.negative_sampling!r}.")
        if not 0 <= self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in [0, 1), not {self.val_fraction}.")
        if not 0 <= self.gbce_t <= 1:
            raise ValueError(f"gbce_t must be in [0, 1], not {self.gbce_t}.")
        if self.loss == GBCE and self.negative_sampling != UNIFORM:
            raise ValueError("gbce's calibration assumes uniformly sampled negatives: use negative_sampling='uniform'.")
        if min(self.max_length, self.blocks, self.negatives, self.batch_size, self.max_epochs) < 1:
            raise ValueError("max_length, blocks, negatives, batch_size and max_epochs must be at least 1.")

    def to_dict(self) -> dict[str, Any]:
        """Plain builtins, safe for JSON and for ``torch.load(weights_only=True)``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SequenceConfig:
        return cls(**values)


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass(frozen=True, eq=False)
class ItemVocabulary:
    """Item ids (n,) int64, unique, in the caller's order ↔ model indices 1..n (0 is padding)."""

    ids: np.ndarray
    _sorter: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64)
        if ids.ndim != 1 or len(np.unique(ids)) != len(ids):
            raise ValueError(f"item_ids must be unique ids in one dimension, got shape {ids.shape}.")
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "_sorter", np.argsort(ids, kind="stable"))

    def __len__(self) -> int:
        return len(self.ids)

    def indices(self, ids: np.ndarray) -> np.ndarray:
        """(q,) int64 index of each of ``ids`` (q,); ``PAD_INDEX`` (0) for ids not in the vocabulary."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if not len(self.ids):
            return np.zeros(len(ids), dtype=np.int64)
        sorted_ids = self.ids[self._sorter]
        places = np.minimum(np.searchsorted(sorted_ids, ids), len(self.ids) - 1)
        return np.where(sorted_ids[places] == ids, self._sorter[places] + 1, PAD_INDEX).astype(np.int64)

    def ids_of(self, indices: np.ndarray) -> np.ndarray:
        """(q,) item ids of ``indices`` (q,), each in 1..n."""
        return self.ids[np.asarray(indices, dtype=np.int64) - 1]


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
            hidden = self.network(_left_padded([row]).to(self._table.device))[:, -1]
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
                self._table_scores(_left_padded(rows[start:start + _EVAL_BATCH_SIZE]).to(device))
                for start in range(0, len(rows), _EVAL_BATCH_SIZE)
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


def repeats_collapsed(sequence: np.ndarray) -> np.ndarray:
    """``sequence`` (h,) with each run of one item kept once: a view, its search click and a favorite of
    the same listing are one step, so the model learns moves between listings, not "A again after A"."""
    sequence = np.asarray(sequence)
    if len(sequence) < 2:
        return sequence
    keep = np.ones(len(sequence), dtype=bool)
    keep[1:] = sequence[1:] != sequence[:-1]
    return sequence[keep]


def _left_padded(rows: Sequence[np.ndarray], width: int | None = None) -> torch.Tensor:
    """(len(rows), width) int64, each row right-aligned after ``PAD_INDEX``; width: the longest row."""
    width = max((len(row) for row in rows), default=0) if width is None else width
    padded = np.zeros((len(rows), width), dtype=np.int64)
    for row, indices in enumerate(rows):
        if len(indices):
            padded[row, width - len(indices):] = indices
    return torch.from_numpy(padded)


@dataclass(frozen=True)
class _Validation:
    """Held-out last items: ``histories`` (v, ≤ max_length) left-padded indices, ``targets`` (v,),
    ``excluded`` (2, e) (user row, index) pairs taken out of the ranking, ``rows`` (v,) the validation
    users' positions in the training sequences."""

    histories: torch.Tensor
    targets: torch.Tensor
    excluded: torch.Tensor
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.targets)


def _validation_split(
    sequences: list[np.ndarray], config: SequenceConfig,
) -> tuple[list[np.ndarray], _Validation]:
    """Training sequences (validation users cut before their target) and the validation users.

    A user's target is ``validation_position``'s item: with ``exclude_seen``, the last item new to them
    (what the offline protocol holds out), else their last item. Their training sequence stops before it.
    """
    positions = {user: validation_position(sequence, exclude_seen=config.exclude_seen)
                 for user, sequence in enumerate(sequences)}
    eligible = [user for user, position in positions.items() if position is not None]
    chosen: list[int] = []
    if config.val_fraction > 0:
        if not eligible:
            raise ValueError("No user can be validated (each needs two distinct items with exclude_seen, two "
                             "items without): set val_fraction=0.")
        count = max(1, round(len(eligible) * config.val_fraction))
        order = np.random.default_rng(config.seed).permutation(len(eligible))
        chosen = sorted(eligible[position] for position in order[:count])
    training = list(sequences)
    histories, targets, pairs = [], [], []
    for row, user in enumerate(chosen):
        sequence = sequences[user]
        cut = positions[user]
        assert cut is not None
        training[user] = sequence[:cut]
        histories.append(sequence[:cut][-config.max_length:])
        targets.append(int(sequence[cut]))
        if config.exclude_seen:
            earlier = np.unique(sequence[:cut])
            pairs.append(np.stack([np.full(len(earlier), row), earlier]))
    excluded = np.concatenate(pairs, axis=1) if pairs else np.zeros((2, 0), dtype=np.int64)
    return training, _Validation(
        histories=_left_padded(histories), targets=torch.tensor(targets, dtype=torch.int64),
        excluded=torch.from_numpy(excluded.astype(np.int64)), rows=np.array(chosen, dtype=np.int64),
    )


def validation_position(sequence: np.ndarray, *, exclude_seen: bool) -> int | None:
    """Where a user's validation target sits in ``sequence`` (h,): with ``exclude_seen`` the first
    occurrence of the last item new to them, else the last position; None when there is no history
    before it."""
    if len(sequence) < 2:
        return None
    if not exclude_seen:
        return len(sequence) - 1
    _, firsts = np.unique(sequence, return_index=True)
    position = int(firsts.max())
    return position if position > 0 else None


def _training_windows(sequences: list[np.ndarray], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, max_length + 1) left-padded windows and (w,) their lengths. A sequence of n items gives windows
    of up to max_length + 1 items, from its end back, overlapping by one, so each of its items after the
    first is a target exactly once."""
    windows = []
    for sequence in sequences:
        end = len(sequence)
        while end >= 2:
            start = max(0, end - max_length - 1)
            windows.append(sequence[start:end])
            end = start + 1 if start > 0 else 0
    lengths = torch.tensor([len(window) for window in windows], dtype=torch.int64)
    return _left_padded(windows, width=max_length + 1), lengths


class _NegativeSampler:
    """Negative item indices, with replacement, uniformly or by popularity among the items with ``counts``
    (n_items + 1,) > 0; ``log_q`` (n_items + 1,) the log sampling probability when it is not uniform (for
    the log-Q correction). Draws from ``generator``, so a seed fixes them."""

    def __init__(self, counts: np.ndarray, config: SequenceConfig, generator: torch.Generator, device: str) -> None:
        self.count = config.negatives
        self.generator = generator
        self.device = device
        self.candidates = torch.from_numpy(np.flatnonzero(counts > 0))
        self.probabilities: torch.Tensor | None = None
        self.log_q: torch.Tensor | None = None
        if config.negative_sampling == POPULARITY:
            self.probabilities = torch.from_numpy(counts / counts.sum())
            self.log_q = torch.log(self.probabilities.clamp(min=1e-30)).float().to(device)

    def sample(self, windows: int) -> torch.Tensor:
        """(windows, negatives) item indices: each window's own negatives, shared by its positions."""
        total = windows * self.count
        if self.probabilities is not None:
            drawn = torch.multinomial(self.probabilities, total, replacement=True, generator=self.generator)
        else:
            drawn = self.candidates[torch.randint(len(self.candidates), (total,), generator=self.generator)]
        return drawn.view(windows, self.count).to(self.device)


def sequence_train(
    sequences: Sequence[np.ndarray], *, item_ids: np.ndarray, content: np.ndarray | None = None,
    config: SequenceConfig | None = None, progress: bool = False,
) -> tuple[SequenceModel, dict[str, float | int]]:
    """Train on ``sequences``, one (h,) array of item ids per user, oldest first; every id must be one of
    ``item_ids`` (n,) (include sold listings that still link others: the caller restricts the ranking).
    ``content`` (n, c) finite, rows of zeros where an item has none, is L2-normalized per row.

    Returns the model (best validation epoch) and metrics: validation ``ndcg@10`` and ``hr@10`` at the best
    epoch (NaN without validation), ``best_epoch``, ``epochs_run`` (from 1), ``seconds_per_epoch``
    (training and validation), ``train_loss`` of the best epoch, ``validation_users``,
    ``training_positions`` (targets per epoch) and ``known_items``. The model's ``validation_rows`` (v,)
    are the positions in ``sequences`` of the validation users (their last item was held out of training).
    """
    config = config or SequenceConfig()
    device = config.device or default_device()
    vocabulary = ItemVocabulary(item_ids)
    indexed = [repeats_collapsed(_checked_indices(vocabulary, sequence)) for sequence in sequences]
    training, validation = _validation_split(indexed, config)
    windows, lengths = _training_windows(training, config.max_length)
    if not len(windows):
        raise ValueError("Training needs at least one sequence of two or more items.")
    counts = np.bincount(
        np.concatenate([sequence for sequence in training if len(sequence) >= 2]), minlength=len(vocabulary) + 1,
    ).astype(np.float64)
    counts[PAD_INDEX] = 0

    torch.manual_seed(config.seed)
    network = SasRec(content=torch.from_numpy(_normalized_content(content, len(vocabulary))),
                     known=torch.from_numpy(counts[1:] > 0), config=config).to(device)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate, fused=True)
    generator = torch.Generator().manual_seed(config.seed)
    sampler = _NegativeSampler(counts, config, generator, device)
    windows = windows.to(device)
    best_ndcg, best_hits, best_loss, best_epoch = -1.0, float("nan"), float("nan"), 0
    best_state = copy.deepcopy(network.state_dict())
    epochs_run = 0
    started = time.perf_counter()
    # disable=None: no bar when stderr is not a terminal (worker and CI logs), even if asked for.
    epochs = tqdm(range(1, config.max_epochs + 1), desc="sasrec", unit="epoch", file=sys.stderr,
                  disable=None if progress else True)
    for epoch in epochs:
        epochs_run = epoch
        loss = _train_epoch(network, optimizer, windows, lengths, sampler=sampler, generator=generator,
                            known_items=len(sampler.candidates))
        if not len(validation):
            best_loss, best_epoch = loss, epoch
            continue
        ndcg, hits = _validation_metrics(network, validation, item_ids=vocabulary.ids)
        # Ties go to the later epoch: as good on validation and longer trained (a perfect toy stays perfect).
        if ndcg >= best_ndcg:
            best_ndcg, best_hits, best_loss, best_epoch = ndcg, hits, loss, epoch
            best_state = copy.deepcopy(network.state_dict())
        epochs.set_postfix(loss=f"{loss:.4g}", ndcg=f"{ndcg:.4f}", best=f"{best_ndcg:.4f}@{best_epoch}")
        if epoch - best_epoch >= config.patience:
            break
    seconds_per_epoch = (time.perf_counter() - started) / epochs_run
    epochs.close()
    if len(validation):
        network.load_state_dict(best_state)
    metrics: dict[str, float | int] = {
        ndcg_name(VALIDATION_K): best_ndcg if len(validation) else float("nan"),
        hit_ratio_name(VALIDATION_K): best_hits,
        "best_epoch": best_epoch, "epochs_run": epochs_run, "seconds_per_epoch": seconds_per_epoch,
        "train_loss": best_loss, "validation_users": len(validation),
        "training_positions": int((lengths - 1).sum()), "known_items": len(sampler.candidates),
    }
    model = SequenceModel(network, vocabulary, metrics=metrics)
    model.validation_rows = validation.rows
    return model, metrics


def _checked_indices(vocabulary: ItemVocabulary, sequence: np.ndarray) -> np.ndarray:
    indices = vocabulary.indices(sequence)
    if (indices == PAD_INDEX).any():
        missing = np.asarray(sequence).reshape(-1)[indices == PAD_INDEX][:5].tolist()
        raise ValueError(f"Items {missing} of a sequence are not in item_ids.")
    return indices


def _normalized_content(content: np.ndarray | None, n_items: int) -> np.ndarray:
    """(n_items, c) float32 rows of unit norm (zero rows stay zero); (n_items, 0) without content."""
    if content is None:
        return np.zeros((n_items, 0), dtype=np.float32)
    vectors = np.asarray(content, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != n_items or not np.isfinite(vectors).all():
        raise ValueError(f"content must be a finite ({n_items}, c) array (zero rows where an item has none), "
                         f"got shape {vectors.shape}.")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _train_epoch(
    network: SasRec, optimizer: torch.optim.Optimizer, windows: torch.Tensor, lengths: torch.Tensor, *,
    sampler: _NegativeSampler, generator: torch.Generator, known_items: int,
) -> float:
    """One pass over ``windows`` (w, max_length + 1) in shuffled batches; mean loss per target position."""
    network.train()
    config = network.config
    order = torch.randperm(len(windows), generator=generator)
    total = torch.zeros((), device=windows.device)
    positions = 0
    for start in range(0, len(windows), config.batch_size):
        rows = order[start:start + config.batch_size]
        batch = windows[rows.to(windows.device)][:, -int(lengths[rows].max()):]
        inputs, targets = batch[:, :-1], batch[:, 1:]
        negatives = sampler.sample(len(batch))
        positive, negative = _window_logits(network, inputs, targets, negatives)
        real = inputs != PAD_INDEX
        if sampler.log_q is not None:
            positive = positive - sampler.log_q[targets]
            negative = negative - sampler.log_q[negatives].unsqueeze(1)
        # A sampled negative that is the position's own target is no negative.
        collisions = targets.unsqueeze(2) == negatives.unsqueeze(1)
        loss = _loss(positive[real], negative[real], collisions[real], config=config, known_items=known_items)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach() * int(real.sum())
        positions += int(real.sum())
    return float(total) / positions


def _window_logits(
    network: SasRec, inputs: torch.Tensor, targets: torch.Tensor, negatives: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (b, l) of each position's next item ``targets`` (b, l) and (b, l, k) of its window's
    ``negatives`` (b, k), after ``inputs`` (b, l)."""
    # Each item's row once per step: one pass through the content projection and the embedding backward.
    needed = torch.cat([inputs.reshape(-1), targets.reshape(-1), negatives.reshape(-1)])
    unique, inverse = torch.unique(needed, return_inverse=True)
    vectors = network.item_vectors(unique).index_select(0, inverse)
    input_vectors, target_vectors, negative_vectors = vectors.split([inputs.numel(), targets.numel(), negatives.numel()])
    hidden = network(inputs, input_vectors.view(*inputs.shape, -1))
    positive = (hidden * target_vectors.view_as(hidden)).sum(dim=-1)
    negative = hidden @ negative_vectors.view(*negatives.shape, -1).transpose(1, 2)
    return positive, negative


def _loss(
    positive: torch.Tensor, negative: torch.Tensor, collisions: torch.Tensor, *, config: SequenceConfig,
    known_items: int,
) -> torch.Tensor:
    """Mean over p positions of the loss of ``positive`` (p,) next-item logits against ``negative`` (p, k)
    sampled ones, leaving out the ``collisions`` (p, k)."""
    if config.loss == SAMPLED_SOFTMAX:
        logits = torch.cat([positive.unsqueeze(1), negative.masked_fill(collisions, -math.inf)], dim=1)
        return functional.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.int64, device=logits.device))
    # gSASRec: σ(s⁺)^β, β = α(t(1 − 1/α) + 1/α), α the sampling rate of the negatives.
    alpha = min(1.0, config.negatives / max(1, known_items - 1))
    beta = alpha * (config.gbce_t * (1 - 1 / alpha) + 1 / alpha)
    # Every logit shifted to the best constant one, log(β / k): otherwise the first steps' push of all k
    # negatives down collapses the hidden state to one vector for every context, and it never recovers.
    # A constant shift leaves the ranking as it is.
    offset = math.log(beta / config.negatives)
    negative_loss = functional.softplus(negative + offset).masked_fill(collisions, 0.0).sum(dim=1)
    return (beta * functional.softplus(-(positive + offset)) + negative_loss).mean()


def _validation_metrics(network: SasRec, validation: _Validation, *, item_ids: np.ndarray) -> tuple[float, float]:
    """(NDCG@10, HR@10) of the held-out items over the full ranking of the known items, in eval mode: ties
    go to the lower id and the excluded (earlier) items leave the ranking, as in ``evaluation``. Items never
    seen in training are the content ranker's, not this model's: out of the ranking, and a miss when held out."""
    network.eval()
    device = network.known.device
    ids = torch.cat([torch.full((1,), -1), torch.from_numpy(item_ids)]).to(device)
    ndcg = hits = 0.0
    with torch.inference_mode():
        table = network.item_table()
        for start in range(0, len(validation), _EVAL_BATCH_SIZE):
            histories = validation.histories[start:start + _EVAL_BATCH_SIZE].to(device)
            targets = validation.targets[start:start + _EVAL_BATCH_SIZE].to(device)
            scores = network(histories)[:, -1] @ table.T
            scores[:, ~network.known] = -math.inf
            pairs = validation.excluded[:, (validation.excluded[0] >= start)
                                        & (validation.excluded[0] < start + len(targets))].to(device)
            scores[pairs[0] - start, pairs[1]] = -math.inf
            target_scores = scores.gather(1, targets.unsqueeze(1))
            ahead = (scores > target_scores) | ((scores == target_scores) & (ids < ids[targets].unsqueeze(1)))
            ranks = ahead.sum(dim=1) + 1
            found = (ranks <= VALIDATION_K) & network.known[targets]
            ndcg += float((found / torch.log2(ranks.double() + 1)).sum())
            hits += float(found.sum())
    return ndcg / len(validation), hits / len(validation)
