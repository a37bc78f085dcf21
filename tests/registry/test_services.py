"""Model versions: which one is active, activation, pruning with their files, abandoned trainings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from registry import conf, services
from registry.artifacts import artifact_dir
from registry.models import ModelVersion
from registry.selectors import version_active
from registry.services import version_activate, version_fail, versions_abandoned_fail, versions_prune
from tests.registry.conftest import version_create

pytestmark = pytest.mark.django_db


NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The registry's clock stopped at NOW (activation times, the abandoned-training cut-off)."""
    monkeypatch.setattr(services.timezone, "now", lambda: NOW)
    return NOW


def _created_at(version: ModelVersion, moment: datetime) -> ModelVersion:
    """``version`` as if made at ``moment`` (``created_at`` is set on insert, whatever the call says)."""
    ModelVersion.objects.filter(pk=version.pk).update(created_at=moment)
    version.created_at = moment
    return version


def _with_files(version: ModelVersion) -> Path:
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True)
    (directory / "model.pt").write_bytes(b"weights")
    version.artifact_path = str(directory.relative_to(conf.models_dir()))
    version.save(update_fields=["artifact_path"])
    return directory


def test_it_reads_the_active_version_of_a_kind_and_algorithm() -> None:
    version_create()
    encoder = version_create(active=True)
    sequence_model = version_create(algorithm="sasrec", active=True)

    assert (version_active(kind="home"), version_active(kind="home", algorithm="sasrec"),
            version_active(kind="car")) == (encoder, sequence_model, None)


def test_it_activates_a_version_in_place_of_the_one_of_its_kind_and_algorithm(frozen_now: datetime) -> None:
    current = version_create(active=True)
    others = [version_create(algorithm="sasrec", active=True), version_create(kind="car", active=True)]
    new = version_create()

    version_activate(version=new)

    assert set(ModelVersion.objects.filter(active=True)) == {new, *others}
    assert ModelVersion.objects.get(pk=new.pk).activated_at == frozen_now
    current.refresh_from_db()
    assert current.active is False


def test_it_refuses_to_activate_a_version_still_training() -> None:
    training = version_create(status="training")

    with pytest.raises(ValueError, match=f"Version {training.pk} is training; only a ready version can be"):
        version_activate(version=training)
    assert not ModelVersion.objects.filter(active=True).exists()


def test_it_fails_a_version_with_the_error_and_nothing_else_it_holds() -> None:
    version = version_create(status="training", metrics={"rows": 20})
    version.metrics = {"rows": 25, "val_mse": 0.5}

    version_fail(version=version, error=RuntimeError("out of memory"))

    assert ModelVersion.objects.values_list("status", "error", "metrics").get() == (
        "failed", "RuntimeError('out of memory')", {"rows": 20})


def test_it_puts_a_versions_files_under_its_kind_and_algorithm() -> None:
    version = version_create(kind="all", algorithm="lora")

    assert artifact_dir(version=version) == conf.models_dir() / "all" / f"lora-{version.pk}"


def test_it_prunes_all_but_the_newest_kept_ready_and_failed_versions_with_their_files(settings: Any) -> None:
    settings.MODEL_VERSIONS_KEPT = 1
    made = iter(NOW - timedelta(hours=hours) for hours in range(10, 0, -1))  # each one newer than the last

    def made_next(**fields: Any) -> ModelVersion:
        return _created_at(version_create(**fields), next(made))

    oldest, older = made_next(), made_next()
    files = _with_files(oldest)
    made_next(status="failed")  # the older failure goes too
    failure = made_next(status="failed")
    kept = {older, failure, made_next(active=True), made_next(status="training"), made_next(algorithm="sasrec"),
            made_next(algorithm="sasrec")}

    pruned = versions_prune(kind="home")

    assert (pruned, set(ModelVersion.objects.all())) == (2, kept)
    assert not files.exists()


def test_it_fails_trainings_abandoned_for_more_than_seven_hours(frozen_now: datetime) -> None:
    seven_hours_ago = frozen_now - timedelta(hours=7)
    abandoned = _created_at(version_create(status="training"), seven_hours_ago - timedelta(minutes=1))
    recent = _created_at(version_create(status="training"), seven_hours_ago + timedelta(minutes=1))
    other_algorithm = _created_at(version_create(algorithm="sasrec", status="training"), seven_hours_ago - timedelta(hours=1))

    failed = versions_abandoned_fail(kind="home", algorithm="autoencoder")

    assert failed == 1
    assert dict(ModelVersion.objects.values_list("pk", "status")) == {
        abandoned.pk: "failed", recent.pk: "training", other_algorithm.pk: "training"}
    assert ModelVersion.objects.get(pk=abandoned.pk).error == "Abandoned: its worker stopped before training finished."
