"""/api/listings/{id}/inquiries/: contacting the seller, refusing bad inquiries, throttling."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from listings.models import Inquiry, Interaction
from tests.factories import HomeFactory
from tests.listings.api.conftest import _detail
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db


def test_it_sends_an_inquiry_to_the_seller_once(
    api_client: APIClient, buyer: User, seller: User, mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    home = HomeFactory(seller=seller, title="Sunny house")
    api_client.force_authenticate(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"{_detail(home)}inquiries/", {"message": "Is it still available?", "reply_to": "b@example.com"},
            format="json",
        )

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert response.json() == {
        "id": inquiry.pk, "listing": home.pk, "message": "Is it still available?", "reply_to": "b@example.com",
        "created_at": inquiry.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert [(mail.to, mail.reply_to, mail.subject) for mail in mailoutbox] == [
        (["seller@example.com"], ["b@example.com"], "Question about Sunny house")
    ]
    assert list(Interaction.objects.values_list("user_id", "event")) == [(buyer.pk, "contact")]


def test_it_explains_that_an_imported_listing_has_no_seller_to_contact(
    api_client: APIClient, buyer: User, mailoutbox: list[Any]
) -> None:
    imported = HomeFactory(seller=None, source="realtor")
    api_client.force_authenticate(buyer)

    response = api_client.post(
        f"{_detail(imported)}inquiries/", {"message": "Hello", "reply_to": "b@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This listing was imported and has no seller on TrustAsset to contact."]
    }
    assert (Inquiry.objects.count(), len(mailoutbox)) == (0, 0)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"message": "", "reply_to": "b@example.com"}, ["message"]),
        ({"message": "x" * 4001, "reply_to": "b@example.com"}, ["message"]),
        ({"message": "Hello", "reply_to": "not an address"}, ["reply_to"]),
    ],
)
def test_it_refuses_bad_inquiries(
    api_client: APIClient, buyer: User, payload: dict[str, str], fields: list[str]
) -> None:
    api_client.force_authenticate(buyer)

    response = api_client.post(f"{_detail(HomeFactory())}inquiries/", payload, format="json")

    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_it_refuses_anonymous_inquiries(api_client: APIClient) -> None:
    response = api_client.post(
        f"{_detail(HomeFactory())}inquiries/", {"message": "Hello", "reply_to": "b@example.com"}, format="json"
    )

    assert response.status_code == 403
    assert Inquiry.objects.count() == 0


def test_it_throttles_inquiries(api_client: APIClient, buyer: User, settings: Any) -> None:
    throttle_rates(settings, inquiries="2/hour")
    home = HomeFactory()
    api_client.force_authenticate(buyer)

    codes = [
        api_client.post(f"{_detail(home)}inquiries/", {"message": f"Hello {n}", "reply_to": "b@example.com"},
                        format="json").status_code
        for n in range(3)
    ]

    assert codes == [201, 201, 429]
    assert Inquiry.objects.count() == 2
