"""Trained model versions of every app: the encoders, the sequence model, the description writer's adapter."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from listings.models import Kind


class Algorithm(models.TextChoices):
    AUTOENCODER = "autoencoder", "Autoencoder (item embeddings)"
    SASREC = "sasrec", "SASRec (next-item sequence model)"
    LORA = "lora", "LoRA adapter (description writer)"


# Model kinds: a listing kind, or every kind for models that serve both (the description writer).
MODEL_KINDS = [*Kind.choices, ("all", "All kinds")]


class VersionStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    """One trained model. At most one version per (kind, algorithm) is active; readers use only it."""

    kind = models.CharField(max_length=8, choices=MODEL_KINDS)
    algorithm = models.CharField(max_length=20, choices=Algorithm.choices)
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.TRAINING)
    params = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    artifact_path = models.CharField(max_length=300, blank=True, help_text="Relative to $TRUSTASSET_DATA_DIR/models.")
    error = models.TextField(blank=True)
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table the model had in recommendations/: moving the model to this app moved no rows,
        # and raw SQL joins to it by this name.
        db_table = "recommendations_modelversion"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "algorithm"], condition=Q(active=True), name="modelversion_one_active"
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.active else self.status
        return f"{self.get_algorithm_display()} for {self.kind} #{self.pk} ({state})"
