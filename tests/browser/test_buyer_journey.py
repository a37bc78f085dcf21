"""A buyer in a real browser: signs in, searches, opens a listing, sees its similar homes, favorites it,
and the home page's feed turns from "popular and new" into recommendations around what they liked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page

from listings.models import Favorite, Listing
from recommendations.models import ItemEmbedding
from recommendations.services import neighbours
from registry.models import ModelVersion
from registry.services import version_activate
from tests.browser.conftest import sign_in
from tests.factories import HomeFactory

# Title → the head of its 10-d item embedding: two seaside homes next to the villa, three mountain homes
# away from it (the farther, the later in its similar list).
CATALOGUE = {
    "Seaside villa with pool": (1.0, 0.0),
    "Seaside cottage near the beach": (1.0, 0.1),
    "Seaside condo with ocean view": (1.0, 0.3),
    "Mountain ranch with stables": (0.3, 1.0),
    "Mountain farmhouse with orchard": (0.1, 1.0),
    "Mountain cabin in the hills": (0.0, 1.0),
}


@pytest.fixture
def catalogue(buyer: User) -> dict[str, Listing]:
    """Six homes published a minute apart (the villa newest), embedded by an active encoder version, with
    their similar lists computed by the neighbour refresh."""
    version = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready")
    version_activate(version=version)
    now = timezone.now()
    homes = {}
    for age, (title, head) in enumerate(CATALOGUE.items()):
        homes[title] = HomeFactory(title=title, published_at=now - timedelta(minutes=age))
        ItemEmbedding.objects.create(version=version, listing=homes[title], embedded_at=now,
                                     vector=[*head, *[0.0] * (10 - len(head))])
    neighbours.neighbours_refresh(kind="home")
    return homes


def _feed(page: Page) -> tuple[str, list[str], list[str]]:
    """The home page's homes shelf: its title, card titles and reasons, in page order."""
    shelf = page.locator("section.feed", has=page.locator("#feed-home"))
    return (
        shelf.locator("#feed-home").inner_text(),
        shelf.locator(".feed-item .card-title").all_inner_texts(),
        shelf.locator(".feed-reason").all_inner_texts(),
    )


def test_it_finds_a_home_shows_similar_ones_and_personalizes_the_feed_after_a_favorite(
    page: Page, buyer: User, catalogue: dict[str, Listing]
) -> None:
    sign_in(page, username="buyer")
    assert _feed(page) == ("Popular and new homes", list(CATALOGUE), ["New this week"] * len(CATALOGUE))

    page.locator("#hero-q").fill("seaside")
    page.locator("#hero-kind").select_option("home")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="3 listings").wait_for()
    results = page.locator(".search-results .card-title").all_inner_texts()
    assert results == ["Seaside villa with pool", "Seaside cottage near the beach", "Seaside condo with ocean view"]

    page.locator(".search-results .card-link", has_text="Seaside villa with pool").click()
    page.get_by_role("heading", name="Seaside villa with pool", level=1).wait_for()
    assert page.locator("#similar-heading").inner_text() == "Similar homes"
    assert page.locator(".similar-item .card-title").all_inner_texts() == [
        "Seaside cottage near the beach", "Seaside condo with ocean view", "Mountain ranch with stables",
        "Mountain farmhouse with orchard", "Mountain cabin in the hills",
    ]

    page.get_by_role("button", name="♡ Save to favorites").click()
    page.locator(".favorite-form button[aria-pressed=true]", has_text="♥ Saved to favorites").wait_for()
    assert list(Favorite.objects.filter(user=buyer).values_list("listing__title", flat=True)) == [
        "Seaside villa with pool",
    ]

    page.get_by_role("link", name="TrustAsset").click()
    page.locator("#feed-home").wait_for()
    near_villa = "Because you viewed Seaside villa with pool · Near the ~$150k you have been viewing · New this week"
    elsewhere = "Near the ~$150k you have been viewing · New this week"
    assert _feed(page) == (
        "Recommended homes for you",
        ["Seaside cottage near the beach", "Seaside condo with ocean view", "Mountain ranch with stables",
         "Mountain farmhouse with orchard", "Mountain cabin in the hills"],
        [near_villa, near_villa, elsewhere, elsewhere, elsewhere],
    )
