"""An htmx action the server refuses leaves the page as it was; site.js says why beside what was clicked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from listings.models import Favorite
from tests.browser.conftest import sign_in
from tests.factories import HomeFactory
from tests.throttles import throttle_rates


def test_a_refused_favorite_says_why_beside_the_button(page: Page, buyer: User, settings: Any) -> None:
    throttle_rates(settings, interactions="1/min")
    home = HomeFactory(title="Seaside villa with pool")
    sign_in(page, username="buyer")
    page.goto(home.get_absolute_url())  # opening it spends the minute's one interaction

    page.get_by_role("button", name="♡ Save to favorites").click()

    note = page.locator(".favorite-form + .action-error")
    expect(note).to_have_text("Too many changes; try again in 1 min.")
    expect(note).to_have_attribute("role", "alert")
    expect(page.get_by_role("button", name="♡ Save to favorites")).to_be_visible()
    assert not Favorite.objects.filter(user=buyer, listing=home).exists()
