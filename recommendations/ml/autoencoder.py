"""Autoencoder item embeddings: standardized listing features (n, d) → embeddings (n, embedding_dim).

The seed deck's model: encoder Linear → ReLU → BatchNorm → Dropout per hidden layer, then a
``Linear(embedding_dim)`` bottleneck with a ReLU or linear activation; the decoder mirrors the hidden
layers and ends in a linear output. Trained with MSE and Adam, early stopping on a validation split.
``EXPERIMENTS`` holds the deck's five configurations; ``DEFAULT_CONFIG`` is its best (Experiment 4).

Training is seeded (shuffling, split, initial weights and dropout), so two runs with the same seed on
the same machine give the same weights. Uses CUDA when present unless ``device`` says otherwise.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import IO, Any, Literal

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

SAVE_FORMAT = 1
EMBED_BATCH_SIZE = 8192
_EVAL_BATCH_SIZE = 8192


@dataclass(frozen=True)
class AutoencoderConfig:
    """Hyperparameters. ``patience`` is in epochs without a better validation MSE; ``val_fraction`` is
    the share of rows held out for early stopping and the reported metrics."""

    embedding_dim: int = 10
    embedding_activation: Literal["relu", "linear"] = "linear"
    hidden: tuple[int, ...] = (512, 256)
    dropout: float = 0.2
    learning_rate: float = 1e-3
    batch_size: int = 1024
    max_epochs: int = 100
    patience: int = 15
    val_fraction: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.embedding_activation not in ("relu", "linear"):
            raise ValueError(f"embedding_activation must be 'relu' or 'linear', not {self.embedding_activation!r}.")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be between 0 and 1, not {self.val_fraction}.")
        object.__setattr__(self, "hidden", tuple(int(width) for width in self.hidden))

    def to_dict(self) -> dict[str, Any]:
        """Plain builtins (hidden as a list), safe for JSON and for ``torch.load(weights_only=True)``."""
        return {**asdict(self), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> AutoencoderConfig:
        return cls(**{**values, "hidden": tuple(values["hidden"])})


# The seed deck's comparison table, in its order.
EXPERIMENTS: dict[str, AutoencoderConfig] = {
    "Baseline": AutoencoderConfig(embedding_dim=10, embedding_activation="relu", hidden=(256, 128), dropout=0.3),
    "Experiment 1": AutoencoderConfig(embedding_dim=16, embedding_activation="relu", hidden=(256, 128), dropout=0.3),
    "Experiment 2": AutoencoderConfig(embedding_dim=10, embedding_activation="linear", hidden=(256, 128), dropout=0.3),
    "Experiment 3": AutoencoderConfig(embedding_dim=10, embedding_activation="linear", hidden=(512, 256), dropout=0.3),
    "Experiment 4": AutoencoderConfig(embedding_dim=10, embedding_activation="linear", hidden=(512, 256), dropout=0.2),
}
DEFAULT_CONFIG = EXPERIMENTS["Experiment 4"]


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class Autoencoder(nn.Module):
    """Maps (batch, input_dim) to its reconstruction (batch, input_dim); ``encode`` gives the
    bottleneck (batch, embedding_dim)."""

    def __init__(self, input_dim: int, config: AutoencoderConfig) -> None:
        super().__init__()
        self.input_dim = input_dim
        self.config = config
        encoder: list[nn.Module] = []
        width = input_dim
        for hidden in config.hidden:
            encoder += _hidden_block(width, hidden, config.dropout)
            width = hidden
        encoder.append(nn.Linear(width, config.embedding_dim))
        encoder.append(nn.ReLU() if config.embedding_activation == "relu" else nn.Identity())
        decoder: list[nn.Module] = []
        width = config.embedding_dim
        for hidden in reversed(config.hidden):
            decoder += _hidden_block(width, hidden, config.dropout)
            width = hidden
        decoder.append(nn.Linear(width, input_dim))
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(features))

    def encode(self, features: torch.Tensor) -> torch.Tensor:
        return self.encoder(features)


def _hidden_block(width_in: int, width_out: int, dropout: float) -> list[nn.Module]:
    return [nn.Linear(width_in, width_out), nn.ReLU(), nn.BatchNorm1d(width_out), nn.Dropout(dropout)]


@dataclass
class TrainResult:
    """A trained model with its best weights, and how training went.

    ``val_mse`` / ``val_mae`` are per feature value on the validation rows (standardized units);
    ``mean_baseline_mse`` is the MSE of predicting the training rows' mean there, so
    ``mean_baseline_mse / val_mse`` says how much better than nothing the model reconstructs.
    Epochs count from 1. ``history`` holds (train_loss, val_mse) per epoch.
    """

    model: Autoencoder
    config: AutoencoderConfig
    val_mse: float
    val_mae: float
    mean_baseline_mse: float
    best_epoch: int
    epochs_run: int
    seconds_per_epoch: float
    history: list[tuple[float, float]] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        return {
            "val_mse": self.val_mse, "val_mae": self.val_mae, "mean_baseline_mse": self.mean_baseline_mse,
            "best_epoch": self.best_epoch, "epochs_run": self.epochs_run, "seconds_per_epoch": self.seconds_per_epoch,
        }


def autoencoder_train(
    features: np.ndarray, *, config: AutoencoderConfig = DEFAULT_CONFIG, device: str | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train on ``features`` (n, d) float32, finite, n ≥ 3; early stopping on a seeded validation split
    (``config.val_fraction`` of the rows, at least one) restores the weights of the best epoch.
    The returned model is in eval mode on ``device``."""
    device = device or default_device()
    data = _checked_features(features)
    n_val = min(max(1, round(len(data) * config.val_fraction)), len(data) - 2)
    if n_val < 1:
        raise ValueError(f"Training needs at least 3 rows (2 to train, 1 to validate), got {len(data)}.")
    order = np.random.default_rng(config.seed).permutation(len(data))
    train = torch.from_numpy(data[order[n_val:]]).to(device)
    val = torch.from_numpy(data[order[:n_val]]).to(device)

    torch.manual_seed(config.seed)
    model = Autoencoder(data.shape[1], config).to(device)
    # The fused step is one kernel per parameter group instead of a dozen per tensor: ~10 % of a CPU step.
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, fused=True)
    shuffle = torch.Generator().manual_seed(config.seed)
    best_mse, best_epoch, best_state = float("inf"), 0, copy.deepcopy(model.state_dict())
    history: list[tuple[float, float]] = []
    started = time.perf_counter()
    # disable=None: no bar when stderr is not a terminal (worker and CI logs), even if asked for.
    epochs = tqdm(range(1, config.max_epochs + 1), desc="autoencoder", unit="epoch", file=sys.stderr,
                  disable=None if progress else True)
    for epoch in epochs:
        train_loss = _train_epoch(model, optimizer, train, batch_size=config.batch_size, generator=shuffle)
        val_mse, _ = _reconstruction_errors(model, val)
        history.append((train_loss, val_mse))
        if val_mse < best_mse:
            best_mse, best_epoch, best_state = val_mse, epoch, copy.deepcopy(model.state_dict())
        epochs.set_postfix(val_mse=f"{val_mse:.4g}", best=f"{best_mse:.4g}@{best_epoch}")
        if epoch - best_epoch >= config.patience:
            break
    seconds_per_epoch = (time.perf_counter() - started) / len(history)
    epochs.close()
    model.load_state_dict(best_state)
    val_mse, val_mae = _reconstruction_errors(model, val)
    return TrainResult(
        model=model, config=config, val_mse=val_mse, val_mae=val_mae,
        mean_baseline_mse=float(((val - train.mean(dim=0)) ** 2).mean()),
        best_epoch=best_epoch, epochs_run=len(history), seconds_per_epoch=seconds_per_epoch, history=history,
    )


