"""A seller in a real browser: creates a listing through the form, asks for a drafted description on its
edit page, waits for the draft (the panel polls with htmx until a worker has written it), accepts it, and
the listing shows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page

from descriptions import tasks
from descriptions.models import DescriptionRequest
from listings.models import Listing
from tests.browser.conftest import sign_in

TITLE = "Sunny 3 bd house with a garden"


@pytest.fixture(autouse=True)
def _template_engine(settings: Any) -> None:
    settings.DESCRIPTION_MODEL_PATH = ""  # the template engine: no model to load, whatever the environment says


@pytest.fixture
def queued_drafts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Request ids enqueued for drafting, held back (tasks run eagerly in tests) so the page shows the
    request in flight and polls; the test then runs the task as the worker would."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.description_draft, "delay", queued.append)
    return queued


def _create_home(page: Page) -> None:
    page.goto("/listings/new/")
    form = page.locator("form.listing-form")
    form.get_by_label("Kind", exact=True).select_option("home")
    form.get_by_label("Offer", exact=True).select_option("sale")
    form.get_by_label("Price", exact=True).fill("185000")
    form.get_by_label("Title", exact=True).fill(TITLE)
    form.get_by_label("City", exact=True).fill("Ponce")
    form.get_by_label("State", exact=True).fill("PR")
    form.get_by_label("ZIP code", exact=True).fill("00731")
    form.get_by_label("Bedrooms", exact=True).fill("3")
    form.get_by_label("Bathrooms", exact=True).fill("2")
    form.get_by_label("House size (sqft)", exact=True).fill("1500")
    form.get_by_role("button", name="Create listing").click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()


def _description_section(page: Page) -> Locator:
    return page.locator("section", has=page.get_by_role("heading", name="Description", exact=True))


def test_it_creates_a_listing_then_drafts_and_accepts_its_description(
    page: Page, seller: User, queued_drafts: list[int]
) -> None:
    sign_in(page, username="seller")
    _create_home(page)
    assert page.locator(".message-success").inner_text() == (
        "Your listing is published. Add photos to make it stand out."
    )
    assert _description_section(page).locator("p.muted").inner_text() == (
        "The seller has not written a description yet."
    )
    listing = Listing.objects.get(title=TITLE)
    assert (listing.seller, listing.status, listing.description) == (seller, "active", "")

    page.locator(".owner-bar").get_by_role("link", name="Edit").click()
    panel = page.locator("#description-panel")
    panel.get_by_label("Tone").select_option("warm")
    panel.get_by_role("button", name="Write it for me").click()
    assert panel.locator("[data-draft-status]").inner_text() == "Your warm draft is queued…"
    request = DescriptionRequest.objects.get(listing=listing)
    assert queued_drafts == [request.pk]

    tasks.description_draft.apply(args=[request.pk])  # the worker's part; the panel's next poll shows it
    panel.locator("[data-draft]").wait_for()
    draft = panel.get_by_role("textbox").input_value()
    assert (draft, "warm", "ready") == DescriptionRequest.objects.values_list("draft", "tone", "status").get(
        listing=listing
    )

    panel.get_by_role("button", name="Accept").click()
    page.locator(".message-success", has_text="The description is updated").wait_for()
    assert page.locator("form.listing-form").get_by_label("Description", exact=True).input_value() == draft

    page.goto(listing.get_absolute_url())
    shown = _description_section(page).locator(".description").inner_text()
    assert shown.split() == draft.split()  # the page wraps paragraphs in <p>: compare the words
    listing.refresh_from_db()
    assert listing.description == draft
    assert ("accepted", draft) == DescriptionRequest.objects.values_list("status", "accepted_text").get(
        listing=listing
    )
