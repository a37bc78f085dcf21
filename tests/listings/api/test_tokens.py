"""/api/auth/token/: trading a password for a token, and limiting guesses."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import FavoriteFactory, UserFactory
from tests.listings.api.conftest import FAVORITES, _ids
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db


def test_it_trades_a_password_for_a_token_that_signs_requests_in(api_client: APIClient) -> None:
    user = UserFactory(username="tokenholder")
    favorite = FavoriteFactory(user=user)

    response = api_client.post("/api/auth/token/", {"username": "tokenholder",
                                                    "password": "correct horse battery staple"}, format="json")
    token = response.json()["token"]
    signed_in = APIClient(HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert _ids(signed_in.get(FAVORITES)) == [favorite.listing_id]
    assert user.auth_token.key == token


def test_it_refuses_a_token_for_a_wrong_password(api_client: APIClient) -> None:
    UserFactory(username="tokenholder")

    response = api_client.post("/api/auth/token/", {"username": "tokenholder", "password": "guess"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_it_limits_password_guesses_for_tokens(api_client: APIClient, settings: Any) -> None:
    throttle_rates(settings, logins="2/min")
    UserFactory(username="tokenholder")

    codes = [
        api_client.post("/api/auth/token/", {"username": "tokenholder", "password": guess}, format="json").status_code
        for guess in ("guess1", "guess2", "correct horse battery staple")
    ]

    assert codes == [400, 400, 429]
