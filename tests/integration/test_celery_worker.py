"""Background work in a real `celery worker` process on Redis: tasks enqueued here complete there, and a
training whose worker dies changes nothing readers use and completes on the next worker."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest

from descriptions import conf as descriptions_conf
from descriptions.drafting import draft_write
from descriptions.models import DescriptionRequest, RequestStatus
from descriptions.selectors import description_facts
from descriptions.services import description_request_create
from listings.models import Listing
from listings.services import listing_create
from recommendations import tasks
from recommendations.ml.autoencoder import DEFAULT_CONFIG
from recommendations.models import ItemEmbedding, TextEmbedding
from recommendations.services import encoder
from recommendations.services.embeddings import item_embeddings_compute
from registry.models import ModelVersion, VersionStatus
from registry.selectors import version_active
from tests.factories import HomeFactory, UserFactory
from tests.integration.conftest import RedisBroker, WorkerStart, wait_for

pytestmark = pytest.mark.slow

SMALL = dataclasses.replace(DEFAULT_CONFIG, max_epochs=3, batch_size=16)
# Trains for many minutes on a few listings: the kill always lands mid-training.
ENDLESS = {"max_epochs": 1_000_000, "patience": 1_000_000}
CITIES = [("Ponce", "PR", 18.01, -66.61), ("San Juan", "PR", 18.45, -66.06), ("Miami", "FL", 25.77, -80.19)]


def homes(count: int) -> list[Listing]:
    made = []
    for index in range(count):
        city, state, lat, lon = CITIES[index % len(CITIES)]
        made.append(HomeFactory(
            title=f"{2 + index % 3} bd house #{index} in {city}", city=city, state=state, lat=lat, lon=lon,
            price=Decimal(80_000 + 13_000 * index), bed=2 + index % 3, house_size=900 + 37 * index,
        ))
    return made


def embeddings_of(version: ModelVersion) -> dict[int, list[float]]:
    return {pk: list(vector) for pk, vector in ItemEmbedding.objects.filter(version=version).values_list(
        "listing_id", "vector")}


def test_it_embeds_a_new_listing_and_drafts_a_description_in_the_worker(
    redis_broker: RedisBroker, worker_start: WorkerStart
) -> None:
    worker = worker_start(broker_url=redis_broker.url)  # starts while the encoder trains here
    homes(24)
    active = encoder.encoder_retrain(kind="home", config=SMALL)
    seller = UserFactory(username="worker_seller")

    new = listing_create(seller=seller, publish=True, data={
        "kind": "home", "offer": "sale", "title": "3 bd house in Ponce", "price": Decimal(120_000),
        "city": "Ponce", "state": "PR", "lat": 18.01, "lon": -66.61, "bed": 3, "house_size": 1_000,
    })
    request = description_request_create(listing=new, by=seller, tone="warm")

    wait_for(lambda: ItemEmbedding.objects.filter(version=active, listing=new).exists()
             and DescriptionRequest.objects.filter(pk=request.pk, status=RequestStatus.READY).exists(),
             seconds=60, what="the embedding and the draft", workers=[worker])
    stored = ItemEmbedding.objects.get(version=active, listing=new)
    _, expected_vectors, _ = item_embeddings_compute(version=active, listing_ids=[new.pk])
    request.refresh_from_db()
    expected_draft = draft_write(description_facts(listing=new), tone="warm", seed=request.pk,
                                 engine=descriptions_conf.engine_current(), max_tries=descriptions_conf.max_tries())
    assert np.allclose(stored.vector, expected_vectors[0], atol=1e-6)
    assert TextEmbedding.objects.filter(listing=new).exists()
    assert (request.draft, request.engine, request.findings, request.attempts) == (
        expected_draft.text, "template", [], 1)
    assert Listing.objects.get(pk=new.pk).description == ""
    wait_for(lambda: redis_broker.unacknowledged() == 0, seconds=10, what="both tasks acknowledged", workers=[worker])


def test_it_keeps_the_active_version_when_the_worker_dies_mid_training_and_finishes_on_the_next(
    redis_broker: RedisBroker, worker_start: WorkerStart
) -> None:
    doomed = worker_start(broker_url=redis_broker.url, encoder_config=ENDLESS)
    homes(24)
    old = encoder.encoder_retrain(kind="home", config=SMALL)
    old_embeddings = embeddings_of(old)

    tasks.encoder_retrain.delay("home")
    wait_for(lambda: ModelVersion.objects.filter(status=VersionStatus.TRAINING).exists(),
             seconds=60, what="the retrain to start", workers=[doomed])
    doomed.kill()

    interrupted = ModelVersion.objects.get(status=VersionStatus.TRAINING)
    assert version_active(kind="home") == old
    assert embeddings_of(old) == old_embeddings
    assert not ItemEmbedding.objects.filter(version=interrupted).exists()
    assert redis_broker.unacknowledged() == 1  # taken, never acknowledged: the broker still holds it

    survivor = worker_start(broker_url=redis_broker.url, encoder_config={"max_epochs": 3, "batch_size": 16})
    wait_for(lambda: ModelVersion.objects.filter(active=True).exclude(pk=old.pk).exists(),
             seconds=90, what="the redelivered retrain to activate a new version", workers=[doomed, survivor])

    new = version_active(kind="home")
    assert new is not None
    assert (new.status, new.pk not in {old.pk, interrupted.pk}, new.params["max_epochs"]) == (
        VersionStatus.READY, True, 3)
    assert set(embeddings_of(new)) == set(old_embeddings)
    assert embeddings_of(old) == old_embeddings  # kept for rollback
    assert ModelVersion.objects.filter(pk=interrupted.pk).values_list("status", "active").get() == (
        VersionStatus.TRAINING, False)  # nobody was left to mark it failed
    wait_for(lambda: redis_broker.unacknowledged() == 0, seconds=10, what="the retrain acknowledged",
             workers=[survivor])
