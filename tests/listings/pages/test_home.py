"""The home page: the newest homes and cars."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from listings.models import Listing

pytestmark = pytest.mark.django_db


def test_it_shows_the_newest_homes_and_cars(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [listing.title for listing in response.context["newest_homes"]] == [
        "Apartment for rent", "Ocean view house", "Cozy house in Ponce",
    ]
    assert [listing.title for listing in response.context["newest_cars"]] == [
        "2020 Toyota Corolla", "2016 Ford Transit Connect",
    ]
    assert f'href="{reverse("api_docs")}"' in response.content.decode()


def test_it_shows_the_home_page_in_a_fixed_number_of_queries(
    client: Client, catalog: dict[str, Listing], django_assert_num_queries
) -> None:
    with django_assert_num_queries(4):  # homes and their photos, cars and their photos
        client.get(reverse("home"))
