"""``sequence_train``: every position of every sequence predicts the next item.

Each position is scored against ``negatives`` items sampled for its window (uniformly or by popularity
among the items seen in training) with a sampled softmax (log-Q corrected when sampling by popularity)
or gSASRec's gBCE (Petrov & Macdonald 2023). Adam; early stopping on NDCG@10 of each validation user's
last item over the full ranking of the known items (``validation``), keeping the best epoch's weights.
Seeded: two runs with the same seed on the same CPU give the same weights (two threads included). CUDA
when present.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional
from tqdm import tqdm

from recommendations.ml.metrics import hit_ratio_name, ndcg_name
from recommendations.ml.sequence.config import POPULARITY, SAMPLED_SOFTMAX, SequenceConfig
from recommendations.ml.sequence.items import PAD_INDEX, ItemVocabulary, repeats_collapsed
from recommendations.ml.sequence.model import SasRec, SequenceModel, default_device, left_padded
from recommendations.ml.sequence.validation import VALIDATION_K, validation_metrics, validation_split


def training_windows(sequences: list[np.ndarray], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
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
    return left_padded(windows, width=max_length + 1), lengths


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
    training, validation = validation_split(indexed, config)
    windows, lengths = training_windows(training, config.max_length)
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
        ndcg, hits = validation_metrics(network, validation, item_ids=vocabulary.ids)
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
