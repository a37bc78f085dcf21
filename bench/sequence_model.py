"""SASRec training time per epoch and scoring time per user, beside bare-torch baselines in the same run.

    .venv/bin/python bench/sequence_model.py [--users 50000] [--length 20] [--items 20000] [--threads 2]

Synthetic data (no database): ``--users`` × ``--length`` interactions (default 1M) over ``--items``
items with Zipf-like popularity, 64-d content vectors. Prints:
- one training epoch of ``sequence_train`` (windows, negative sampling, loss, Adam) against a bare loop
  that pushes the same windows through the same network's forward and backward with a trivial loss and
  an Adam step (the unavoidable compute), and their ratio;
- scoring one user (``SequenceModel.scores``, median of 200) against the bare matrix product of one
  hidden state with the item table, and their ratio (goal: ≤ 10 ms per user).
Not part of the test run.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from recommendations.ml.sequence.config import SequenceConfig
from recommendations.ml.sequence.model import SasRec
from recommendations.ml.sequence.training import sequence_train, training_windows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    item_ids = np.arange(1, args.items + 1, dtype=np.int64)
    popularity = 1.0 / np.arange(1, args.items + 1) ** 0.8
    sequences = list(rng.choice(item_ids, size=(args.users, args.length), p=popularity / popularity.sum()))
    content = rng.standard_normal((args.items, 64)).astype(np.float32)
    config = SequenceConfig(max_epochs=1, val_fraction=0.0, device="cpu")
    print(f"{args.users * args.length:,} interactions, {args.items:,} items, {args.threads} threads")

    started = time.perf_counter()
    model, metrics = sequence_train(sequences, item_ids=item_ids, content=content, config=config)
    ours = time.perf_counter() - started
    baseline = _bare_epoch(sequences, content=content, config=config)
    epoch = float(metrics["seconds_per_epoch"])
    print(f"training: ours {epoch:.1f} s per epoch ({ours:.1f} s with set-up), bare forward/backward "
          f"{baseline:.1f} s, ratio {epoch / baseline:.2f}x")

    histories = [sequences[user] for user in range(200)]
    scoring = _median_ms(lambda history: model.scores(history), histories)
    table = model.network.item_table().detach()[1:].numpy()
    hidden = rng.standard_normal(int(table.shape[1]), dtype=np.float32)
    product = _median_ms(lambda _: table @ hidden, histories)
    print(f"scoring one user: ours {scoring:.2f} ms, bare item-table product {product:.3f} ms, "
          f"ratio {scoring / product:.1f}x")


def _bare_epoch(sequences: list[np.ndarray], *, content: np.ndarray, config: SequenceConfig) -> float:
    """The same windows through a fresh network of the same shape: forward, a trivial loss, backward, Adam."""
    started = time.perf_counter()
    # Item ids 1..n are their own vocabulary indices in this data.
    windows, lengths = training_windows(sequences, config.max_length)
    network = SasRec(content=torch.from_numpy(content), known=torch.ones(len(content), dtype=torch.bool),
                     config=dataclasses.replace(config))
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    network.train()
    for start in range(0, len(windows), config.batch_size):
        batch = windows[start:start + config.batch_size][:, -int(lengths[start:start + config.batch_size].max()):]
        hidden = network(batch[:, :-1])
        loss = hidden.square().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def _median_ms(work: object, inputs: list[np.ndarray]) -> float:
    timings = []
    for value in inputs:
        started = time.perf_counter()
        work(value)  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
