"""Fixtures shared by the recommender tests: homes with embeddings the feed ranks, an active next-item model,
and a cycle of homes that users walk for training it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from listings.models import Event, Interaction, Listing, Offer, Status
from listings.services import interaction_record
from recommendations.ml.sequence.config import SequenceConfig
from recommendations.ml.sequence.training import sequence_train
from recommendations.models import Dismissal, ItemEmbedding
from recommendations.services import feed, sequence_store
from registry.artifacts import artifact_dir
from registry.models import ModelVersion
from tests.factories import HomeFactory, UserFactory

MONTH_AGO = timedelta(days=30)


def _embed(version: ModelVersion, listing: Listing, *head: float) -> None:
    """A hand-made 10-d item embedding: ``head`` then zeros."""
    ItemEmbedding.objects.create(version=version, listing=listing, vector=[*head, *[0.0] * (10 - len(head))],
                                 embedded_at=timezone.now())


@pytest.fixture
def version(db) -> ModelVersion:
    return ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True)


@pytest.fixture
def homes(version: ModelVersion, buyer: User) -> dict[str, Listing]:
    """A, which the buyer views, and candidates whose places in the feed are known by construction."""
    published = timezone.now() - MONTH_AGO
    made = {
        "viewed": HomeFactory(title="12 Oak St", price=Decimal(250_000), published_at=published),
        "near": HomeFactory(title="14 Oak St", price=Decimal(260_000), published_at=published),
        "far": HomeFactory(title="1 Far Rd", price=Decimal(250_000), published_at=published),
        "pricey": HomeFactory(title="9 Hill Ave", price=Decimal(500_000), published_at=published),
        "rental": HomeFactory(title="3 Rent Ln", offer=Offer.RENT, price=Decimal(2_000), published_at=published),
        "own": HomeFactory(title="Buyer's own", seller=buyer, published_at=published),
        "dismissed": HomeFactory(title="Dismissed", published_at=published),
        "sold": HomeFactory(title="Sold", status=Status.SOLD, published_at=published),
    }
    vectors = {"viewed": (1, 0), "near": (1, 0.05), "far": (0, 1), "pricey": (1, 0), "rental": (1, 0),
               "own": (1, 0), "dismissed": (1, 0), "sold": (1, 0)}
    for name, listing in made.items():
        _embed(version, listing, *vectors[name])
    Dismissal.objects.create(user=buyer, listing=made["dismissed"])
    return made


def _ids(result: feed.Feed) -> list[int]:
    return [item.listing.pk for item in result.items]


def _view(user: User, listing: Listing) -> None:
    interaction_record(listing=listing, event=Event.VIEW, user=user)


@pytest.fixture
def next_item_model(settings: Any, tmp_path: Any, homes: dict[str, Listing]) -> ModelVersion:
    """An active next-item model, blend weight 0.6, that learned "after 12 Oak St people open 1 Far Rd"
    (and "after 1 Far Rd, 9 Hill Ave"); 14 Oak St is in its vocabulary but nobody opened it in training."""
    settings.DATA_DIR = tmp_path
    viewed, far, pricey = homes["viewed"].pk, homes["far"].pk, homes["pricey"].pk
    item_ids = np.array(sorted(listing.pk for listing in homes.values()))
    model, _ = sequence_train([np.array([viewed, far, pricey])] * 20, item_ids=item_ids, config=SequenceConfig(
        max_length=5, hidden=16, blocks=1, heads=1, dropout=0.0, negatives=4, batch_size=8, learning_rate=1e-2,
        max_epochs=30, val_fraction=0.0, seed=1, device="cpu",
    ))
    version = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="ready", active=True,
                                          params={"blend_weight": 0.6})
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True)
    model.save(directory / sequence_store.SEQUENCE_FILE)
    version.artifact_path = str(directory.relative_to(tmp_path / "models"))
    version.save(update_fields=["artifact_path"])
    return version


@pytest.fixture
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
