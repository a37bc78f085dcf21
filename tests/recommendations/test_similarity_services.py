from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from listings.models import Listing, Status
from listings.services import listing_create, listing_update
from recommendations.ml.autoencoder import DEFAULT_CONFIG
from recommendations.ml.closeness import price_features
from recommendations.ml.geo import place_features
from recommendations.models import ItemEmbedding, NeighbourList, TextEmbedding
from recommendations.selectors import similar_listings
from recommendations.services import encoder, neighbours
from recommendations.services.neighbours import corpus_load
from registry.models import ModelVersion, VersionStatus
from registry.selectors import version_active
from registry.services import version_rollback
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

SMALL = dataclasses.replace(DEFAULT_CONFIG, max_epochs=3, batch_size=16)
CITIES = [("Ponce", "PR", 18.01, -66.61), ("San Juan", "PR", 18.45, -66.06), ("Miami", "FL", 25.77, -80.19),
          ("Austin", "TX", 30.27, -97.74)]


@pytest.fixture(autouse=True)
def _short_lists(settings) -> None:
    settings.SIMILAR_LIST_LENGTH = 5


def homes(count: int, *, offset: int = 0) -> list[Listing]:
    made = []
    for index in range(offset, offset + count):
        city, state, lat, lon = CITIES[index % len(CITIES)]
        made.append(HomeFactory(
            title=f"{2 + index % 3} bd house #{index} in {city}", city=city, state=state, lat=lat, lon=lon,
            price=Decimal(80_000 + 13_000 * index), bed=2 + index % 3, house_size=900 + 37 * index,
            acre_lot=0.1 + 0.01 * index,
        ))
    return made


def stored_lists(version: ModelVersion) -> dict[int, list[int]]:
    return dict(NeighbourList.objects.filter(version=version).values_list("source_id", "target_ids"))


def brute_force_lists(version: ModelVersion, k: int) -> dict[int, list[int]]:
    corpus = corpus_load(version=version)
    scores = corpus.vectors @ corpus.vectors.T
    lists = {}
    for row, source in enumerate(corpus.ids.tolist()):
        candidates = [
            (-scores[row, column], target) for column, target in enumerate(corpus.ids.tolist())
            if target != source and corpus.available[column]
        ]
        lists[source] = [target for _, target in sorted(candidates)[:k]]
    return lists


def test_it_trains_embeds_every_listing_stores_lists_and_activates() -> None:
    made = homes(24)
    draft = HomeFactory(status=Status.DRAFT, published_at=None)

    version = encoder.encoder_retrain(kind="home", config=SMALL)

    lists = stored_lists(version)
    assert (version.active, version.status, version.metrics["rows"]) == (True, VersionStatus.READY, 24)
    assert ItemEmbedding.objects.filter(version=version).count() == 25
    assert TextEmbedding.objects.count() == 25
    assert {source: len(targets) for source, targets in lists.items()} == {
        listing.pk: 5 for listing in [*made, draft]
    }
    assert draft.pk not in {target for targets in lists.values() for target in targets}


def test_it_stores_exactly_the_brute_force_top_k() -> None:
    made = homes(30)
    Listing.objects.filter(pk__in=[made[3].pk, made[7].pk]).update(status=Status.SOLD)

    version = encoder.encoder_retrain(kind="home", config=SMALL)

    lists = stored_lists(version)
    assert lists == brute_force_lists(version, k=5)
    assert not {made[3].pk, made[7].pk} & {target for targets in lists.values() for target in targets}


