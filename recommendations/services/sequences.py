"""The next-item model's training: who looked at what, in order, per kind, blended with the feed.

torch comes in with ``recommendations.ml.sequence.model`` and ``.training``: import this module from tasks and
commands only; the feed reads a trained model through ``services.sequence_store`` (numpy until one is loaded).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from recommendations import conf
from recommendations.ml.evaluation.profile_based import FeedRecommender
from recommendations.ml.evaluation.sequential import HybridRecommender, SequenceRecommender
from recommendations.ml.sequence.config import SequenceConfig
from recommendations.services.evaluation import event_log, listing_features
from recommendations.services.sequence_store import BLEND_WEIGHT, SEQUENCE_FILE
from registry import conf as registry_conf
from registry.artifacts import artifact_dir
from registry.models import Algorithm, ModelVersion, VersionStatus
from registry.selectors import version_active
from registry.services import version_activate, version_fail, versions_abandoned_fail, versions_prune

MIN_SEQUENCES = 10


class NotEnoughSequences(ValueError):
    """Nothing to train on yet: too few users with two interactions, or no active encoder."""


def sequence_model_train(
    *, kind: str, config: SequenceConfig | None = None, progress: bool = False
) -> ModelVersion:
    """Train a new next-item model for ``kind`` on signed-in users' interactions (impressions aside, in
    time order), tune its blend weight with the feed on its validation users, save it, then activate it.

    Item embeddings start from the active encoder's item vectors; the vocabulary is every recommendable
    listing it embedded plus every listing in a sequence. The weight (``params["blend_weight"]``) is the
    one whose blended feed ranked the validation users' next listing best (NDCG@10); the validation NDCG of
    each weight is in ``metrics["blend_ndcg@10"]``. A failure (or a worker's time limit) marks the new
    version failed and leaves the active one in use.
    """
    encoder = version_active(kind=kind)
    if encoder is None:
        raise NotEnoughSequences(f"No active {kind} encoder: run train_encoder --kind {kind} first.")
    log = event_log(kind=kind)
    pairs = np.unique(np.stack([log.user_ids, log.item_ids]), axis=1)
    _, listings_per_user = np.unique(pairs[0], return_counts=True)
    users = int(np.count_nonzero(listings_per_user >= 2))
    if users < MIN_SEQUENCES:
        raise NotEnoughSequences(
            f"{users} users interacted with two or more {kind} listings; training needs {MIN_SEQUENCES}."
        )
    config = config or SequenceConfig()
    if config.device is None:
        config = replace(config, device=conf.torch_device())
    versions_abandoned_fail(kind=kind, algorithm=Algorithm.SASREC)
    version = ModelVersion.objects.create(kind=kind, algorithm=Algorithm.SASREC, params=config.to_dict())
    try:
        catalogue, features = listing_features(version=encoder, extra_ids=np.unique(log.item_ids))
        sequence = SequenceRecommender(config=config, features=features, progress=progress)
        hybrid = HybridRecommender(
            feed=FeedRecommender(features=features, interest=conf.interest_settings(),
                                 settings=conf.ranking_settings()),
            sequence=sequence,
        )
        hybrid.fit(train=log, catalogue=catalogue)
        assert sequence.model is not None  # there were sequences
        directory = artifact_dir(version=version)
        directory.mkdir(parents=True, exist_ok=True)
        sequence.model.save(directory / SEQUENCE_FILE)
        version.artifact_path = str(directory.relative_to(registry_conf.models_dir()))
        version.params = {**version.params, BLEND_WEIGHT: hybrid.tuning.weight}
        version.metrics = {
            **_json_safe(sequence.training), "users": len(sequence.sequence_users),
            "items": len(sequence.model.item_ids), "blend_users": hybrid.tuning.users,
            "blend_ndcg@10": {str(weight): value for weight, value in hybrid.tuning.ndcg.items()},
        }
        version.status = VersionStatus.READY
        version.save(update_fields=["artifact_path", "params", "metrics", "status"])
    except BaseException as error:  # also a Ctrl-C or a time limit: the version must not look alive
        version_fail(version=version, error=error)
        raise
    version_activate(version=version)
    versions_prune(kind=kind, algorithm=Algorithm.SASREC)
    return version


def _json_safe(metrics: dict[str, float | int]) -> dict[str, float | int | None]:
    """NaN (no validation users) is not JSON: store null."""
    return {name: None if isinstance(value, float) and math.isnan(value) else value for name, value in metrics.items()}
