"""Seconds per autoencoder epoch with the default config, beside a bare-torch loop measured in the same run.

    .venv/bin/python bench/encoder_epoch.py [--rows 300000] [--features 60] [--repeats 3] [--device cpu] [--threads N]

Data: ``--rows`` synthetic standardized rows (10 latent factors mixed into ``--features`` columns plus
noise). Both sides do the same work per epoch: shuffled batches of ``batch_size`` over the training
80 %, then one eval-mode pass over the validation 20 %.
  * ours: ``autoencoder_train`` with ``max_epochs=1`` (its ``seconds_per_epoch``);
  * baseline: the same MLP (``Autoencoder``), plain ``torch.optim.Adam`` and a textbook loop, timed
    with ``time.perf_counter`` around the epoch.
Rounds alternate ours / baseline so that load from other processes hits both; the best and the
median round are printed, with the ratio. Not part of the test run.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommendations.ml.autoencoder import (
    DEFAULT_CONFIG,
    Autoencoder,
    AutoencoderConfig,
    autoencoder_train,
    default_device,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=300_000, help="synthetic rows (default %(default)s)")
    parser.add_argument("--features", type=int, default=60, help="columns (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds (default %(default)s)")
    parser.add_argument("--device", default=default_device())
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    features = synthetic_features(rows=args.rows, columns=args.features)
    config = dataclasses.replace(DEFAULT_CONFIG, max_epochs=1)
    print(f"torch {torch.__version__}, device {args.device}, {torch.get_num_threads()} threads, "
          f"{args.rows:,} rows × {args.features} features, hidden {config.hidden}, "
          f"embedding {config.embedding_dim}, batch {config.batch_size}, load average {os.getloadavg()[0]:.1f}")
    ours: list[float] = []
    baseline: list[float] = []
    for round_index in range(args.repeats):
        ours.append(autoencoder_train(features, config=config, device=args.device).seconds_per_epoch)
        baseline.append(bare_torch_epoch(features, config=config, device=args.device))
        print(f"round {round_index + 1}: ours {ours[-1]:.2f} s/epoch, baseline {baseline[-1]:.2f} s/epoch")
    for label, pick in (("best", min), ("median", statistics.median)):
        print(f"{label:>6}: ours {pick(ours):.2f} s/epoch, bare torch {pick(baseline):.2f} s/epoch, "
              f"ratio ours/baseline {pick(ours) / pick(baseline):.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other processes on these cores slow both sides)")


def synthetic_features(*, rows: int, columns: int, seed: int = 0) -> np.ndarray:
    """Standardized-looking float32 (rows, columns): 10 latent factors, mixed, plus noise."""
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((rows, 10), dtype=np.float32)
    mixing = rng.standard_normal((10, columns), dtype=np.float32) / np.sqrt(10)
    return (latent @ mixing + 0.3 * rng.standard_normal((rows, columns), dtype=np.float32)).astype(np.float32)


def bare_torch_epoch(features: np.ndarray, *, config: AutoencoderConfig, device: str) -> float:
    """Seconds for one textbook epoch (train on 80 %, evaluate on 20 %) of the same MLP."""
    data = torch.from_numpy(features).to(device)
    n_val = round(len(data) * config.val_fraction)
    train, val = data[n_val:], data[:n_val]
    torch.manual_seed(config.seed)
    model = Autoencoder(features.shape[1], config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    loss_fn = nn.MSELoss()
    started = time.perf_counter()
    model.train()
    order = torch.randperm(len(train), device=device)
    for start in range(0, len(train), config.batch_size):
        batch = train[order[start:start + config.batch_size]]
        optimizer.zero_grad()
        loss = loss_fn(model(batch), batch)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = sum(float(loss_fn(model(chunk), chunk)) * len(chunk) for chunk in val.split(8192)) / len(val)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - started
    assert np.isfinite(val_loss)
    return elapsed


if __name__ == "__main__":
    main()
