"""Training the item encoder: a new version, every listing re-embedded, lists refreshed, then activated."""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd
from django.db.models import QuerySet
from django.utils import timezone

from listings.models import Listing, Status
from recommendations import conf
from recommendations.ml.autoencoder import DEFAULT_CONFIG, AutoencoderConfig, TrainResult, autoencoder_train, embed
from recommendations.ml.features import feature_pipeline_for
from recommendations.services import artifacts
from recommendations.services.embeddings import item_embeddings_refresh, item_embeddings_write, text_embeddings_refresh
from recommendations.services.frames import listing_frame
from recommendations.services.neighbours import neighbours_refresh
from registry.models import Algorithm, ModelVersion, VersionStatus
from registry.services import version_activate, version_fail, versions_abandoned_fail, versions_prune

log = logging.getLogger(__name__)
MIN_TRAINING_ROWS = 20


class NotEnoughListings(ValueError):
    pass


def training_listings(*, kind: str) -> QuerySet[Listing]:
    """The listings of ``kind`` the encoder learns from: all but drafts (half-typed, often placeholders)."""
    return Listing.objects.filter(kind=kind).exclude(status=Status.DRAFT)


def encoder_retrain(*, kind: str, config: AutoencoderConfig = DEFAULT_CONFIG, progress: bool = False) -> ModelVersion:
    """Train a new encoder for ``kind``, embed every listing, refresh its lists, then activate it.

    Until the last step nothing a reader uses changes; a failure leaves the old version active and
    marks the new one failed (with the error) before re-raising.
    """
    frame = listing_frame(listings=training_listings(kind=kind), kind=kind)
    if len(frame) < MIN_TRAINING_ROWS:
        raise NotEnoughListings(f"{len(frame)} {kind} listings; training needs at least {MIN_TRAINING_ROWS}.")
    versions_abandoned_fail(kind=kind, algorithm=Algorithm.AUTOENCODER)
    version = ModelVersion.objects.create(
        kind=kind, algorithm=Algorithm.AUTOENCODER, params=dataclasses.asdict(config)
    )
    try:
        _train_and_publish(version=version, frame=frame, config=config, progress=progress)
    except BaseException as error:  # also a Ctrl-C or a worker's time limit: the version must not look alive
        version_fail(version=version, error=error)
        raise
    version_activate(version=version)
    # Listings created while training waited for the active encoder: embed them now.
    item_embeddings_refresh(kind=kind)
    versions_prune(kind=kind)
    version.refresh_from_db()
    return version


def _train_and_publish(*, version: ModelVersion, frame: pd.DataFrame, config: AutoencoderConfig, progress: bool) -> None:
    pipeline = feature_pipeline_for(version.kind)
    features = pipeline.fit_transform(frame)
    result: TrainResult = autoencoder_train(features, config=config, device=conf.torch_device(), progress=progress)
    version.artifact_path = artifacts.encoder_artifact_save(version=version, pipeline=pipeline, model=result.model)
    version.metrics = {**result.metrics(), "rows": len(frame), "features": len(pipeline.feature_names),
                       "mean_baseline_factor": result.mean_baseline_mse / max(result.val_mse, 1e-12)}
    version.save(update_fields=["artifact_path", "metrics"])
    # Every listing of the kind is embedded, drafts too (they are masked out of lists until published).
    read_at = timezone.now()
    everything = listing_frame(listings=Listing.objects.filter(kind=version.kind), kind=version.kind)
    vectors = embed(result.model, pipeline.transform(everything), device=conf.torch_device())
    item_embeddings_write(version=version, listing_ids=everything["id"].tolist(), vectors=vectors, read_at=read_at)
    text_embeddings_refresh(kind=version.kind)
    version.status = VersionStatus.READY
    version.save(update_fields=["status"])
    neighbours_refresh(kind=version.kind, version=version)