def test_it_keeps_the_old_version_untouched_when_a_retrain_fails(monkeypatch) -> None:
    homes(20)
    old = encoder.encoder_retrain(kind="home", config=SMALL)
    before = (stored_lists(old), list(ItemEmbedding.objects.filter(version=old).values_list("listing_id", "vector")))

    def broken_refresh(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(encoder, "neighbours_refresh", broken_refresh)
    with pytest.raises(RuntimeError, match="disk full"):
        encoder.encoder_retrain(kind="home", config=SMALL)

    failed = ModelVersion.objects.exclude(pk=old.pk).get()
    after = (stored_lists(old), list(ItemEmbedding.objects.filter(version=old).values_list("listing_id", "vector")))
    assert version_active(kind="home") == old
    assert (failed.active, failed.status, failed.error) == (False, VersionStatus.FAILED, "RuntimeError('disk full')")
    assert after[0] == before[0]
    assert [(pk, list(vector)) for pk, vector in after[1]] == [(pk, list(vector)) for pk, vector in before[1]]


def test_it_rolls_back_to_an_earlier_version_with_its_lists() -> None:
    homes(20)
    first = encoder.encoder_retrain(kind="home", config=SMALL)
    second = encoder.encoder_retrain(kind="home", config=dataclasses.replace(SMALL, seed=7))

    version_rollback(version=first)

    assert list(ModelVersion.objects.filter(active=True).values_list("pk", flat=True)) == [first.pk]
    assert second.pk != first.pk
    assert stored_lists(first) == brute_force_lists(first, k=5)


def test_it_refreshes_incrementally_to_the_same_lists_as_a_full_refresh(
    django_capture_on_commit_callbacks,
) -> None:
    made = homes(30)
    seller = UserFactory()
    version = encoder.encoder_retrain(kind="home", config=SMALL)
    neighbours.neighbours_refresh(kind="home")  # a finished refresh for the incremental one to start from

    with django_capture_on_commit_callbacks(execute=True):
        for listing in made[:3]:
            listing_update(listing=listing, data={"price": listing.price * 2}, by=UserFactory(is_staff=True))
        Listing.objects.filter(pk=made[10].pk).update(status=Status.WITHDRAWN, updated_at=timezone.now())
        listing_create(seller=seller, data={
            "kind": "home", "offer": "sale", "title": "3 bd house in Ponce", "price": Decimal(120_000),
            "city": "Ponce", "state": "PR", "lat": 18.01, "lon": -66.61, "bed": 3, "house_size": 1_000,
        }, publish=True)

    incremental = neighbours.neighbours_refresh(kind="home", incremental=True)
    incremental_lists = stored_lists(version)
    full = neighbours.neighbours_refresh(kind="home")

    assert incremental is not None and full is not None
    assert (incremental.incremental, full.incremental) == (True, False)
    assert incremental_lists == stored_lists(version)
    assert incremental_lists == brute_force_lists(version, k=5)


def test_it_finds_neighbours_for_a_new_listing_before_any_refresh(django_capture_on_commit_callbacks) -> None:
    homes(24)
    version = encoder.encoder_retrain(kind="home", config=SMALL)

    with django_capture_on_commit_callbacks(execute=True):
        new = listing_create(seller=UserFactory(), data={
            "kind": "home", "offer": "sale", "title": "2 bd house in Miami", "price": Decimal(150_000),
            "city": "Miami", "state": "FL", "lat": 25.77, "lon": -80.19, "bed": 2, "house_size": 1_100,
        }, publish=True)

    found = similar_listings(listing=new, limit=5)

    assert not NeighbourList.objects.filter(version=version, source=new).exists()
    assert [item.listing.pk for item in found] == brute_force_lists(version, k=5)[new.pk]
    assert [round(item.score, 4) for item in found] == sorted((round(item.score, 4) for item in found), reverse=True)
    assert all(item.reason for item in found)


def test_it_blends_text_and_item_cosines_and_the_facts_by_the_settings(settings) -> None:
    homes(20)
    version = encoder.encoder_retrain(kind="home", config=SMALL)
    item = np.array(list(ItemEmbedding.objects.filter(version=version).order_by("listing_id")
                         .values_list("vector", flat=True)), dtype=np.float32)
    text = np.array(list(TextEmbedding.objects.order_by("listing_id").values_list("vector", flat=True)),
                    dtype=np.float32)
    facts = list(Listing.objects.order_by("pk").values_list("lat", "lon", "price", "state", "bed"))
    places = place_features(*np.array([row[:2] for row in facts]).T, bandwidth_km=50.0)
    prices = price_features([row[2] for row in facts], bandwidth=0.3)
    same_state = np.array([[a[3] == b[3] for b in facts] for a in facts], dtype=float)
    same_beds = np.array([[a[4] == b[4] for b in facts] for a in facts], dtype=float)
    settings.SIMILAR_TEXT_WEIGHT = 0.25
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"place": 0.1, "price": 0.05, "state": 0.2, "bed": 0.05}}
    settings.SIMILAR_PLACE_BANDWIDTH_KM = 50.0
    settings.SIMILAR_PRICE_BANDWIDTH = 0.3

    corpus = corpus_load(version=version)

    unit_item = item / np.linalg.norm(item, axis=1, keepdims=True)
    expected = (
        0.6 * (0.75 * (unit_item @ unit_item.T) + 0.25 * (text @ text.T))
        + 0.1 * (places @ places.T) + 0.05 * (prices @ prices.T) + 0.2 * same_state + 0.05 * same_beds
    )
    assert np.allclose(corpus.vectors @ corpus.vectors.T, expected, atol=1e-5)
    # Homes of the same city are as close as can be; Ponce and Austin, 3,000 km apart, are not.
    assert np.allclose(np.diag(places @ places.T), 1.0) and abs(float(places[0] @ places[3])) < 0.3
    # 10 homes in PR, 5 in FL, 5 in TX; 7 with 2 bedrooms, 7 with 3, 6 with 4.
    assert (same_state.sum(), same_beds.sum()) == (10**2 + 5**2 + 5**2, 7**2 + 7**2 + 6**2)


