"""The "Your preferences" page, "not interested", and resetting one's history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from listings.models import Event, Interaction, Offer
from recommendations.models import Dismissal, FeedPreference, InterestProfile
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = "/preferences/"


def _form(**overrides: str) -> dict[str, str]:
    data = {"home-enabled": "on", "home-intent": "", "home-budget_sale": "", "home-budget_rent": "",
            "car-enabled": "on", "car-intent": "", "car-budget_sale": "", "car-budget_rent": ""}
    return {**data, **overrides}


def test_it_describes_the_profile_in_words(client: Client, buyer: User) -> None:
    oak = HomeFactory(title="12 Oak St", price=Decimal(250_000))
    loft = HomeFactory(title="Loft downtown", offer=Offer.RENT, price=Decimal(1_800))
    Interaction.objects.create(user=buyer, listing=oak, event=Event.FAVORITE)
    Interaction.objects.create(user=buyer, listing=loft, event=Event.VIEW)
    client.force_login(buyer)

    content = client.get(PREFERENCES).content.decode()

    assert "You look mostly at homes for sale (67% of your recent interest)." in content
    assert "The homes for sale you view centre on ~$250k." in content
    assert "The homes for rent you view centre on ~$1.8k/mo." in content
    assert "Lately you were most interested in 12 Oak St; Loft downtown." in content
    assert "We don&#x27;t know which cars you like yet" in content


def test_it_saves_preferences_that_win_over_inferred_ones(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    response = client.post(PREFERENCES, _form(**{"home-intent": "renter", "home-budget_rent": "2500",
                                                 "car-enabled": ""}))

    assert response.status_code == 302
    assert sorted(FeedPreference.objects.filter(user=buyer).values_list(
        "kind", "enabled", "intent", "budget_sale", "budget_rent")) == [
        ("car", False, "", None, None), ("home", True, "renter", None, Decimal("2500.00")),
    ]
    assert "You told us you are renting: that wins over what we infer." in client.get(PREFERENCES).content.decode()


def test_it_rejects_bad_preferences_and_keeps_the_old_ones(client: Client, buyer: User) -> None:
    FeedPreference.objects.create(user=buyer, kind="home", budget_sale=Decimal(300_000))
    client.force_login(buyer)

    response = client.post(PREFERENCES, _form(**{"home-budget_sale": "-5", "car-intent": "tourist"}))

    assert response.status_code == 400
    assert response.context["sections"][0]["form"].errors == {
        "budget_sale": ["Ensure this value is greater than or equal to 1."]
    }
    assert "Select a valid choice. tourist is not one of the available choices." in response.content.decode()
    assert FeedPreference.objects.get(user=buyer).budget_sale == Decimal(300_000)


def test_it_hides_a_listing_and_undoes_it(client: Client, buyer: User) -> None:
    home = HomeFactory(title="Not for me")
    client.force_login(buyer)

    response = client.post(f"/listings/{home.pk}/not-interested/", HTTP_HX_REQUEST="true")

    assert "Hidden: “Not for me” won't show in your feed again." in response.content.decode()
    assert list(Dismissal.objects.values_list("user_id", "listing_id")) == [(buyer.pk, home.pk)]
    assert "Not for me" in client.get(PREFERENCES).content.decode()

    client.post(f"/listings/{home.pk}/not-interested/undo/", {"next": PREFERENCES})
    assert not Dismissal.objects.exists()


def test_it_resets_the_history_but_keeps_settings_and_dismissals(client: Client, buyer: User) -> None:
    home = HomeFactory()
    other = UserFactory()
    Interaction.objects.create(user=buyer, listing=home, event=Event.VIEW)
    Interaction.objects.create(user=other, listing=home, event=Event.VIEW)
    FeedPreference.objects.create(user=buyer, kind="home", intent="buyer")
    Dismissal.objects.create(user=buyer, listing=HomeFactory())
    client.force_login(buyer)
    client.get(PREFERENCES)

    response = client.post("/preferences/reset/")

    assert response.status_code == 302
    assert list(Interaction.objects.values_list("user_id", flat=True)) == [other.pk]
    assert not InterestProfile.objects.filter(user=buyer).exists()
    assert (FeedPreference.objects.filter(user=buyer).count(), Dismissal.objects.filter(user=buyer).count()) == (1, 1)


@pytest.mark.parametrize("url", [PREFERENCES, "/preferences/reset/", "/listings/1/not-interested/",
                                 "/listings/1/not-interested/undo/"])
def test_it_sends_anonymous_visitors_to_log_in(client: Client, url: str) -> None:
    response = client.post(url) if url != PREFERENCES else client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_it_refuses_state_changes_by_get(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    assert client.get("/preferences/reset/").status_code == 405
