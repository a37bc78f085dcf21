"""The one place that reads the recommender's settings."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def text_weight() -> float:
    """Weight of the text cosine in the blended similarity; the item embedding gets the rest."""
    return float(settings.SIMILAR_TEXT_WEIGHT)


def list_length() -> int:
    """How many neighbours are stored per listing."""
    return int(settings.SIMILAR_LIST_LENGTH)


def versions_kept() -> int:
    """Inactive ready versions kept (with their embeddings and lists) so an admin can roll back."""
    return int(settings.MODEL_VERSIONS_KEPT)


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def torch_device() -> str | None:
    """None lets the ML code pick CUDA when present."""
    return settings.TORCH_DEVICE or None
