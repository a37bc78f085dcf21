"""Signing up, logging in and logging out."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def signup_data(**changes: str) -> dict[str, str]:
    return {
        "username": "newbie", "email": "newbie@example.com", "password1": "a-long enough passphrase",
        "password2": "a-long enough passphrase", **changes,
    }


def test_it_signs_up_and_logs_in(client: Client) -> None:
    response = client.post(reverse("signup"), signup_data())

    user = User.objects.get(username="newbie")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert user.email == "newbie@example.com"
    assert user.check_password("a-long enough passphrase")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_it_follows_next_after_signing_up(client: Client) -> None:
    response = client.post(f"{reverse('signup')}?next=/dashboard/", {**signup_data(), "next": "/dashboard/"})

    assert response["Location"] == "/dashboard/"


def test_it_does_not_follow_next_to_another_site(client: Client) -> None:
    response = client.post(reverse("signup"), {**signup_data(), "next": "https://evil.example.com/"})

    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"password2": "something else"}, {"password2": ["The two password fields didn’t match."]}),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        ({"email": ""}, {"email": ["This field is required."]}),
        ({"email": "Taken@Example.com"}, {"email": ["An account with this email already exists; log in instead."]}),
        ({"username": "taken"}, {"username": ["A user with that username already exists."]}),
    ],
)
def test_it_shows_signup_errors(client: Client, changes: dict[str, str], errors: dict[str, list[str]]) -> None:
    UserFactory(username="taken", email="taken@example.com")

    response = client.post(reverse("signup"), signup_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not User.objects.filter(username="newbie").exists()
    assert SESSION_KEY not in client.session


def test_it_logs_in_with_the_right_password(client: Client) -> None:
    user = UserFactory(username="alice", password=PASSWORD)

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_it_returns_to_next_after_logging_in(client: Client) -> None:
    UserFactory(username="alice", password=PASSWORD)

    login_page = client.get(reverse("login"), {"next": "/favorites/"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "next": "/favorites/"})

    assert '<input type="hidden" name="next" value="/favorites/">' in login_page.content.decode()
    assert response["Location"] == "/favorites/"


def test_it_refuses_a_wrong_password(client: Client) -> None:
    UserFactory(username="alice", password=PASSWORD)

    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct username and password. Note that both fields may be case-sensitive.",
    ]
    assert SESSION_KEY not in client.session


def test_it_logs_out_with_a_post(client: Client) -> None:
    client.force_login(UserFactory(username="alice"))

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session


def test_it_shows_log_out_as_a_form_and_log_in_links(client: Client) -> None:
    anonymous = client.get(reverse("home")).content.decode()
    client.force_login(UserFactory(username="alice"))
    signed_in = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("login")}"' in anonymous
    assert f'href="{reverse("signup")}"' in anonymous
    assert f'<form method="post" action="{reverse("logout")}"' in signed_in
    assert '<span class="username">alice</span>' in signed_in


def test_it_limits_sign_up_attempts_per_address(client: Client, settings: Any) -> None:
    throttle_rates(settings, signups="2/hour")
    first = client.post(reverse("signup"), signup_data(username="one", password2="mismatch"))
    second = client.post(reverse("signup"), signup_data(username="two"))
    client.logout()

    third = client.post(reverse("signup"), signup_data(username="three"))

    assert (first.status_code, second.status_code, third.status_code) == (200, 302, 429)
    assert "Too many sign-ups from your address; try again in 60 min." in third.content.decode()
    assert sorted(User.objects.values_list("username", flat=True)) == ["two"]
