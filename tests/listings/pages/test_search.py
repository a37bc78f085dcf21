"""The search page: filters, sorting, pagination and links to the results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from listings.models import Listing
from tests.factories import CarFactory, HomeFactory
from tests.listings.conftest import png_bytes
from tests.listings.pages.conftest import titles

pytestmark = pytest.mark.django_db


def test_it_lists_active_listings_newest_first(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("listing_search"))

    assert response.status_code == 200
    assert titles(response) == [
        "2020 Toyota Corolla", "2016 Ford Transit Connect", "Apartment for rent", "Ocean view house",
        "Cozy house in Ponce",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "home"}, ["Apartment for rent", "Ocean view house", "Cozy house in Ponce"]),
        ({"kind": "car", "offer": "sale"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"offer": "rent"}, ["Apartment for rent"]),
        ({"price_min": "15000", "price_max": "20000"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"beds_min": "3"}, ["Apartment for rent", "Ocean view house"]),
        ({"baths_min": "2.5"}, ["Ocean view house"]),
        ({"make": "ford"}, ["2016 Ford Transit Connect"]),
        ({"model": "corol"}, ["2020 Toyota Corolla"]),
        ({"year_min": "2018"}, ["2020 Toyota Corolla"]),
        ({"year_max": "2017"}, ["2016 Ford Transit Connect"]),
        ({"city": "san juan"}, ["Apartment for rent", "Ocean view house"]),
        ({"state": "Puerto Rico"}, ["Apartment for rent", "Ocean view house", "Cozy house in Ponce"]),
        ({"state": "or"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"zip_code": "97501"}, ["2016 Ford Transit Connect"]),
        ({"q": "ocean"}, ["Apartment for rent", "Ocean view house"]),
        ({"kind": "home", "city": "Ponce", "beds_min": "3"}, []),
    ],
)
def test_it_filters_search_results(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], expected: list[str]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort": "price_asc"}, [
            "Apartment for rent", "2016 Ford Transit Connect", "2020 Toyota Corolla", "Cozy house in Ponce",
            "Ocean view house",
        ]),
        ({"sort": "price_desc"}, [
            "Ocean view house", "Cozy house in Ponce", "2020 Toyota Corolla", "2016 Ford Transit Connect",
            "Apartment for rent",
        ]),
        ({"sort": "relevance", "q": "ocean"}, ["Ocean view house", "Apartment for rent"]),
        ({"sort": "newest", "q": "ocean"}, ["Apartment for rent", "Ocean view house"]),
    ],
)
def test_it_sorts_search_results(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], expected: list[str]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"price_min": "abc"}, {"price_min": ["Enter a number."]}),
        ({"beds_min": "99"}, {"beds_min": ["Ensure this value is less than or equal to 20."]}),
        ({"kind": "boat"}, {"kind": ["Select a valid choice. boat is not one of the available choices."]}),
        ({"year_min": "1800"}, {"year_min": ["Ensure this value is greater than or equal to 1900."]}),
        ({"sort": "cheapest"}, {"sort": ["Select a valid choice. cheapest is not one of the available choices."]}),
        ({"price_max": "1e999999"}, {"price_max": ["Ensure this value is less than or equal to 1e+50."]}),
        ({"q": "x" * 201}, {"q": ["Ensure this value has at most 200 characters (it has 201)."]}),
    ],
)
def test_it_shows_field_errors_for_bad_filters(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["page"] is None
    assert errors[next(iter(errors))][0] in response.content.decode()


def test_it_paginates_twenty_per_page_and_keeps_the_filters(client: Client) -> None:
    now = timezone.now()
    for index in range(25):
        HomeFactory(title=f"House {index:02d}", published_at=now - timedelta(minutes=index))
    CarFactory()

    first = client.get(reverse("listing_search"), {"kind": "home"})
    second = client.get(reverse("listing_search"), {"kind": "home", "page": "2"})

    assert titles(first) == [f"House {index:02d}" for index in range(20)]
    assert titles(second) == [f"House {index:02d}" for index in range(20, 25)]
    assert 'href="?kind=home&amp;page=2"' in first.content.decode()
    assert 'href="?kind=home&amp;page=1"' in second.content.decode()


def test_it_shows_the_last_page_for_a_page_number_past_the_end(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("listing_search"), {"page": "99"})

    assert response.context["page"].number == 1
    assert len(titles(response)) == 5


def test_it_links_results_through_the_detail_page_with_their_position(
    client: Client, catalog: dict[str, Listing]
) -> None:
    response = client.get(reverse("listing_search"), {"kind": "car"})

    content = response.content.decode()
    assert f'href="/listings/{catalog["toyota"].pk}/?from=search&amp;pos=1"' in content
    assert f'href="/listings/{catalog["ford"].pk}/?from=search&amp;pos=2"' in content


def test_it_searches_in_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:
    for index in range(25):
        home = HomeFactory(title=f"House {index}")
        if index % 2:
            home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    with django_assert_num_queries(3):  # count, page, photos
        response = client.get(reverse("listing_search"), {"kind": "home", "page": "2"})

    assert len(titles(response)) == 5


def test_it_searches_in_a_fixed_number_of_queries_when_signed_in(
    signed_in: Client, catalog: dict[str, Listing], django_assert_num_queries
) -> None:
    with django_assert_num_queries(5):  # session, user, count, page, photos
        response = signed_in.get(reverse("listing_search"), {"kind": "home"})

    assert len(titles(response)) == 3
