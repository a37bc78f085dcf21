"""Moving ModelVersion from recommendations/ to registry/ keeps every row, foreign key and permission.

The test migrates its database back to before the move, writes versions and the rows that point at them
through the historical models, migrates forward (and back, and forward again), and reads them. It runs
outside a transaction (migrations need one of their own) and leaves the database at the latest migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recommendations.models import InterestProfile, ItemEmbedding, NeighbourList, NeighbourRefresh
from registry.models import ModelVersion
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("recommendations", "0008_describer_versions"), ("registry", None)]
STARTED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
VERSION_COLUMNS = ("id", "kind", "algorithm", "status", "params", "metrics", "artifact_path", "error", "active",
                   "created_at", "activated_at")


def _migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


def _latest() -> list[tuple[str, str | None]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move() -> Iterator[Apps]:
    latest = _latest()
    try:
        yield _migrate(BEFORE_THE_MOVE)
    finally:
        _migrate(latest)


def _versions_write(old: Apps) -> dict[str, Any]:
    """Versions, the rows of every model that points at one, and an admin log entry, as written before the move."""
    versions = old.get_model("recommendations", "ModelVersion")
    active = versions.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True,
                                     params={"epochs": 40}, metrics={"val_mse": 0.0123, "rows": 25},
                                     artifact_path="home/autoencoder-1", activated_at=STARTED)
    older = versions.objects.create(kind="home", algorithm="autoencoder", status="ready", metrics={"rows": 20})
    versions.objects.create(kind="all", algorithm="lora", status="failed", error="RuntimeError('boom')")
    listing, other = HomeFactory(), HomeFactory()
    user = UserFactory(username="profiled")
    old.get_model("recommendations", "ItemEmbedding").objects.create(
        listing_id=listing.pk, version_id=active.pk, vector=[0.5] * 10, embedded_at=STARTED)
    old.get_model("recommendations", "NeighbourList").objects.create(
        version_id=active.pk, source_id=listing.pk, target_ids=[other.pk], scores=[0.9], refreshed_at=STARTED)
    old.get_model("recommendations", "NeighbourRefresh").objects.create(
        kind="home", version_id=older.pk, started_at=STARTED)
    old.get_model("recommendations", "InterestProfile").objects.create(
        user_id=user.pk, kind="home", version_id=active.pk, computed_at=STARTED)
    content_type = ContentType.objects.get(app_label="recommendations", model="modelversion")
    LogEntry.objects.create(user=user, content_type_id=content_type.pk, object_id=str(active.pk),
                            object_repr="version", action_flag=CHANGE)
    return {"rows": list(versions.objects.order_by("pk").values_list(*VERSION_COLUMNS)), "active": active.pk, "older": older.pk, "content_type": content_type.pk, "listing": listing.pk}


def test_it_moves_versions_and_the_rows_pointing_at_them_to_the_registry(before_the_move: Apps) -> None:
    written = _versions_write(before_the_move)

    _migrate(_latest())

    content_type = ContentType.objects.get_for_model(ModelVersion)
    assert list(ModelVersion.objects.order_by("pk").values_list(*VERSION_COLUMNS)) == written["rows"]
    assert ItemEmbedding.objects.values_list("version_id", "listing_id").get() == (written["active"],
                                                                                  written["listing"])
    assert NeighbourList.objects.get().version == ModelVersion.objects.get(pk=written["active"])
    assert NeighbourRefresh.objects.get().version_id == written["older"]
    assert InterestProfile.objects.get().version_id == written["active"]
    assert (content_type.pk, content_type.app_label) == (written["content_type"], "registry")
    assert set(Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)) == {
        "add_modelversion", "change_modelversion", "delete_modelversion", "view_modelversion"}
    assert LogEntry.objects.get().get_edited_object() == ModelVersion.objects.get(pk=written["active"])


def test_it_moves_them_back_when_the_migration_is_reversed(before_the_move: Apps) -> None:
    written = _versions_write(before_the_move)
    _migrate(_latest())

    old = _migrate(BEFORE_THE_MOVE)

    versions = old.get_model("recommendations", "ModelVersion")
    assert list(versions.objects.order_by("pk").values_list(*VERSION_COLUMNS)) == written["rows"]
    assert old.get_model("recommendations", "ItemEmbedding").objects.get().version.pk == written["active"]
    assert ContentType.objects.get(pk=written["content_type"]).app_label == "recommendations"
