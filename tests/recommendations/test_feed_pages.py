"""The feed at /api/feed/ and on the home page, and an anonymous visitor's history carried into an account."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from listings.models import Event, Interaction, Listing
from recommendations.actors import Actor
from recommendations.models import InterestProfile, ProfileRefreshMark
from recommendations.services import feed
from registry.models import ModelVersion
from tests.factories import UserFactory
from tests.recommendations.conftest import _ids, _view

pytestmark = pytest.mark.django_db

FEED_URL = "/api/feed/"


def test_it_personalizes_an_anonymous_session_from_its_first_view(homes: dict[str, Listing]) -> None:
    client = APIClient()
    client.get(homes["viewed"].get_absolute_url())

    body = client.get(FEED_URL, {"kind": "home", "limit": 1}).json()

    assert body["profile"]["personalized"] is True
    assert [item["listing"]["id"] for item in body["results"]] == [homes["near"].pk]


def test_it_gives_the_anonymous_history_to_the_account_signed_up(client: Client, homes: dict[str, Listing]) -> None:
    client.get(homes["viewed"].get_absolute_url())

    client.post("/accounts/signup/", {"username": "newbie", "email": "newbie@example.com",
                                      "password1": "a long enough secret 42", "password2": "a long enough secret 42"})

    newbie = User.objects.get(username="newbie")
    assert list(Interaction.objects.filter(listing=homes["viewed"]).values_list("user_id", "session_key")) == [
        (newbie.pk, "")
    ]
    result = feed.feed_build(actor=Actor(user_id=newbie.pk), kind="home", limit=1)
    assert _ids(result) == [homes["near"].pk]


def test_it_gives_the_anonymous_history_to_the_account_logged_in(client: Client, homes: dict[str, Listing]) -> None:
    UserFactory(username="returning")
    client.get(homes["viewed"].get_absolute_url())

    client.post("/accounts/login/", {"username": "returning", "password": "correct horse battery staple"})

    assert Interaction.objects.get(listing=homes["viewed"]).user.username == "returning"


def test_it_answers_the_feed_api_and_logs_impressions(
    api_client: APIClient, buyer: User, homes: dict[str, Listing]
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)

    body = api_client.get(FEED_URL, {"kind": "home", "limit": 2}).json()

    assert set(body) == {"profile", "results"}
    assert [(item["listing"]["title"], set(item)) for item in body["results"]] == [
        ("14 Oak St", {"listing", "score", "reason"}), ("1 Far Rd", {"listing", "score", "reason"}),
    ]
    assert list(Interaction.objects.filter(user=buyer, event=Event.IMPRESSION).order_by("id").values_list(
        "listing_id", "context")) == [
        (homes["near"].pk, {"slot": "api", "position": 1}), (homes["far"].pk, {"slot": "api", "position": 2}),
    ]
    # Impressions are not interest: they neither mark the profile stale nor hide what was shown.
    assert not ProfileRefreshMark.objects.exists()
    again = api_client.get(FEED_URL, {"kind": "home", "limit": 2}).json()
    assert [item["listing"]["id"] for item in again["results"]] == [homes["near"].pk, homes["far"].pk]


def test_it_never_answers_another_users_feed(api_client: APIClient, buyer: User, homes: dict[str, Listing]) -> None:
    _view(buyer, homes["viewed"])
    stranger = UserFactory(username="stranger")
    api_client.force_authenticate(stranger)

    body = api_client.get(FEED_URL, {"kind": "home", "user": buyer.pk, "user_id": buyer.pk}).json()

    assert body["profile"]["personalized"] is False
    assert body["profile"]["target_price"] == {"sale": None, "rent": None}
    assert InterestProfile.objects.filter(user=stranger, kind="home").values_list("listings", flat=True).get() == 0


@pytest.mark.parametrize(("params", "field"), [({"kind": "boat"}, "kind"), ({"limit": 0}, "limit"),
                                               ({"limit": 51}, "limit")])
def test_it_rejects_bad_feed_parameters(api_client: APIClient, params: dict[str, Any], field: str) -> None:
    response = api_client.get(FEED_URL, params)

    assert (response.status_code, list(response.json())) == (400, [field])


def test_it_shows_the_feed_on_the_home_page_with_reasons(client: Client, buyer: User, homes: dict[str, Listing]
                                                         ) -> None:
    _view(buyer, homes["viewed"])
    client.force_login(buyer)

    content = client.get("/").content.decode()

    assert "Recommended homes for you" in content
    assert "Because you viewed 12 Oak St · Near the ~$250k you have been viewing" in content
    assert Interaction.objects.filter(user=buyer, event=Event.IMPRESSION, context__slot="home").count() == 3


def test_it_shows_anonymous_visitors_a_feed_only_once_they_have_history(
    client: Client, homes: dict[str, Listing]
) -> None:
    assert "Recommended homes for you" not in client.get("/").content.decode()

    client.get(homes["viewed"].get_absolute_url())

    assert "Recommended homes for you" in client.get("/").content.decode()


def test_it_answers_the_feed_in_a_fixed_number_of_queries(
    api_client: APIClient, buyer: User, homes: dict[str, Listing], django_assert_num_queries: Any
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)
    api_client.get(FEED_URL)  # the profile is computed once

    # preferences, profile (+ its mark), next-item model version, savepoint, index settings, candidates,
    # release, anchors, listings with their sellers and photos, impressions (savepoint, asynchronous commit,
    # insert, release); two more (popular, new) only when candidates run short
    with django_assert_num_queries(13):
        api_client.get(FEED_URL, {"kind": "home", "limit": 3})
    with django_assert_num_queries(15):
        api_client.get(FEED_URL, {"kind": "home", "limit": 4})


def test_it_blends_the_next_item_model_in_two_more_queries(
    api_client: APIClient, buyer: User, homes: dict[str, Listing], next_item_model: ModelVersion,
    django_assert_num_queries: Any,
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)
    api_client.get(FEED_URL)

    # the person's recent sequence, and the model's candidates that qualify
    with django_assert_num_queries(15):
        api_client.get(FEED_URL, {"kind": "home", "limit": 3})
