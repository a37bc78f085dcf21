"""Writes of model versions: activation, rollback, pruning, and failing abandoned trainings."""

from __future__ import annotations

import shutil
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from registry import conf
from registry.models import Algorithm, ModelVersion, VersionStatus

# A version still training this long after it was created lost its worker (killed, or past the tasks'
# 6-hour training limit without a chance to clean up).
ABANDONED_AFTER = timedelta(hours=7)


def versions_abandoned_fail(*, kind: str, algorithm: str) -> int:
    """Mark versions of ``kind`` and ``algorithm`` whose training was abandoned as failed; their
    embeddings (if any) then go with the next prune. Returns how many."""
    return ModelVersion.objects.filter(
        kind=kind, algorithm=algorithm, status=VersionStatus.TRAINING, created_at__lt=timezone.now() - ABANDONED_AFTER,
    ).update(status=VersionStatus.FAILED, error="Abandoned: its worker stopped before training finished.")


def version_fail(*, version: ModelVersion, error: BaseException) -> None:
    """Mark ``version``'s training failed with ``error``. Only those two columns are written: whatever else
    the failed training left unsaved on the instance stays unsaved."""
    ModelVersion.objects.filter(pk=version.pk).update(status=VersionStatus.FAILED, error=repr(error))


@transaction.atomic
def version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make ``version`` the one readers use, in one transaction: no reader sees two or none."""
    if version.status != VersionStatus.READY:
        raise ValueError(f"Version {version.pk} is {version.status}; only a ready version can be activated.")
    ModelVersion.objects.select_for_update().filter(kind=version.kind, algorithm=version.algorithm).exclude(
        pk=version.pk
    ).update(active=False)
    version.active = True
    version.activated_at = timezone.now()
    version.save(update_fields=["active", "activated_at"])
    return version


def version_rollback(*, version: ModelVersion) -> ModelVersion:
    """Re-activate an older ready version; its embeddings and neighbour lists were kept for this."""
    return version_activate(version=version)


def versions_prune(*, kind: str, algorithm: str = Algorithm.AUTOENCODER) -> int:
    """Keep the newest ``MODEL_VERSIONS_KEPT`` inactive ready versions (for rollback) and as many failed
    ones (for their errors); delete older ones, rows (cascade) and files. Training versions are left alone."""
    inactive = ModelVersion.objects.filter(kind=kind, algorithm=algorithm, active=False).order_by("-created_at", "-pk")
    doomed = [
        version
        for status in (VersionStatus.READY, VersionStatus.FAILED)
        for version in inactive.filter(status=status)[conf.versions_kept():]
    ]
    for version in doomed:
        if version.artifact_path:
            shutil.rmtree(conf.models_dir() / version.artifact_path, ignore_errors=True)
        version.delete()
    return len(doomed)
