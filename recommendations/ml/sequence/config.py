"""The sequence model's hyperparameters, checked on construction. No torch here."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

SAMPLED_SOFTMAX: Final = "sampled_softmax"
GBCE: Final = "gbce"
UNIFORM: Final = "uniform"
POPULARITY: Final = "popularity"


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
