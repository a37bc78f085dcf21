"""The next-item model's trained versions as the feed reads them: where the file is, the blend weight, and
the model, loaded on first use (torch comes in with it, in the request that needs it, never at import).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from recommendations import conf
from registry import conf as registry_conf
from registry.models import ModelVersion

if TYPE_CHECKING:
    from recommendations.ml.sequence.model import SequenceModel

SEQUENCE_FILE = "sequence.pt"
BLEND_WEIGHT = "blend_weight"  # params key: the weight of the model's affinity in the feed (0: content only)


def sequence_model(*, version: ModelVersion) -> SequenceModel:
    """The version's trained model, loaded once per process (artifacts never change)."""
    return _sequence_model_load(version.pk, version.artifact_path)


@lru_cache(maxsize=4)
def _sequence_model_load(version_id: int, artifact_path: str) -> SequenceModel:
    from recommendations.ml.sequence.model import SequenceModel

    return SequenceModel.load(registry_conf.models_dir() / artifact_path / SEQUENCE_FILE, device=conf.torch_device())
