"""User and generated text is escaped wherever it is rendered: a listing whose title, description and city carry
markup shows as text on every page (and the drafted description built from it), and the API answers it as
JSON data, which its browsable HTML view escapes too."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from descriptions import services as description_services
from descriptions.models import DescriptionRequest
from listings.models import Listing
from tests.factories import DescriptionRequestFactory, FavoriteFactory, HomeFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW = ("<script>alert", "onmouseover=\"alert", "<img src=x")  # none of these may reach a page as markup


@pytest.fixture
def hostile(seller: User) -> Listing:
    return HomeFactory(
        seller=seller, title=f'"><img src=x onerror=alert(2)>{SCRIPT}', city=SCRIPT,
        description=f"Big yard.\n{SCRIPT}\n<img src=x onerror=alert(3)>",
    )


@pytest.fixture
def signed_in(client: Client) -> Any:
    def signing_in(user: User) -> Client:
        client.force_login(user)
        return client
    return signing_in


def assert_escaped(html: str, *, shown: bool = True) -> None:
    """No markup from the listing in ``html``; with ``shown``, its text is there, escaped."""
    assert [raw for raw in RAW if raw in html] == []
    if shown:
        assert ESCAPED in html


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_detail_page_escapes_it(client: Client, hostile: Listing) -> None:
    html = page(client, hostile.get_absolute_url())

    assert_escaped(html)
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html  # the title's attribute break-out, as text


@pytest.mark.parametrize("query", ["?kind=home", f"?kind=home&city={SCRIPT}", f"?q={SCRIPT}"])
def test_search_escapes_the_results_and_the_query_it_shows_back(client: Client, hostile: Listing, query: str) -> None:
    assert_escaped(page(client, f"{reverse('listing_search')}{query}"))


def test_the_home_feed_escapes_it(signed_in: Any, buyer: User, hostile: Listing) -> None:
    html = page(signed_in(buyer), reverse("home"))

    assert_escaped(html)
    assert html.count(f'href="{hostile.get_absolute_url()}?from=feed"') == 1  # it is in the feed


def test_the_buyers_pages_escape_it(signed_in: Any, buyer: User, hostile: Listing) -> None:
    client = signed_in(buyer)
    FavoriteFactory(user=buyer, listing=hostile)
    client.get(hostile.get_absolute_url())  # a view: the preferences page describes the profile from it

    for path in (reverse("favorites"), reverse("preferences")):
        assert_escaped(page(client, path), shown=path == reverse("favorites"))


def test_the_sellers_pages_and_messages_escape_it(signed_in: Any, seller: User, hostile: Listing) -> None:
    client = signed_in(seller)

    for path in (reverse("dashboard"), reverse("listing_edit", args=[hostile.pk]),
                 reverse("listing_photo_upload", args=[hostile.pk])):
        assert_escaped(page(client, path))
    withdrawn = client.post(reverse("listing_withdraw", args=[hostile.pk]), follow=True)  # “title” is withdrawn
    assert_escaped(withdrawn.content.decode())
    assert [str(message) for message in withdrawn.context["messages"]] == [
        f"“{hostile.title}” is withdrawn; only you can see it now.",
    ]


def test_the_placeholder_picture_escapes_the_city(client: Client, hostile: Listing) -> None:
    svg = page(client, reverse("listing_placeholder", args=[hostile.pk]))

    assert_escaped(svg, shown=False)  # the caption shortens the city to 17 characters
    assert "&lt;script&gt;alert(1)&lt;…" in svg


def test_the_draft_panel_escapes_a_generated_draft(
    signed_in: Any, seller: User, hostile: Listing, django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the worker drafts (eager Celery)
        request = description_services.description_request_create(listing=hostile, by=seller, tone="warm")
    request.refresh_from_db()

    html = page(signed_in(seller), reverse("description_request_panel", args=[request.pk]))

    assert request.status == "ready"
    assert SCRIPT in request.draft  # the template engine wrote the city into the draft
    assert_escaped(html)


def test_the_draft_panel_escapes_findings(signed_in: Any, seller: User, hostile: Listing) -> None:
    draft = f"A home with {SCRIPT} inside."
    start = draft.index(SCRIPT)
    request: DescriptionRequest = DescriptionRequestFactory(listing=hostile, draft=draft, findings=[{
        "kind": 'fact" onmouseover="alert(1)', "start": start, "end": start + len(SCRIPT), "span": SCRIPT,
        "message": f"The listing says nothing of {SCRIPT}.",
    }])

    html = page(signed_in(seller), reverse("description_request_panel", args=[request.pk]))

    assert_escaped(html)
    assert (f'<mark class="finding finding-fact&quot; onmouseover=&quot;alert(1)" '
            f'title="The listing says nothing of {ESCAPED}.">{ESCAPED}</mark>') in html


def test_the_api_answers_it_as_json_data(api_client: APIClient, hostile: Listing) -> None:
    response = api_client.get(reverse("api_listing_detail", args=[hostile.pk]))

    assert response["Content-Type"] == "application/json"
    assert (response.json()["title"], response.json()["city"], response.json()["description"]) == (
        hostile.title, hostile.city, hostile.description,
    )


@pytest.mark.parametrize("path", ["api_listing_detail", "api_listings"])
def test_the_browsable_api_escapes_it(api_client: APIClient, hostile: Listing, path: str) -> None:
    url = reverse(path, args=[hostile.pk]) if path == "api_listing_detail" else reverse(path)

    response = api_client.get(url, HTTP_ACCEPT="text/html")

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert_escaped(response.content.decode())
