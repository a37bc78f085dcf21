"""Saved searches: saving the current search, listing and deleting them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from listings.models import Listing, SavedSearch
from tests.factories import SavedSearchFactory, UserFactory
from tests.listings.pages.conftest import titles

pytestmark = pytest.mark.django_db


def test_it_saves_the_current_search(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    response = client.post(
        reverse("saved_search_create"), {"name": "Ponce homes", "kind": "home", "city": "Ponce", "sort": "price_asc"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/search/?city=Ponce&kind=home"
    assert list(SavedSearch.objects.values_list("user_id", "name", "filters")) == [
        (buyer.pk, "Ponce homes", {"city": "Ponce", "kind": "home"}),
    ]


def test_it_offers_to_save_a_search_with_its_filters(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    content = client.get(reverse("listing_search"), {"kind": "home", "city": "Ponce", "page": "1"}).content.decode()

    assert f'action="{reverse("saved_search_create")}"' in content
    assert '<input type="hidden" name="city" value="Ponce">' in content
    assert '<input type="hidden" name="kind" value="home">' in content
    assert '<input type="hidden" name="page"' not in content


def test_it_refuses_to_save_a_search_without_a_name_or_filters(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    nameless = client.post(reverse("saved_search_create"), {"name": "", "kind": "home"})
    filterless = client.post(reverse("saved_search_create"), {"name": "Everything"})
    invalid = client.post(reverse("saved_search_create"), {"name": "Boats", "kind": "boat"})

    assert nameless.status_code == 200
    assert nameless.context["save_form"].errors == {"name": ["This field is required."]}
    assert filterless.context["save_form"].errors == {"__all__": ["Pick at least one filter before saving a search."]}
    assert invalid.context["form"].errors == {
        "kind": ["Select a valid choice. boat is not one of the available choices."],
    }
    assert SavedSearch.objects.count() == 0


def test_it_lists_saved_searches_with_links_that_run_them(
    client: Client, buyer: User, catalog: dict[str, Listing]
) -> None:
    SavedSearchFactory(user=buyer, name="Homes in Ponce", filters={"kind": "home", "city": "Ponce"})
    SavedSearchFactory(name="Someone else's")
    client.force_login(buyer)

    page = client.get(reverse("saved_searches"))
    run = client.get("/search/?city=Ponce&kind=home")

    assert [saved.name for saved in page.context["saved_searches"]] == ["Homes in Ponce"]
    assert 'href="/search/?city=Ponce&amp;kind=home"' in page.content.decode()
    assert titles(run) == ["Cozy house in Ponce"]


def test_it_deletes_a_saved_search(client: Client, buyer: User) -> None:
    saved = SavedSearchFactory(user=buyer)
    client.force_login(buyer)

    response = client.post(reverse("saved_search_delete", args=[saved.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("saved_searches")
    assert SavedSearch.objects.count() == 0


def test_it_does_not_delete_someone_elses_saved_search(client: Client, buyer: User) -> None:
    saved = SavedSearchFactory(user=UserFactory(username="someone"))
    client.force_login(buyer)

    response = client.post(reverse("saved_search_delete", args=[saved.pk]))

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
