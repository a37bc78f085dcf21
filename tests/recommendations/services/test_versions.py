"""Model versions: rolling back to an earlier one, and keeping only the ready versions a rollback needs."""

from __future__ import annotations

import dataclasses

import pytest

from recommendations.services import encoder
from registry.models import ModelVersion, VersionStatus
from registry.services import version_rollback
from tests.recommendations.services.conftest import SMALL, brute_force_lists, homes, stored_lists

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_short_lists")]


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
