"""Full neighbours refresh throughput, ``top_k_neighbours`` beside a bare torch baseline in the same run.

    .venv/bin/python bench/neighbours_refresh.py [--rows 50000] [--k 50] [--chunk-size 4096] [--device cpu]

Data: ``--rows`` synthetic listings, a 10-d item embedding and a 384-d text embedding (Gaussian), a place in
the continental US, a price, one of 51 states and 1 to 6 bedrooms, blended by ``blended_vectors`` with the
closeness rows of those facts (64 place, 64 price, 51 state and 6 bedroom columns) at the home weights of
``SIMILAR_FACT_WEIGHTS`` (``--fact-weights`` JSON to change them) into rows of 579 dims, as the refresh
blends them. Every row is a query against every row:
  * baseline: the same chunked matrix product + ``torch.topk`` written inline, without ids, mask,
    self-exclusion, corpus blocks or the tie rule (it returns each row itself as its first neighbour);
  * ours: ``top_k_neighbours`` with ids, self-exclusion and an all-True availability mask.
Prints wall times, rows/s and the throughput ratio ours / baseline (goal: at least 0.8), and how many
sampled rows give the same neighbours (baseline minus the row itself). ``--repeats N`` runs the pair
N times in alternating order (baseline first, then ours first, ...) and compares the median wall and
CPU (process) times, which steadies the ratio on a machine shared with other work. The design target is 300k rows
(``--rows 300000``: many minutes per method on 2 CPU cores). Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommendations.ml.closeness import equality_features, price_features
from recommendations.ml.geo import place_features
from recommendations.ml.neighbours.blend import blended_vectors
from recommendations.ml.neighbours.top_k import top_k_neighbours

# The home weights of SIMILAR_FACT_WEIGHTS (trustasset/settings.py).
HOME_FACT_WEIGHTS = {"place": 0.02, "price": 0.05, "state": 0.25, "bed": 0.05}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=50_000, help="listings (default %(default)s)")
    parser.add_argument("--k", type=int, default=50, help="neighbours per listing (default %(default)s)")
    parser.add_argument("--chunk-size", type=int, default=4096, help="query rows per product (default %(default)s)")
    parser.add_argument("--text-weight", type=float, default=0.5)
    parser.add_argument("--fact-weights", type=json.loads, default=HOME_FACT_WEIGHTS,
                        help="weight by fact: place, price, state, bed (default %(default)s)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each method, alternating order")
    args = parser.parse_args()

    vectors = synthetic_vectors(args.rows, text_weight=args.text_weight, fact_weights=args.fact_weights,
                                seed=args.seed)
    print(
        f"rows={args.rows} dims={vectors.shape[1]} k={args.k} chunk={args.chunk_size} "
        f"device={args.device} torch_threads={torch.get_num_threads()}",
        flush=True,
    )
    ids = np.arange(args.rows, dtype=np.int64)

    def run_baseline() -> np.ndarray:
        return bare_torch_top_k(vectors, k=args.k, chunk_size=args.chunk_size, device=args.device)

    def run_ours() -> np.ndarray:
        neighbour_ids, _ = top_k_neighbours(
            vectors,
            vectors,
            k=args.k,
            query_ids=ids,
            corpus_ids=ids,
            corpus_mask=np.ones(args.rows, dtype=bool),
            chunk_size=args.chunk_size,
            device=args.device,
        )
        return neighbour_ids

    runs = {"baseline": run_baseline, "ours": run_ours}
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, np.ndarray] = {}
    for repeat in range(args.repeats):
        for name in sorted(runs, reverse=repeat % 2 == 1):
            started, started_cpu = time.perf_counter(), time.process_time()
            results[name] = runs[name]()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            report(name, args.rows, wall[name][-1], cpu[name][-1])
    for label, times in (("wall", wall), ("cpu", cpu)):
        baseline_s, ours_s = float(np.median(times["baseline"])), float(np.median(times["ours"]))
        print(
            f"median {label}: baseline {baseline_s:.1f} s ({args.rows / baseline_s:.0f} rows/s), "
            f"ours {ours_s:.1f} s ({args.rows / ours_s:.0f} rows/s); "
            f"throughput ratio ours/baseline {baseline_s / ours_s:.3f} (goal >= 0.8)"
        )
    baseline_ids, our_ids = results["baseline"], results["ours"]
    sample = np.random.default_rng(args.seed).choice(args.rows, size=min(1000, args.rows), replace=False)
    same = sum(same_neighbours(our_ids[row], baseline_ids[row], row) for row in sample)
    print(f"same neighbours as the baseline (minus self) on {same}/{sample.size} sampled rows")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


def synthetic_vectors(rows: int, *, text_weight: float, fact_weights: dict[str, float], seed: int) -> np.ndarray:
    """(rows, 579) float32 unit rows blended from Gaussian item (10-d) and text (384-d) embeddings and the
    closeness rows of random places, prices, states and bedroom counts."""
    rng = np.random.default_rng(seed)
    item = rng.standard_normal((rows, 10), dtype=np.float32)
    text = rng.standard_normal((rows, 384), dtype=np.float32)
    facts = {
        "place": place_features(rng.uniform(25, 48, rows), rng.uniform(-124, -67, rows), bandwidth_km=100.0),
        "price": price_features(np.exp(rng.normal(12.5, 0.8, rows)), bandwidth=0.2),
        "state": equality_features(rng.integers(0, 51, rows)),
        "bed": equality_features(rng.integers(1, 7, rows)),
    }
    closeness = [(facts[fact], weight) for fact, weight in fact_weights.items()]
    return blended_vectors(item, text, text_weight=text_weight, closeness=closeness)


def bare_torch_top_k(vectors: np.ndarray, *, k: int, chunk_size: int, device: str) -> np.ndarray:
    """(n, d) -> (n, k) column ids by ``torch.topk`` over chunked products, nothing else."""
    corpus = torch.from_numpy(vectors).to(device)
    out = np.empty((vectors.shape[0], k), dtype=np.int64)
    with torch.inference_mode():
        for lo in range(0, vectors.shape[0], chunk_size):
            scores = corpus[lo : lo + chunk_size] @ corpus.T
            _, columns = torch.topk(scores, k, dim=1)
            out[lo : lo + chunk_size] = columns.cpu().numpy()
    return out


def same_neighbours(ours: np.ndarray, baseline: np.ndarray, row: int) -> bool:
    """Our k neighbours begin with the baseline's list without the row itself (k - 1 of them)."""
    without_self = baseline[baseline != row][: ours.size - 1]
    return bool(np.array_equal(np.sort(ours[: without_self.size]), np.sort(without_self)))


def report(name: str, rows: int, seconds: float, cpu_seconds: float) -> None:
    print(f"{name:>8}: {seconds:8.1f} s wall  {rows / seconds:8.0f} rows/s  {cpu_seconds:8.1f} s cpu", flush=True)


if __name__ == "__main__":
    main()
