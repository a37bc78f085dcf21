"""Reads of model versions."""

from __future__ import annotations

from registry.models import Algorithm, ModelVersion


def version_active(*, kind: str, algorithm: str = Algorithm.AUTOENCODER) -> ModelVersion | None:
    """The version readers of ``kind`` and ``algorithm`` use; None before the first one is activated."""
    return ModelVersion.objects.filter(kind=kind, algorithm=algorithm, active=True).first()
