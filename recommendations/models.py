"""Trained model versions, listing embeddings in pgvector, and stored neighbour lists."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from pgvector.django import HnswIndex, VectorField

from listings.models import Kind, Listing, Status

ITEM_EMBEDDING_DIM = 10
# Statuses a listing may be recommended in; sold and withdrawn ones drop out of every list.
RECOMMENDABLE_STATUSES = (Status.ACTIVE, Status.PENDING)
TEXT_EMBEDDING_DIM = 384


class Algorithm(models.TextChoices):
    AUTOENCODER = "autoencoder", "Autoencoder (item embeddings)"


class VersionStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    """One trained model. At most one version per (kind, algorithm) is active; readers use only it."""

    kind = models.CharField(max_length=8, choices=Kind.choices)
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "algorithm"], condition=Q(active=True), name="modelversion_one_active"
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.active else self.status
        return f"{self.get_algorithm_display()} for {self.kind} #{self.pk} ({state})"


class ItemEmbedding(models.Model):
    """A listing's item embedding by one encoder version; rows of inactive versions are kept for rollback."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="item_embeddings")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="item_embeddings")
    vector = VectorField(dimensions=ITEM_EMBEDDING_DIM)
    embedded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "listing"], name="itemembedding_version_listing_uniq"),
        ]
        indexes = [
            models.Index(fields=["version", "embedded_at"], name="itemembedding_changed_idx"),
            HnswIndex(
                name="itemembedding_vector_idx", fields=["vector"], m=16, ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Item embedding of listing {self.listing_id} by version {self.version_id}"


class TextEmbedding(models.Model):
    """all-MiniLM-L6-v2 over title, description and key facts; ``text_hash`` skips unchanged text."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, primary_key=True, related_name="text_embedding")
    vector = VectorField(dimensions=TEXT_EMBEDDING_DIM)
    text_hash = models.CharField(max_length=32)
    embedded_at = models.DateTimeField()

    class Meta:
        indexes = [
            HnswIndex(
                name="textembedding_vector_idx", fields=["vector"], m=16, ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Text embedding of listing {self.listing_id}"


class NeighbourList(models.Model):
    """The exact top-k similar listings of one listing under one encoder version, best first.

    Rank r is array position r - 1. One row per source keeps 2.2 M lists at 2.2 M rows; the view
    ``recommendations_similar_pair`` unnests them into (source, target, score, rank, version) rows.
    Lists are keyed by version so a retrain writes its lists before it is activated.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="neighbour_lists")
    source = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="neighbour_lists")
    target_ids = ArrayField(models.BigIntegerField())
    scores = ArrayField(models.FloatField())
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "source"], name="neighbourlist_version_source_uniq"),
        ]

    def __str__(self) -> str:
        return f"Neighbours of listing {self.source_id}"


class NeighbourRefresh(models.Model):
    """One run of the neighbour refresh; the last finished one dates the stored lists."""

    kind = models.CharField(max_length=8, choices=Kind.choices)
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="refreshes")
    incremental = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    listings = models.PositiveIntegerField(default=0, help_text="Neighbour lists written.")
    seconds = models.FloatField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=1)
    # First listing id of every chunk that finished: a chunk run twice (redelivered) counts once.
    finished_chunks = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="neighbourrefresh_kind_idx")]

    def __str__(self) -> str:
        mode = "incremental" if self.incremental else "full"
        return f"{mode} refresh of {self.kind} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def chunks_done(self) -> int:
        return len(self.finished_chunks)
