"""Where a version's files live: one directory per version under the models directory."""

from __future__ import annotations

from pathlib import Path

from registry import conf
from registry.models import ModelVersion


def artifact_dir(*, version: ModelVersion) -> Path:
    """The directory a training writes ``version``'s files to (``models/<kind>/<algorithm>-<id>``)."""
    return conf.models_dir() / version.kind / f"{version.algorithm}-{version.pk}"
