"""Failed log-ins per username and client address: past LOGIN_ATTEMPTS_LIMIT within LOGIN_ATTEMPTS_WINDOW, the
log-in page and the API's token endpoint answer 429, whatever the password, until the window has passed."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED_OUT = "Too many failed log-ins for this username from your address."
INVALID = ("Please enter a correct username and password. Note that both fields may be case-sensitive.")


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.LOGIN_ATTEMPTS_LIMIT = 3
    settings.LOGIN_ATTEMPTS_WINDOW = 600
    UserFactory(username="alice", password=PASSWORD)
    UserFactory(username="bob", password=PASSWORD)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A settable time.time (the local-memory cache expires keys by it too)."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def page_login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def token_login(client: APIClient, username: str, password: str) -> Any:
    return client.post(reverse("api_auth_token"), {"username": username, "password": password}, format="json")


def test_it_locks_the_page_out_after_the_limit_even_with_the_right_password(client: Client) -> None:
    failures = [page_login(client, "alice", "guess") for _ in range(3)]

    response = page_login(client, "alice", PASSWORD)

    assert [failure.status_code for failure in failures] == [200, 200, 200]
    assert failures[0].context["form"].non_field_errors() == [INVALID]
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert response.context["form"].non_field_errors() == [f"{LOCKED_OUT} Try again in 10 min."]
    assert SESSION_KEY not in client.session


def test_it_locks_the_token_endpoint_out_after_the_limit(api_client: APIClient) -> None:
    codes = [token_login(api_client, "alice", "guess").status_code for _ in range(3)]

    response = token_login(api_client, "alice", PASSWORD)

    assert codes == [400, 400, 400]
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert response.json() == {"detail": f"{LOCKED_OUT} Expected available in 600 seconds."}
    assert Token.objects.count() == 0


def test_it_counts_failures_on_the_page_and_the_api_together(client: Client, api_client: APIClient) -> None:
    page_login(client, "alice", "guess")
    token_login(api_client, "alice", "guess")
    page_login(client, "alice", "guess")

    assert token_login(api_client, "alice", PASSWORD).status_code == 429
    assert page_login(client, "alice", PASSWORD).status_code == 429


def test_it_locks_out_only_that_username_from_that_address() -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        page_login(guesser, "alice", "guess")

    assert page_login(guesser, "ALICE", PASSWORD).status_code == 429  # usernames are counted case-blind
    assert page_login(Client(REMOTE_ADDR="203.0.113.7"), "bob", PASSWORD).status_code == 302
    assert page_login(Client(REMOTE_ADDR="198.51.100.9"), "alice", PASSWORD).status_code == 302


def test_it_lets_them_try_again_after_the_window(client: Client, clock: list[float]) -> None:
    for _ in range(3):
        page_login(client, "alice", "guess")
    clock[0] += 599
    assert page_login(client, "alice", PASSWORD).status_code == 429

    clock[0] += 2

    assert page_login(client, "alice", PASSWORD).status_code == 302


def test_it_forgets_failures_older_than_the_window(client: Client, clock: list[float]) -> None:
    page_login(client, "alice", "guess")
    page_login(client, "alice", "guess")
    clock[0] += 601

    responses = [page_login(client, "alice", "guess") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]


def test_a_successful_log_in_forgets_the_failures(client: Client) -> None:
    page_login(client, "alice", "guess")
    page_login(client, "alice", "guess")
    page_login(client, "alice", PASSWORD)
    client.post(reverse("logout"))

    responses = [page_login(client, "alice", "guess") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert page_login(client, "alice", PASSWORD).status_code == 302


def test_a_post_without_a_password_neither_counts_nor_forgets(client: Client) -> None:
    page_login(client, "alice", "guess")
    page_login(client, "alice", "guess")
    for _ in range(3):
        assert page_login(client, "alice", "").status_code == 200

    assert page_login(client, "alice", "guess").status_code == 200
    assert page_login(client, "alice", PASSWORD).status_code == 429


def test_the_admin_log_in_shares_the_lockout(client: Client) -> None:
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(2):
        page_login(client, "root", "guess")
    admin_guess = client.post(reverse("admin:login"), {"username": "root", "password": "guess"})

    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})

    assert admin_guess.context["form"].non_field_errors() == [
        "Please enter the correct username and password for a staff account. Note that both fields may be "
        "case-sensitive.",
    ]
    assert response.status_code == 200  # Django's admin view: the form says why
    assert response.context["form"].non_field_errors() == [f"{LOCKED_OUT} Try again in 10 min."]
    assert SESSION_KEY not in client.session
