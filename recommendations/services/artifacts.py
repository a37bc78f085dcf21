"""Trained encoder files: the fitted feature pipeline and the autoencoder of a version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from recommendations import conf
from recommendations.ml.autoencoder import Autoencoder, autoencoder_load, autoencoder_save, default_device
from recommendations.ml.features import FeaturePipeline, feature_pipeline_from_dict
from registry import conf as registry_conf
from registry.artifacts import artifact_dir
from registry.models import ModelVersion

ENCODER_FILE = "encoder.pt"
FEATURES_FILE = "features.json"


@dataclass(frozen=True)
class EncoderArtifact:
    pipeline: FeaturePipeline
    model: Autoencoder
    device: str


def encoder_artifact_save(*, version: ModelVersion, pipeline: FeaturePipeline, model: Autoencoder) -> str:
    """Write the fitted pipeline and the encoder; returns the path relative to the models directory."""
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / FEATURES_FILE).write_text(json.dumps(pipeline.to_dict()))
    autoencoder_save(model, directory / ENCODER_FILE)
    return str(directory.relative_to(registry_conf.models_dir()))


def encoder_artifact(*, version: ModelVersion) -> EncoderArtifact:
    """The version's pipeline and encoder, loaded once per process (artifacts never change)."""
    return _encoder_artifact_load(version.pk, version.artifact_path)


@lru_cache(maxsize=8)
def _encoder_artifact_load(version_id: int, artifact_path: str) -> EncoderArtifact:
    directory = registry_conf.models_dir() / artifact_path
    device = conf.torch_device() or default_device()
    pipeline = feature_pipeline_from_dict(json.loads((directory / FEATURES_FILE).read_text()))
    return EncoderArtifact(pipeline=pipeline, model=autoencoder_load(directory / ENCODER_FILE, device=device),
                           device=device)
