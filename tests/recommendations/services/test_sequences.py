"""Training the next-item model from the database: versions, artifacts, blend weights, failure safety."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from listings.models import Interaction, Listing
from recommendations.ml.sequence.config import SequenceConfig
from recommendations.models import ItemEmbedding
from recommendations.services import sequence_store, sequences
from registry.models import ModelVersion, VersionStatus
from tests.factories import HomeFactory
from tests.recommendations.conftest import walk_the_cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_models_dir")]

SMALL = SequenceConfig(hidden=16, blocks=1, heads=1, negatives=2, batch_size=16, max_epochs=3, val_fraction=0.0)


def test_it_trains_saves_and_activates_a_version(cycle: list[Listing]) -> None:
    version = sequences.sequence_model_train(kind="home", config=SMALL)

    assert (version.algorithm, version.status, version.active) == ("sasrec", VersionStatus.READY, True)
    assert (version.metrics["users"], version.metrics["items"], version.metrics["epochs_run"]) == (12, 6, 3)
    # Twelve users are too few to validate on: no evidence for the model, the feed is not changed.
    assert (version.params["blend_weight"], version.metrics["blend_users"]) == (0.0, 0)
    model = sequence_store.sequence_model(version=version)
    assert model.item_ids.tolist() == [home.pk for home in cycle]
    assert model.scores(np.array([cycle[0].pk])).shape == (6,)
    # The encoder of the same kind stays active: one active version per (kind, algorithm).
    assert ModelVersion.objects.filter(kind="home", active=True).count() == 2


def test_it_tunes_the_blend_weight_on_validation_users(cycle: list[Listing]) -> None:
    """Forty users: four validate. Four homes nobody viewed resemble every cycle home (cosine 0.76 to a
    centroid of four), so the content ranker puts them before the next cycle home (cosine 0): only a
    weight that lets the model, which learned the cycle, outvote the content ranker finds the next home."""
    walk_the_cycle(cycle, users=28)
    encoder = ModelVersion.objects.get(algorithm="autoencoder")
    for extra in range(4):
        lookalike = HomeFactory(published_at=timezone.now() - timedelta(days=7))
        ItemEmbedding.objects.create(version=encoder, listing=lookalike, vector=[1.0] * 6 + np.eye(4)[extra].tolist(),
                                     embedded_at=timezone.now())
    config = SequenceConfig(max_length=10, hidden=16, blocks=1, heads=1, dropout=0.0, negatives=4, batch_size=8,
                            learning_rate=1e-2, max_epochs=30, patience=30, val_fraction=0.1, seed=1)

    version = sequences.sequence_model_train(kind="home", config=config)

    assert version.metrics["blend_users"] == 4
    assert version.metrics["ndcg@10"] == 1.0
    weight = version.params["blend_weight"]
    ndcg = version.metrics["blend_ndcg@10"]
    assert ndcg[str(weight)] == 1.0
    assert all(value < 1.0 for key, value in ndcg.items() if float(key) < weight)
    assert ndcg["0.0"] < 0.5  # the content ranker alone puts the next home behind the four lookalikes


def test_it_keeps_the_active_version_when_training_fails(cycle: list[Listing], monkeypatch: Any) -> None:
    first = sequences.sequence_model_train(kind="home", config=SMALL)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(sequences.SequenceRecommender, "fit", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        sequences.sequence_model_train(kind="home", config=SMALL)

    failed = ModelVersion.objects.filter(algorithm="sasrec").exclude(pk=first.pk).get()
    assert (failed.status, failed.active, failed.error) == (VersionStatus.FAILED, False, "RuntimeError('out of memory')")
    assert ModelVersion.objects.get(algorithm="sasrec", active=True).pk == first.pk


def test_it_refuses_to_train_on_too_few_sequences(cycle: list[Listing]) -> None:
    Interaction.objects.all().delete()
    walk_the_cycle(cycle, users=9)

    with pytest.raises(sequences.NotEnoughSequences, match="9 users interacted with two or more home listings"):
        sequences.sequence_model_train(kind="home", config=SMALL)
    assert not ModelVersion.objects.filter(algorithm="sasrec").exists()


def test_it_refuses_to_train_without_an_encoder() -> None:
    with pytest.raises(sequences.NotEnoughSequences, match="No active car encoder: run train_encoder --kind car"):
        sequences.sequence_model_train(kind="car", config=SMALL)
    assert not ModelVersion.objects.exists()


def test_it_fails_versions_whose_training_was_abandoned(cycle: list[Listing]) -> None:
    abandoned = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="training")
    recent = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="training")
    ModelVersion.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(hours=8))

    sequences.sequence_model_train(kind="home", config=SMALL)

    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert (abandoned.status, abandoned.error) == ("failed", "Abandoned: its worker stopped before training finished.")
    assert recent.status == "training"  # maybe still running elsewhere
