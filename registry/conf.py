"""The one place that reads the model registry's settings."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def versions_kept() -> int:
    """Inactive ready versions kept (with their embeddings and lists) so an admin can roll back."""
    return int(settings.MODEL_VERSIONS_KEPT)


def models_dir() -> Path:
    """Where versions keep their files; a version's ``artifact_path`` is relative to it."""
    return Path(settings.DATA_DIR) / "models"
