"""CSRF: every writing POST is refused without its token (pages by Django's middleware, the API for session
callers by DRF), and every form the site renders carries the token."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from listings.models import Favorite, Interaction
from recommendations.models import Dismissal
from tests.factories import FavoriteFactory
from tests.security.endpoints import (
    API,
    PAGES,
    ROLES,
    Endpoint,
    World,
    db_fingerprint,
    send,
    unsubscribe_path,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
# The project's templates: the shared folder and every app's own.
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post\b[^>]*>(?P<body>.*?)</form>", re.IGNORECASE | re.DOTALL)


def first_writer(endpoint: Endpoint, *, signed_in: bool) -> str:
    """The first role whose call would write: a refusal then can only be the missing token's doing."""
    return next(role for role in ROLES if endpoint.outcomes[role].writes and (role != "anonymous" or not signed_in))


def writes_for_someone(endpoint: Endpoint) -> bool:
    return any(outcome.writes for outcome in endpoint.outcomes.values())


# A target that nobody may write (a forged link, a draft to dismiss) has no refusal to tell apart.
PAGE_POSTS = [endpoint for endpoint in PAGES if endpoint.method == "post" and writes_for_someone(endpoint)]
API_WRITES = [endpoint for endpoint in API if endpoint.method != "get" and writes_for_someone(endpoint)]


@pytest.mark.parametrize("endpoint", PAGE_POSTS, ids=[endpoint.id for endpoint in PAGE_POSTS])
def test_it_refuses_a_page_post_without_its_token(endpoint: Endpoint, world: World) -> None:
    role = first_writer(endpoint, signed_in=False)
    user = world.users[role]
    call = endpoint.arrange(world, user)
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    before = db_fingerprint()

    response = send(client, endpoint, call)

    assert response.status_code == 403
    assert b"This form was not accepted" in response.content  # templates/403_csrf.html
    assert db_fingerprint() == before


@pytest.mark.parametrize("endpoint", API_WRITES, ids=[endpoint.id for endpoint in API_WRITES])
def test_it_refuses_an_api_write_by_a_session_without_its_token(endpoint: Endpoint, world: World) -> None:
    role = first_writer(endpoint, signed_in=True)
    user = world.users[role]
    call = endpoint.arrange(world, user)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    before = db_fingerprint()

    response = send(client, endpoint, call)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert db_fingerprint() == before


def test_it_lets_a_page_post_through_with_its_token(world: World, buyer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    client.get(world.listing.get_absolute_url())  # sets the CSRF cookie

    response = client.post(reverse("favorite_toggle", args=[world.listing.pk]),
                           {"action": "add", "csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 302
    assert Favorite.objects.filter(user=buyer, listing=world.listing).exists()


def test_it_needs_no_token_with_token_authentication(world: World, buyer: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=buyer).key}")

    response = client.post(reverse("api_interactions"), {"listing": world.listing.pk, "event": "share"}, format="json")

    assert response.status_code == 201
    assert Interaction.objects.filter(user=buyer, event="share").count() == 1


def test_every_post_form_in_the_templates_has_a_csrf_token() -> None:
    forms = {
        path.relative_to(BASE_DIR).as_posix(): [match["body"] for match in POST_FORM.finditer(path.read_text())]
        for directory in TEMPLATE_DIRS for path in sorted(directory.rglob("*.html"))
    }
    without_token = {name: len([body for body in bodies if "{% csrf_token %}" not in body])
                     for name, bodies in forms.items()}

    assert {name: count for name, count in without_token.items() if count} == {}
    assert len(forms["templates/descriptions/_panel.html"]) == 4  # the scan finds forms spread over lines
    assert len(forms["templates/base.html"]) == 1


class PostForms(HTMLParser):
    """Per ``<form method="post">`` of a page: whether it holds a csrfmiddlewaretoken input, and its action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, bool]] = []
        self._open: list[str] | None = None
        self._token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._open, self._token = [attributes.get("action") or "(this page)"], False
        elif tag == "input" and self._open is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._token = bool(attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open is not None:
            self.forms.append((self._open[0], self._token))
            self._open = None


def post_forms(client: Client, path: str) -> list[tuple[str, bool]]:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = PostForms()
    parser.feed(response.content.decode())
    return parser.forms


def test_every_rendered_post_form_carries_the_token(world: World, buyer: User, seller: User) -> None:
    FavoriteFactory(user=buyer, listing=world.listing)
    Dismissal.objects.create(user=buyer, listing=world.other_listing)
    clients = {"buyer": Client(), "seller_a": Client(), "anonymous": Client()}
    clients["buyer"].force_login(buyer)
    clients["seller_a"].force_login(seller)
    pages = {
        "buyer": [reverse("home"), world.listing.get_absolute_url(), reverse("favorites"),
                       f"{reverse('listing_search')}?kind=home", reverse("preferences")],
        "seller_a": [world.listing.get_absolute_url(), world.draft.get_absolute_url(), reverse("dashboard"),
                        reverse("listing_edit", args=[world.listing.pk]), reverse("listing_create"),
                        reverse("listing_photo_upload", args=[world.listing.pk]), reverse("saved_searches"),
                        reverse("description_request_panel", args=[world.description_request.pk])],
        "anonymous": [reverse("login"), reverse("signup"), reverse("home"), unsubscribe_path(world)],
    }

    forms = {(role, path): post_forms(clients[role], path) for role, paths in pages.items() for path in paths}

    assert {page: found for page, found in forms.items() if not all(token for _, token in found)} == {}
    actions = {action for found in forms.values() for action, _ in found}
    assert {reverse("logout"), reverse("listing_contact", args=[world.listing.pk]),
            reverse("favorite_toggle", args=[world.listing.pk]), reverse("listing_dismiss", args=[world.listing.pk]),
            reverse("listing_undismiss", args=[world.other_listing.pk]), reverse("saved_search_create"),
            reverse("history_reset"), reverse("listing_publish", args=[world.draft.pk]),
            reverse("listing_withdraw", args=[world.listing.pk]),
            reverse("saved_search_delete", args=[world.saved_search.pk]),
            reverse("listing_photo_delete", args=[world.listing.pk, world.photo.pk]),
            reverse("description_accept", args=[world.description_request.pk]),
            reverse("description_discard", args=[world.description_request.pk]),
            reverse("login"), reverse("signup"), "(this page)"} <= actions
