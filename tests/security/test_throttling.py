"""The pages spend the API's budgets: contacting a seller (``inquiries``) and opening listings, which logs a
view (``interactions``). One counter per scope and person (the user, else the client address)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from listings.models import Event, Inquiry, Interaction, Listing
from tests.factories import HomeFactory
from tests.throttles import throttle_rates

pytestmark = pytest.mark.django_db

INQUIRY = {"message": "Is it still available?", "reply_to": "buyer@example.com"}


@pytest.fixture
def home(seller: User) -> Listing:
    return HomeFactory(seller=seller)


def test_it_limits_messages_from_the_contact_form(client: Client, buyer: User, home: Listing, settings: Any) -> None:
    throttle_rates(settings, inquiries="2/hour")
    client.force_login(buyer)

    responses = [client.post(reverse("listing_contact", args=[home.pk]), INQUIRY) for _ in range(3)]

    assert [response.status_code for response in responses] == [302, 302, 429]
    assert responses[2].context["inquiry_form"].non_field_errors() == [
        "You have sent too many messages; try again in 60 min.",
    ]
    assert Inquiry.objects.count() == 2


def test_it_shares_the_message_budget_between_the_api_and_the_page(
    client: Client, api_client: APIClient, buyer: User, home: Listing, settings: Any,
) -> None:
    throttle_rates(settings, inquiries="2/hour")
    client.force_login(buyer)
    api_client.force_authenticate(buyer)

    api = api_client.post(reverse("api_listing_inquiries", args=[home.pk]), INQUIRY, format="json")
    page = [client.post(reverse("listing_contact", args=[home.pk]), INQUIRY) for _ in range(2)]
    api_again = api_client.post(reverse("api_listing_inquiries", args=[home.pk]), INQUIRY, format="json")

    assert [api.status_code, *(response.status_code for response in page), api_again.status_code] == [
        201, 302, 429, 429,
    ]
    assert Inquiry.objects.count() == 2


def test_it_counts_messages_per_person(client: Client, buyer: User, other_seller: User, home: Listing,
                                       settings: Any) -> None:
    throttle_rates(settings, inquiries="1/hour")
    client.force_login(buyer)
    client.post(reverse("listing_contact", args=[home.pk]), INQUIRY)
    client.force_login(other_seller)

    response = client.post(reverse("listing_contact", args=[home.pk]), INQUIRY)

    assert response.status_code == 302
    assert sorted(Inquiry.objects.values_list("sender__username", flat=True)) == ["buyer", "other_seller"]


def test_it_stops_logging_views_past_the_budget_but_still_shows_the_page(
    client: Client, buyer: User, home: Listing, settings: Any,
) -> None:
    throttle_rates(settings, interactions="2/min")
    client.force_login(buyer)

    codes = [client.get(home.get_absolute_url()).status_code for _ in range(3)]

    assert codes == [200, 200, 200]
    assert Interaction.objects.filter(user=buyer, event=Event.VIEW).count() == 2


def test_it_shares_the_signal_budget_between_the_api_and_the_page(
    client: Client, api_client: APIClient, buyer: User, home: Listing, settings: Any,
) -> None:
    throttle_rates(settings, interactions="2/min")
    client.force_login(buyer)
    api_client.force_authenticate(buyer)

    api = api_client.post(reverse("api_interactions"), {"listing": home.pk, "event": "share"}, format="json")
    client.get(home.get_absolute_url())
    client.get(home.get_absolute_url())
    api_again = api_client.post(reverse("api_interactions"), {"listing": home.pk, "event": "share"}, format="json")

    assert (api.status_code, api_again.status_code) == (201, 429)
    assert sorted(Interaction.objects.filter(user=buyer).values_list("event", flat=True)) == ["share", "view"]


def test_it_counts_anonymous_views_per_client_address(home: Listing, settings: Any) -> None:
    throttle_rates(settings, interactions="1/min")
    # New sessions from one address: clearing cookies does not reset the count.
    for _ in range(2):
        Client(REMOTE_ADDR="203.0.113.7").get(home.get_absolute_url())
    Client(REMOTE_ADDR="198.51.100.9").get(home.get_absolute_url())

    assert Interaction.objects.filter(event=Event.VIEW).count() == 2
    assert Interaction.objects.filter(user__isnull=True).values("session_key").distinct().count() == 2


def test_it_limits_favorite_changes_on_the_page_and_the_api_together(
    client: Client, api_client: APIClient, buyer: User, home: Listing, settings: Any,
) -> None:
    throttle_rates(settings, interactions="3/min")
    client.force_login(buyer)
    api_client.force_authenticate(buyer)
    toggle = reverse("favorite_toggle", args=[home.pk])

    codes = [
        client.post(toggle, {"action": "add"}).status_code,
        api_client.delete(reverse("api_favorite_detail", args=[home.pk])).status_code,
        api_client.post(reverse("api_favorites"), {"listing": home.pk}, format="json").status_code,
        api_client.get(reverse("api_favorites")).status_code,  # reading spends nothing
    ]
    refused = client.post(toggle, {"action": "remove"}, headers={"HX-Request": "true"})
    refused_form = client.post(toggle, {"action": "remove"}, follow=True)
    api_refused = api_client.delete(reverse("api_favorite_detail", args=[home.pk]))

    assert codes == [302, 204, 201, 200]
    assert (refused.status_code, refused["Content-Type"], refused.content) == (
        429, "text/plain", b"Too many changes; try again in 1 min.",
    )
    assert (refused_form.redirect_chain, refused_form.status_code) == ([(home.get_absolute_url(), 302)], 200)
    assert '<li class="message message-error">Too many changes; try again in 1 min.</li>' in refused_form.text
    assert api_refused.status_code == 429
    assert list(Interaction.objects.filter(user=buyer).order_by("pk").values_list("event", flat=True)) == [
        "favorite", "unfavorite", "favorite",
    ]
