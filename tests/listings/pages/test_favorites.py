"""Favorites: adding and removing one, and the favorites page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from listings.models import Favorite, Interaction, Status
from tests.factories import FavoriteFactory, HomeFactory
from tests.listings.pages.conftest import titles

pytestmark = pytest.mark.django_db


def test_it_adds_and_removes_a_favorite(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)
    url = reverse("favorite_toggle", args=[home.pk])

    added = client.post(url, {"action": "add"})
    assert added.status_code == 302
    assert added["Location"] == home.get_absolute_url()
    assert list(Favorite.objects.values_list("user_id", "listing_id")) == [(buyer.pk, home.pk)]

    client.post(url, {"action": "remove"})
    assert Favorite.objects.count() == 0
    assert list(Interaction.objects.order_by("id").values_list("user_id", "event")) == [
        (buyer.pk, "favorite"), (buyer.pk, "unfavorite"),
    ]


def test_it_adds_a_favorite_once_when_posted_twice(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "add"})
    client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "add"})

    assert Favorite.objects.count() == 1
    assert list(Interaction.objects.values_list("event", flat=True)) == ["favorite"]


def test_it_swaps_the_favorite_button_for_htmx(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(
        reverse("favorite_toggle", args=[home.pk]), {"action": "add"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<form method="post"')
    assert '<input type="hidden" name="action" value="remove">' in content
    assert "♥ Saved to favorites" in content


def test_it_refuses_a_favorite_without_an_action(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "toggle"})

    assert response.status_code == 400
    assert Favorite.objects.count() == 0


def test_it_does_not_favorite_someone_elses_draft(client: Client, buyer: User) -> None:
    draft = HomeFactory(status=Status.DRAFT)
    client.force_login(buyer)

    assert client.post(reverse("favorite_toggle", args=[draft.pk]), {"action": "add"}).status_code == 404
    assert Favorite.objects.count() == 0


def test_it_lists_favorites_newest_first(client: Client, buyer: User) -> None:
    older, newer = HomeFactory(title="Older"), HomeFactory(title="Newer")
    FavoriteFactory(user=buyer, listing=older)
    FavoriteFactory(user=buyer, listing=newer)
    FavoriteFactory(listing=HomeFactory(title="Someone else's"))
    client.force_login(buyer)

    response = client.get(reverse("favorites"))

    assert titles(response) == ["Newer", "Older"]


def test_it_paginates_favorites(client: Client, buyer: User) -> None:
    for index in range(21):
        FavoriteFactory(user=buyer, listing=HomeFactory(title=f"House {index:02d}"))
    client.force_login(buyer)

    first = client.get(reverse("favorites"))
    second = client.get(reverse("favorites"), {"page": "2"})

    assert titles(first) == [f"House {index:02d}" for index in range(20, 0, -1)]
    assert titles(second) == ["House 00"]
    assert 'href="?page=2"' in first.content.decode()