def test_it_refuses_fact_weights_it_cannot_blend(settings) -> None:
    facts = [(18.01, -66.61, Decimal(150_000), "PR", 3, "", ""), (25.77, -80.19, Decimal(90_000), "FL", 2, "", "")]

    settings.SIMILAR_FACT_WEIGHTS = {"home": {"state": 0.7, "price": 0.3}}
    with pytest.raises(ImproperlyConfigured, match=r"sum to less than 1, got \{'state': 0.7, 'price': 0.3\}"):
        neighbours.closeness_parts(facts, kind="home")
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"bedrooms": 0.1}}
    with pytest.raises(ImproperlyConfigured, match=r"names \['bedrooms'\]; the facts are"):
        neighbours.closeness_parts(facts, kind="home")
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"state": 0.3}}  # a kind not named has no facts
    assert [weight for _, weight in neighbours.closeness_parts(facts, kind="home")] == [0.3]
    assert neighbours.closeness_parts(facts, kind="car") == []


def test_cars_count_the_same_make_and_model(settings) -> None:
    facts = [(None, None, Decimal(9_000), "", None, make, model)
             for make, model in [("Ford", "F-150"), ("ford ", "f-150"), ("Ford", "Focus"), ("Honda", "Civic")]]
    settings.SIMILAR_FACT_WEIGHTS = {"car": {"make": 0.1, "model": 0.2}}

    (makes, make_weight), (models, model_weight) = neighbours.closeness_parts(facts, kind="car")

    assert (make_weight, model_weight) == (0.1, 0.2)
    assert (makes @ makes.T).tolist() == [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]]
    assert (models @ models.T).tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_it_splits_a_full_refresh_into_chunks_that_count_once_each() -> None:
    homes(21)
    version = encoder.encoder_retrain(kind="home", config=SMALL)
    NeighbourList.objects.filter(version=version).delete()

    started = neighbours.neighbours_refresh_start(kind="home", chunks=3)
    assert started is not None
    refresh, ranges = started
    for low, high in [*ranges[:2], ranges[0]]:  # the first chunk is delivered twice
        neighbours.neighbours_refresh_chunk(refresh_id=refresh.pk, low=low, high=high)
    refresh.refresh_from_db()
    halfway = (refresh.chunks_done, refresh.finished_at)
    neighbours.neighbours_refresh_chunk(refresh_id=refresh.pk, low=ranges[2][0], high=ranges[2][1])
    refresh.refresh_from_db()

    assert len(ranges) == 3
    assert halfway == (2, None)
    assert refresh.chunks_done == 3
    assert refresh.finished_at is not None
    assert stored_lists(version) == brute_force_lists(version, k=5)


def test_it_keeps_ready_versions_for_rollback_and_prunes_older_ones(settings) -> None:
    settings.MODEL_VERSIONS_KEPT = 1
    homes(20)
    first = encoder.encoder_retrain(kind="home", config=SMALL)
    failed = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status=VersionStatus.FAILED)
    second = encoder.encoder_retrain(kind="home", config=SMALL)
    third = encoder.encoder_retrain(kind="home", config=SMALL)

    remaining = set(ModelVersion.objects.values_list("pk", flat=True))

    assert remaining == {failed.pk, second.pk, third.pk}
    assert first.pk not in remaining
