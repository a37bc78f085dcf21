"""The model registry's admin: versions with their metrics, read-only, and rollback."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from registry.models import ModelVersion
from tests.factories import UserFactory
from tests.registry.conftest import VERSIONS, version_action, version_create

pytestmark = pytest.mark.django_db


def _active_ids() -> list[int]:
    return list(ModelVersion.objects.filter(active=True).values_list("pk", flat=True))


# Lists and pages -------------------------------------------------------------------------------

def test_it_lists_versions_with_their_key_metrics(admin_client: Client) -> None:
    version_create(active=True, metrics={"val_mse": 0.0123456, "rows": 1234567, "mean_baseline_factor": 4.5})
    version_create(kind="car", status="failed")

    response = admin_client.get(VERSIONS)

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert ('<td class="field-val_mse">0.01235</td><td class="field-rows">1,234,567</td>'
            '<td class="field-mean_baseline_factor">4.50</td>') in content
    assert '<td class="field-val_mse">—</td>' in content


def test_it_shows_a_version_read_only_with_params_metrics_and_error(admin_client: Client) -> None:
    version = version_create(status="failed", params={"epochs": 40}, metrics={"rows": 25}, error="RuntimeError('boom')")

    response = admin_client.get(reverse("admin:registry_modelversion_change", args=[version.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert '<pre>{\n  &quot;epochs&quot;: 40\n}</pre>' in content
    assert '<pre>{\n  &quot;rows&quot;: 25\n}</pre>' in content
    assert "<pre>RuntimeError(&#x27;boom&#x27;)</pre>" in content


def test_it_shows_versions_to_admin_users_only(client: Client) -> None:
    client.force_login(UserFactory(username="staff_without_permissions", is_staff=True))
    staff = client.get(VERSIONS)
    client.force_login(UserFactory(username="plain_user"))
    plain = client.get(VERSIONS)

    assert staff.status_code == 403
    assert (plain.status_code, plain.url) == (302, f"/admin/login/?next={VERSIONS}")


# Actions ---------------------------------------------------------------------------------------

def test_it_rolls_back_to_an_older_ready_version(admin_client: Client) -> None:
    older = version_create()
    current = version_create(active=True)
    car = version_create(kind="car", active=True)

    messages = version_action(admin_client, "activate", [older])

    assert messages == [f"Version {older.pk} is now the active home encoder."]
    assert sorted(_active_ids()) == sorted([older.pk, car.pk])
    current.refresh_from_db()
    assert current.active is False


@pytest.mark.parametrize(("kind", "algorithm", "role"), [
    ("car", "sasrec", "car next-item model"), ("all", "lora", "description adapter"),
])
def test_it_names_what_a_rolled_back_version_is(admin_client: Client, kind: str, algorithm: str, role: str) -> None:
    older = version_create(kind=kind, algorithm=algorithm)
    version_create(kind=kind, algorithm=algorithm, active=True)

    messages = version_action(admin_client, "activate", [older])

    assert messages == [f"Version {older.pk} is now the active {role}."]


def test_it_refuses_to_activate_a_failed_version(admin_client: Client) -> None:
    failed = version_create(status="failed")
    current = version_create(active=True)

    messages = version_action(admin_client, "activate", [failed])

    assert messages == [f"Version {failed.pk} is failed; only a ready version can be activated."]
    assert _active_ids() == [current.pk]


def test_it_activates_one_version_at_a_time(admin_client: Client) -> None:
    first, second = version_create(), version_create()

    messages = version_action(admin_client, "activate", [first, second])

    assert messages == ["Select exactly one version to activate."]
    assert _active_ids() == []


def test_it_lets_staff_with_the_permission_to_change_versions_activate_one(client: Client) -> None:
    staff = UserFactory(username="model_keeper", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="registry",
                                                          codename__in=["view_modelversion", "change_modelversion"]))
    client.force_login(staff)
    older = version_create()
    version_create(active=True)

    messages = version_action(client, "activate", [older])

    assert messages == [f"Version {older.pk} is now the active home encoder."]
    assert _active_ids() == [older.pk]
