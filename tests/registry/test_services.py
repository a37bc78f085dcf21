"""Model versions: which one is active, activation, pruning with their files, abandoned trainings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from registry import conf
from registry.artifacts import artifact_dir
from registry.models import ModelVersion
from registry.selectors import version_active
from registry.services import version_activate, version_fail, versions_abandoned_fail, versions_prune

pytestmark = pytest.mark.django_db


def _version(*, kind: str = "home", algorithm: str = "autoencoder", status: str = "ready", active: bool = False,
             **fields: Any) -> ModelVersion:
    return ModelVersion.objects.create(kind=kind, algorithm=algorithm, status=status, active=active, **fields)


def _with_files(version: ModelVersion) -> Path:
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True)
    (directory / "model.pt").write_bytes(b"weights")
    version.artifact_path = str(directory.relative_to(conf.models_dir()))
    version.save(update_fields=["artifact_path"])
    return directory


def test_it_reads_the_active_version_of_a_kind_and_algorithm() -> None:
    _version()
    encoder = _version(active=True)
    sequence_model = _version(algorithm="sasrec", active=True)

    assert (version_active(kind="home"), version_active(kind="home", algorithm="sasrec"),
            version_active(kind="car")) == (encoder, sequence_model, None)


def test_it_activates_a_version_in_place_of_the_one_of_its_kind_and_algorithm() -> None:
    current = _version(active=True)
    others = [_version(algorithm="sasrec", active=True), _version(kind="car", active=True)]
    new = _version()

    version_activate(version=new)

    assert set(ModelVersion.objects.filter(active=True)) == {new, *others}
    assert ModelVersion.objects.get(pk=new.pk).activated_at is not None
    current.refresh_from_db()
    assert current.active is False


def test_it_refuses_to_activate_a_version_still_training() -> None:
    training = _version(status="training")

    with pytest.raises(ValueError, match=f"Version {training.pk} is training; only a ready version can be"):
        version_activate(version=training)
    assert not ModelVersion.objects.filter(active=True).exists()


def test_it_fails_a_version_with_the_error_and_nothing_else_it_holds() -> None:
    version = _version(status="training", metrics={"rows": 20})
    version.metrics = {"rows": 25, "val_mse": 0.5}

    version_fail(version=version, error=RuntimeError("out of memory"))

    assert ModelVersion.objects.values_list("status", "error", "metrics").get() == (
        "failed", "RuntimeError('out of memory')", {"rows": 20})


def test_it_puts_a_versions_files_under_its_kind_and_algorithm() -> None:
    version = _version(kind="all", algorithm="lora")

    assert artifact_dir(version=version) == conf.models_dir() / "all" / f"lora-{version.pk}"


def test_it_prunes_all_but_the_newest_kept_ready_and_failed_versions_with_their_files(settings: Any) -> None:
    settings.MODEL_VERSIONS_KEPT = 1
    oldest, older = _version(), _version()
    files = _with_files(oldest)
    _version(status="failed")  # the older failure goes too
    failure = _version(status="failed")
    kept = {older, failure, _version(active=True), _version(status="training"), _version(algorithm="sasrec"),
            _version(algorithm="sasrec")}

    pruned = versions_prune(kind="home")

    assert (pruned, set(ModelVersion.objects.all())) == (2, kept)
    assert not files.exists()


def test_it_fails_trainings_abandoned_for_more_than_seven_hours() -> None:
    abandoned, recent = _version(status="training"), _version(status="training")
    other_algorithm = _version(algorithm="sasrec", status="training")
    ModelVersion.objects.filter(pk__in=[abandoned.pk, other_algorithm.pk]).update(
        created_at=timezone.now() - timedelta(hours=8))

    failed = versions_abandoned_fail(kind="home", algorithm="autoencoder")

    assert failed == 1
    assert dict(ModelVersion.objects.values_list("pk", "status")) == {
        abandoned.pk: "failed", recent.pk: "training", other_algorithm.pk: "training"}
    assert ModelVersion.objects.get(pk=abandoned.pk).error == "Abandoned: its worker stopped before training finished."
