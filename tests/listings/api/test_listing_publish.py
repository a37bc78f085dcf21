"""/api/listings/{id}/publish/ and /withdraw/: the owner's, and nobody else's."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Listing, Status
from tests.factories import HomeFactory
from tests.listings.api.conftest import _detail

pytestmark = pytest.mark.django_db


def test_it_publishes_and_withdraws_for_the_owner(api_client: APIClient, seller: User) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)
    api_client.force_authenticate(seller)

    published = api_client.post(f"{_detail(draft)}publish/")
    withdrawn = api_client.post(f"{_detail(draft)}withdraw/")

    assert (published.status_code, published.json()["status"]) == (200, "active")
    assert published.json()["published_at"] is not None
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert APIClient().get(_detail(draft)).status_code == 404


@pytest.mark.parametrize("action", ["publish", "withdraw"])
def test_it_forbids_publishing_or_withdrawing_another_sellers_listing(
    api_client: APIClient, other_seller: User, action: str
) -> None:
    home = HomeFactory(status=Status.PENDING)
    api_client.force_authenticate(other_seller)

    response = api_client.post(f"{_detail(home)}{action}/")

    assert response.status_code == 403
    assert Listing.objects.values_list("status", flat=True).get() == Status.PENDING
