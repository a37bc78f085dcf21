"""The next-item model's data and training: who looked at what, in order, per kind.

torch comes in with ``recommendations.ml.sequence``: import this module from tasks and commands only.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from listings.models import Event, Interaction
from recommendations import conf
from recommendations.ml.sequence import SequenceConfig, SequenceModel, sequence_train
from recommendations.models import ITEM_EMBEDDING_DIM, Algorithm, ItemEmbedding, ModelVersion, VersionStatus
from recommendations.services import versions
from recommendations.services.artifacts import artifact_dir
from recommendations.services.versions import version_active

SEQUENCE_FILE = "sequence.pt"
MIN_SEQUENCES = 10


@dataclass(frozen=True)
class SequenceData:
    """``sequences``: per user, listing ids (int64) in time order; ``item_ids`` (n,) every listing of the
    kind that has an item embedding by the active encoder or appears in a sequence, ascending;
    ``content`` (n, 10) those embeddings (zero rows where a listing has none)."""

    user_ids: np.ndarray
    sequences: list[np.ndarray]
    item_ids: np.ndarray
    content: np.ndarray


def sequences_load(*, kind: str, min_length: int = 2) -> SequenceData:
    """Signed-in users' interactions with listings of ``kind`` (impressions aside), ordered by time then
    id; users with fewer than ``min_length`` events are left out."""
    rows = Interaction.objects.filter(user__isnull=False, listing__kind=kind).exclude(
        event=Event.IMPRESSION
    ).order_by("user_id", "created_at", "id").values_list("user_id", "listing_id")
    users: list[int] = []
    sequences: list[np.ndarray] = []
    current: int | None = None
    items: list[int] = []
    for user_id, listing_id in rows.iterator(chunk_size=50_000):
        if user_id != current:
            if current is not None and len(items) >= min_length:
                users.append(current)
                sequences.append(np.array(items, dtype=np.int64))
            current, items = user_id, []
        items.append(listing_id)
    if current is not None and len(items) >= min_length:
        users.append(current)
        sequences.append(np.array(items, dtype=np.int64))
    version = version_active(kind=kind)
    embedded = _embeddings(version)
    seen = np.unique(np.concatenate(sequences)) if sequences else np.zeros(0, dtype=np.int64)
    item_ids = np.union1d(np.array(sorted(embedded), dtype=np.int64), seen)
    content = np.zeros((len(item_ids), ITEM_EMBEDDING_DIM), dtype=np.float32)
    for row, pk in enumerate(item_ids.tolist()):
        if pk in embedded:
            content[row] = embedded[pk]
    return SequenceData(user_ids=np.array(users, dtype=np.int64), sequences=sequences, item_ids=item_ids,
                        content=content)


def _embeddings(version: ModelVersion | None) -> dict[int, np.ndarray]:
    if version is None:
        return {}
    return dict(ItemEmbedding.objects.filter(version=version).values_list("listing_id", "vector").iterator(
        chunk_size=50_000))


class NotEnoughSequences(ValueError):
    pass


def sequence_model_train(
    *, kind: str, config: SequenceConfig | None = None, progress: bool = False
) -> ModelVersion:
    """Train a new next-item model for ``kind`` on the current sequences, save it, then activate it.

    A failure (or a worker's time limit) marks the new version failed and leaves the active one in use.
    """
    data = sequences_load(kind=kind)
    if len(data.sequences) < MIN_SEQUENCES:
        raise NotEnoughSequences(
            f"{len(data.sequences)} users with two or more {kind} interactions; training needs {MIN_SEQUENCES}."
        )
    config = config or SequenceConfig()
    version = ModelVersion.objects.create(kind=kind, algorithm=Algorithm.SASREC, params=config.to_dict())
    try:
        model, metrics = sequence_train(data.sequences, item_ids=data.item_ids, content=data.content,
                                        config=dataclasses.replace(config, device=config.device or conf.torch_device()),
                                        progress=progress)
        directory = artifact_dir(version=version)
        directory.mkdir(parents=True, exist_ok=True)
        model.save(directory / SEQUENCE_FILE)
        version.artifact_path = str(directory.relative_to(conf.models_dir()))
        version.metrics = {**_json_safe(metrics), "users": len(data.sequences), "items": len(data.item_ids)}
        version.status = VersionStatus.READY
        version.save(update_fields=["artifact_path", "metrics", "status"])
    except BaseException as error:  # also a Ctrl-C or a time limit: the version must not look alive
        ModelVersion.objects.filter(pk=version.pk).update(status=VersionStatus.FAILED, error=repr(error))
        raise
    versions.version_activate(version=version)
    versions.versions_prune(kind=kind, algorithm=Algorithm.SASREC)
    return version


def _json_safe(metrics: dict[str, float | int]) -> dict[str, float | int | None]:
    """NaN (no validation users) is not JSON: store null."""
    return {name: None if isinstance(value, float) and math.isnan(value) else value for name, value in metrics.items()}


def sequence_model(*, version: ModelVersion) -> SequenceModel:
    """The version's trained model, loaded once per process (artifacts never change)."""
    return _sequence_model_load(version.pk, version.artifact_path)


@lru_cache(maxsize=4)
def _sequence_model_load(version_id: int, artifact_path: str) -> SequenceModel:
    return SequenceModel.load(conf.models_dir() / artifact_path / SEQUENCE_FILE, device=conf.torch_device())
