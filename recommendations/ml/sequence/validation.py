"""The users held out to stop training early, and the metrics that judge an epoch on them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from recommendations.ml.sequence.config import SequenceConfig
from recommendations.ml.sequence.items import validation_position
from recommendations.ml.sequence.model import EVAL_BATCH_SIZE, SasRec, left_padded

VALIDATION_K = 10


@dataclass(frozen=True)
class Validation:
    """Held-out last items: ``histories`` (v, ≤ max_length) left-padded indices, ``targets`` (v,),
    ``excluded`` (2, e) (user row, index) pairs taken out of the ranking, ``rows`` (v,) the validation
    users' positions in the training sequences."""

    histories: torch.Tensor
    targets: torch.Tensor
    excluded: torch.Tensor
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.targets)


def validation_split(
    sequences: list[np.ndarray], config: SequenceConfig,
) -> tuple[list[np.ndarray], Validation]:
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
    return training, Validation(
        histories=left_padded(histories), targets=torch.tensor(targets, dtype=torch.int64),
        excluded=torch.from_numpy(excluded.astype(np.int64)), rows=np.array(chosen, dtype=np.int64),
    )


def validation_metrics(network: SasRec, validation: Validation, *, item_ids: np.ndarray) -> tuple[float, float]:
    """(NDCG@10, HR@10) of the held-out items over the full ranking of the known items, in eval mode: ties
    go to the lower id and the excluded (earlier) items leave the ranking, as in ``evaluation``. Items never
    seen in training are the content ranker's, not this model's: out of the ranking, and a miss when held out."""
    network.eval()
    device = network.known.device
    ids = torch.cat([torch.full((1,), -1), torch.from_numpy(item_ids)]).to(device)
    ndcg = hits = 0.0
    with torch.inference_mode():
        table = network.item_table()
        for start in range(0, len(validation), EVAL_BATCH_SIZE):
            histories = validation.histories[start:start + EVAL_BATCH_SIZE].to(device)
            targets = validation.targets[start:start + EVAL_BATCH_SIZE].to(device)
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
