"""Retraining the encoder: every listing embedded, lists stored, the version activated; a failed retrain
changes nothing; a rollback to an earlier version, and only the versions a rollback needs kept."""

from __future__ import annotations

import dataclasses

import pytest

from listings.models import Status
from recommendations.models import ItemEmbedding, TextEmbedding
from recommendations.services import encoder
from registry.models import ModelVersion, VersionStatus
from registry.selectors import version_active
from registry.services import version_rollback
from tests.factories import HomeFactory
from tests.recommendations.services.conftest import SMALL, brute_force_lists, homes, stored_lists

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_short_lists")]


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
