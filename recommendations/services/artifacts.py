"""Trained model files: where a version's live, and the encoder's (the fitted feature pipeline and the
autoencoder). torch and pandas come in with the encoder's files only, in the processes that read them:
the web process names folders here (``artifact_dir``) and imports neither."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from recommendations import conf
from recommendations.models import ModelVersion

if TYPE_CHECKING:
    from recommendations.ml.autoencoder import Autoencoder
    from recommendations.ml.features import FeaturePipeline

ENCODER_FILE = "encoder.pt"
FEATURES_FILE = "features.json"


@dataclass(frozen=True)
class EncoderArtifact:
    pipeline: FeaturePipeline
    model: Autoencoder
    device: str


def artifact_dir(*, version: ModelVersion) -> Path:
    return conf.models_dir() / version.kind / f"{version.algorithm}-{version.pk}"


def encoder_artifact_save(*, version: ModelVersion, pipeline: FeaturePipeline, model: Autoencoder) -> str:
    """Write the fitted pipeline and the encoder; returns the path relative to the models directory."""
    from recommendations.ml.autoencoder import autoencoder_save

    directory = artifact_dir(version=version)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / FEATURES_FILE).write_text(json.dumps(pipeline.to_dict()))
    autoencoder_save(model, directory / ENCODER_FILE)
    return str(directory.relative_to(conf.models_dir()))


def encoder_artifact(*, version: ModelVersion) -> EncoderArtifact:
    """The version's pipeline and encoder, loaded once per process (artifacts never change)."""
    return _encoder_artifact_load(version.pk, version.artifact_path)


@lru_cache(maxsize=8)
def _encoder_artifact_load(version_id: int, artifact_path: str) -> EncoderArtifact:
    from recommendations.ml.autoencoder import autoencoder_load, default_device
    from recommendations.ml.features import feature_pipeline_from_dict

    directory = conf.models_dir() / artifact_path
    device = conf.torch_device() or default_device()
    pipeline = feature_pipeline_from_dict(json.loads((directory / FEATURES_FILE).read_text()))
    return EncoderArtifact(pipeline=pipeline, model=autoencoder_load(directory / ENCODER_FILE, device=device),
                           device=device)
