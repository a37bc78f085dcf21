"""/api/interactions/: recording signals of visitors and users, refusing bad ones, throttling."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Interaction, Status
from tests.factories import CarFactory, HomeFactory
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db
INTERACTIONS = "/api/interactions/"


def test_it_records_an_anonymous_visitors_signals_under_one_session(api_client: APIClient) -> None:
    home = HomeFactory()

    first = api_client.post(INTERACTIONS, {"listing": home.pk, "event": "view"}, format="json")
    second = api_client.post(
        INTERACTIONS, {"listing": home.pk, "event": "share", "context": {"via": "email"}}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    session_key = api_client.cookies["sessionid"].value
    assert list(Interaction.objects.order_by("id").values_list("user_id", "session_key", "event", "context")) == [
        (None, session_key, "view", {}), (None, session_key, "share", {"via": "email"})
    ]
    assert second.json() == {
        "id": second.json()["id"], "listing": home.pk, "event": "share", "context": {"via": "email"},
        "created_at": second.json()["created_at"],
    }


def test_it_records_a_signed_in_users_signal(api_client: APIClient, buyer: User) -> None:
    car = CarFactory()
    api_client.force_authenticate(buyer)

    response = api_client.post(INTERACTIONS, {"listing": car.pk, "event": "search_click"}, format="json")

    assert response.status_code == 201
    assert list(Interaction.objects.values_list("user_id", "session_key", "listing_id", "event")) == [
        (buyer.pk, "", car.pk, "search_click")
    ]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"event": "stare"}, ["event"]),
        ({"event": "favorite"}, ["event"]),  # recorded by the favorites endpoint, not reported
        ({"event": "view", "listing": 999_999}, ["listing"]),
        ({"event": "view", "listing": "ten"}, ["listing"]),
        ({"event": "view", "context": ["not", "an", "object"]}, ["context"]),
        ({"event": "view", "context": {"note": "nul\x00"}}, ["context"]),
        ({"event": "view", "context": {"note": "x" * 3000}}, ["context"]),
    ],
)
def test_it_refuses_bad_signals(api_client: APIClient, payload: dict[str, Any], fields: list[str]) -> None:
    home = HomeFactory()

    response = api_client.post(INTERACTIONS, {"listing": home.pk, **payload}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Interaction.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ('{"listing": LISTING, "event": "view", "context": {"n": 1e400}}', ["context"]),
        ('{"listing": LISTING, "event": "view", "context": {"text": "\\ud800"}}', ["context"]),
        ('{"listing": 1e400, "event": "view"}', ["listing"]),
        ('{"listing": true, "event": "view"}', ["listing"]),
        ('{"listing": 1.0, "event": "view"}', ["listing"]),
        ("null", ["non_field_errors"]),
    ],
)
def test_it_refuses_junk_json_signals(api_client: APIClient, body: str, fields: list[str]) -> None:
    home = HomeFactory()

    response = api_client.post(
        INTERACTIONS, body.replace("LISTING", str(home.pk)), content_type="application/json"
    )

    assert response.status_code == 400
    assert sorted(response.json()) == fields
    assert Interaction.objects.count() == 0


def test_it_refuses_signals_about_a_hidden_listing(api_client: APIClient) -> None:
    draft = HomeFactory(status=Status.DRAFT, published_at=None)

    response = api_client.post(INTERACTIONS, {"listing": draft.pk, "event": "view"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["listing"]


def test_it_throttles_signals(api_client: APIClient, settings: Any) -> None:
    throttle_rates(settings, interactions="3/min")
    home = HomeFactory()

    codes = [
        api_client.post(INTERACTIONS, {"listing": home.pk, "event": "impression"}, format="json").status_code
        for _ in range(4)
    ]

    assert codes == [201, 201, 201, 429]
    assert Interaction.objects.count() == 3
