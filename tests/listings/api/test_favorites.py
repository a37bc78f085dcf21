"""/api/favorites/: adding, listing and removing favorites, privately."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Favorite, Interaction, ListingPhoto, Status
from tests.factories import CarFactory, FavoriteFactory, HomeFactory
from tests.listings.api.conftest import FAVORITES, _ids, _png

pytestmark = pytest.mark.django_db


def test_it_adds_lists_and_removes_favorites(api_client: APIClient, buyer: User) -> None:
    home, car = HomeFactory(), CarFactory()
    api_client.force_authenticate(buyer)

    added = api_client.post(FAVORITES, {"listing": home.pk}, format="json")
    again = api_client.post(FAVORITES, {"listing": home.pk}, format="json")
    api_client.post(FAVORITES, {"listing": car.pk}, format="json")
    listed = api_client.get(FAVORITES)
    removed = api_client.delete(f"{FAVORITES}{home.pk}/")

    assert (added.status_code, added.json()["listing"]) == (201, home.pk)
    assert (again.status_code, again.json()["listing"]) == (200, home.pk)
    assert _ids(listed) == [car.pk, home.pk]
    assert removed.status_code == 204
    assert _ids(api_client.get(FAVORITES)) == [car.pk]
    assert list(Interaction.objects.filter(listing=home).order_by("id").values_list("event", flat=True)) == [
        "favorite", "unfavorite"
    ]


def test_it_refuses_to_favorite_a_listing_the_user_cannot_see(api_client: APIClient, buyer: User) -> None:
    draft = HomeFactory(status=Status.DRAFT, published_at=None)
    api_client.force_authenticate(buyer)

    hidden = api_client.post(FAVORITES, {"listing": draft.pk}, format="json")
    missing = api_client.post(FAVORITES, {"listing": 10**30}, format="json")
    junk = api_client.post(FAVORITES, {"listing": "first"}, format="json")

    assert [response.status_code for response in (hidden, missing, junk)] == [400, 400, 400]
    assert [list(response.json()) for response in (hidden, missing, junk)] == [["listing"]] * 3
    assert Favorite.objects.count() == 0


def test_it_lists_favorites_in_three_queries(
    api_client: APIClient, buyer: User, django_assert_num_queries: Any
) -> None:
    for listing in HomeFactory.create_batch(5):
        FavoriteFactory(user=buyer, listing=listing)
        ListingPhoto.objects.create(listing=listing, image=_png(), position=1)
    api_client.force_authenticate(buyer)

    with django_assert_num_queries(3):  # count, page with sellers, photos
        response = api_client.get(FAVORITES)

    assert response.json()["count"] == 5


def test_it_keeps_favorites_private(api_client: APIClient) -> None:
    assert api_client.get(FAVORITES).status_code == 403
    assert api_client.post(FAVORITES, {"listing": HomeFactory().pk}, format="json").status_code == 403


def test_it_answers_404_when_unfavoriting_no_listing(api_client: APIClient, buyer: User) -> None:
    api_client.force_authenticate(buyer)

    assert api_client.delete(f"{FAVORITES}999999/").status_code == 404