def _checked_features(features: np.ndarray) -> np.ndarray:
    data = np.ascontiguousarray(features, dtype=np.float32)
    if data.ndim != 2 or not np.isfinite(data).all():
        raise ValueError(f"features must be a finite 2-d array, got shape {data.shape}.")
    return data


def _train_epoch(
    model: Autoencoder, optimizer: torch.optim.Optimizer, train: torch.Tensor, *, batch_size: int,
    generator: torch.Generator,
) -> float:
    """One pass over ``train`` (n, d) in shuffled batches; mean training MSE per row."""
    model.train()
    order = torch.randperm(len(train), generator=generator).to(train.device)
    # A one-row batch cannot be batch-normalized: fold it into the previous batch.
    starts = list(range(0, len(train), batch_size))
    if len(starts) > 1 and len(train) - starts[-1] == 1:
        starts.pop()
    ends = [*starts[1:], len(train)]
    total = torch.zeros((), device=train.device)
    for start, end in zip(starts, ends, strict=True):
        batch = train.index_select(0, order[start:end])
        loss = nn.functional.mse_loss(model(batch), batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach() * (end - start)
    return float(total) / len(train)


def _reconstruction_errors(model: Autoencoder, data: torch.Tensor) -> tuple[float, float]:
    """(MSE, MAE) per value of ``data`` (n, d) reconstructed in eval mode."""
    model.eval()
    squared = torch.zeros((), dtype=torch.float64, device=data.device)
    absolute = torch.zeros((), dtype=torch.float64, device=data.device)
    with torch.inference_mode():
        for start in range(0, len(data), _EVAL_BATCH_SIZE):
            batch = data[start:start + _EVAL_BATCH_SIZE]
            error = model(batch) - batch
            squared += (error**2).sum(dtype=torch.float64)
            absolute += error.abs().sum(dtype=torch.float64)
    return float(squared) / data.numel(), float(absolute) / data.numel()


def embed(
    model: Autoencoder, features: np.ndarray, *, batch_size: int = EMBED_BATCH_SIZE, device: str | None = None,
) -> np.ndarray:
    """Embeddings of ``features`` (n, d): float32 (n, embedding_dim), in eval mode (no dropout, running
    batch-norm statistics), so a row's embedding does not depend on the rows beside it."""
    device = device or default_device()
    data = _checked_features(features)
    model.to(device).eval()
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(data), batch_size):
            batch = torch.from_numpy(data[start:start + batch_size]).to(device)
            chunks.append(model.encode(batch).float().cpu().numpy())
    if not chunks:
        return np.zeros((0, model.config.embedding_dim), dtype=np.float32)
    return np.concatenate(chunks)


def autoencoder_save(result_or_model: TrainResult | Autoencoder, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write config, input width, weights (on CPU) and, from a ``TrainResult``, its metrics."""
    model = result_or_model.model if isinstance(result_or_model, TrainResult) else result_or_model
    metrics = result_or_model.metrics() if isinstance(result_or_model, TrainResult) else {}
    torch.save({
        "format": SAVE_FORMAT,
        "config": model.config.to_dict(),
        "input_dim": model.input_dim,
        "state_dict": {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()},
        "metrics": metrics,
    }, path)


def autoencoder_load(path: str | os.PathLike[str] | IO[bytes], *, device: str | None = None) -> Autoencoder:
    """The model written by :func:`autoencoder_save`, in eval mode on ``device``; loads with
    ``weights_only=True``, so a file cannot run code."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if saved.get("format") != SAVE_FORMAT:
        raise ValueError(f"Unknown autoencoder file format {saved.get('format')!r}.")
    model = Autoencoder(int(saved["input_dim"]), AutoencoderConfig.from_dict(saved["config"]))
    model.load_state_dict(saved["state_dict"])
    return model.to(device or default_device()).eval()
