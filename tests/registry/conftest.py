"""What the registry's tests and the recommender's admin tests share: versions made directly, and running an
action of the version list as an admin."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from registry.models import ModelVersion

VERSIONS = reverse("admin:registry_modelversion_changelist")


def version_create(*, kind: str = "home", algorithm: str = "autoencoder", status: str = "ready", active: bool = False,
                   **fields: Any) -> ModelVersion:
    return ModelVersion.objects.create(kind=kind, algorithm=algorithm, status=status, active=active, **fields)


def version_action(client: Client, action: str, versions: list[ModelVersion]) -> list[str]:
    """Run an admin action of the version list on ``versions``; the messages it left."""
    response = client.post(VERSIONS, {"action": action, "_selected_action": [v.pk for v in versions]}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]
