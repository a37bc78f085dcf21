"""Training the next-item model from the database: versions, artifacts, failure safety, schedule."""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from listings.models import Event, Interaction, Listing
from recommendations import tasks
from recommendations.ml.sequence import SequenceConfig
from recommendations.models import ItemEmbedding
from recommendations.services import sequences
from registry.models import ModelVersion, VersionStatus
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

sequence_schedule = importlib.import_module("recommendations.migrations.0007_sequence_beat_schedule")

SMALL = SequenceConfig(hidden=16, blocks=1, heads=1, negatives=2, batch_size=16, max_epochs=3, val_fraction=0.0)


@pytest.fixture(autouse=True)
def _models_dir(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path


def walk_the_cycle(homes: list[Listing], *, users: int) -> None:
    """Users who each walk five steps of the cycle homes[0] → homes[1] → … → homes[0], from a different
    start, a day ago."""
    start = timezone.now() - timedelta(days=1)
    for user_index in range(users):
        user = UserFactory()
        for step in range(5):
            Interaction.objects.create(user=user, listing=homes[(user_index + step) % len(homes)], event=Event.VIEW,
                                       created_at=start + timedelta(minutes=step))


@pytest.fixture
def cycle() -> list[Listing]:
    """Six homes published a week ago with orthogonal embeddings, and twelve users walking their cycle."""
    homes = [HomeFactory(title=f"Home {name}", published_at=timezone.now() - timedelta(days=7)) for name in "ABCDEF"]
    encoder = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True)
    for index, home in enumerate(homes):
        ItemEmbedding.objects.create(version=encoder, listing=home, vector=np.eye(10)[index].tolist(),
                                     embedded_at=timezone.now())
    walk_the_cycle(homes, users=12)
    Interaction.objects.create(user=UserFactory(), listing=homes[0], event=Event.VIEW)  # one event: left out
    return homes


def test_it_trains_saves_and_activates_a_version(cycle: list[Listing]) -> None:
    version = sequences.sequence_model_train(kind="home", config=SMALL)

    assert (version.algorithm, version.status, version.active) == ("sasrec", VersionStatus.READY, True)
    assert (version.metrics["users"], version.metrics["items"], version.metrics["epochs_run"]) == (12, 6, 3)
    # Twelve users are too few to validate on: no evidence for the model, the feed is not changed.
    assert (version.params["blend_weight"], version.metrics["blend_users"]) == (0.0, 0)
    model = sequences.sequence_model(version=version)
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


def test_it_schedules_nightly_training_per_kind() -> None:
    # A transactional test flushes migration-made rows from a reused test database: recreate them the
    # way the migration does (it updates rows that exist).
    sequence_schedule.schedule_create(apps, None)
    rows = PeriodicTask.objects.filter(task="recommendations.tasks.sequence_model_train").order_by("name")

    assert [(row.name, row.args, row.crontab.hour, row.crontab.minute) for row in rows] == [
        ("Retrain car next-item model (nightly)", '["car"]', "5", "0"),
        ("Retrain home next-item model (nightly)", '["home"]', "5", "0"),
    ]


def test_it_trains_from_the_command_line(cycle: list[Listing]) -> None:
    out = StringIO()

    call_command("train_sequence_model", "--kind", "home", "--max-epochs", "2", stdout=out, verbosity=0)

    version = ModelVersion.objects.get(algorithm="sasrec", active=True)
    assert out.getvalue().startswith(f"home: version {version.pk} active — 12 users, 6 items, validation NDCG@10 ")
    assert version.metrics["epochs_run"] <= 2


def test_it_explains_why_it_cannot_train_from_the_command_line(cycle: list[Listing]) -> None:
    ModelVersion.objects.create(kind="car", algorithm="autoencoder", status="ready", active=True)
    with pytest.raises(CommandError, match=r"0 users interacted with two or more car listings; training needs 10\."):
        call_command("train_sequence_model", "--kind", "car")


def test_the_nightly_task_trains_or_waits_for_data(cycle: list[Listing], caplog: Any) -> None:
    assert tasks.sequence_model_train.delay("car").get() is None
    assert "No car next-item model trained: No active car encoder" in caplog.text

    version_id = tasks.sequence_model_train.delay("home").get()

    assert ModelVersion.objects.get(algorithm="sasrec", active=True).pk == version_id


def test_it_fails_versions_whose_training_was_abandoned(cycle: list[Listing]) -> None:
    abandoned = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="training")
    recent = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="training")
    ModelVersion.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(hours=8))

    sequences.sequence_model_train(kind="home", config=SMALL)

    abandoned.refresh_from_db()
    recent.refresh_from_db()
    assert (abandoned.status, abandoned.error) == ("failed", "Abandoned: its worker stopped before training finished.")
    assert recent.status == "training"  # maybe still running elsewhere
