"""Every URL of the site, classified: the endpoints that write, each with what every role gets (the permission
matrix), and the ones that only read. ``test_permission_matrix`` walks the URLconf and fails on any URL that
is in neither table, so a new writing endpoint cannot ship without its row here.

A row is one endpoint, one method and one target (``variant``: e.g. seller A's active listing or their
draft). Roles: an anonymous visitor, a buyer, seller A (who owns every target), seller B (another seller,
with a listing of their own) and an admin (staff and superuser).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth.models import User
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import GeneratedField
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from descriptions.models import DescriptionRequest
from listings.alerts import UNSUBSCRIBE_SALT, Unsubscribe, unsubscribe_url
from listings.models import Listing, ListingPhoto, SavedSearch
from tests.factories import DismissalFactory, FavoriteFactory, InteractionFactory

ROLES = ("anonymous", "buyer", "seller_a", "seller_b", "admin")
PASSWORD = "correct horse battery staple"  # UserFactory's
LOGIN_PREFIX = "/accounts/login/?next="
# Tables a request may change: the apps' own, the users, their API tokens and sessions.
FINGERPRINT_APPS = ("auth", "authtoken", "sessions", "listings", "recommendations", "descriptions")


@dataclass(frozen=True)
class Outcome:
    """What a role gets: the status, whether the database changes, and where a redirect goes."""

    status: int
    writes: bool
    label: str
    location: str = ""


def allowed(status: int, *, location: str = "") -> Outcome:
    return Outcome(status, True, "allowed", location)


def allowed_without_writes(status: int, *, location: str = "") -> Outcome:
    """Let through, but with nothing to write (e.g. an anonymous visitor without a session on the feed)."""
    return Outcome(status, False, "allowed", location)


def refused(status: int, *, location: str = "") -> Outcome:
    """Not a permission denial, but nothing happens (contacting oneself, signing up while signed in)."""
    return Outcome(status, False, "refused", location)


FORBIDDEN = Outcome(403, False, "403")
NOT_FOUND = Outcome(404, False, "404")
LOGIN = Outcome(302, False, "login", LOGIN_PREFIX)


def by_role(*, anonymous: Outcome, buyer: Outcome, seller_a: Outcome, seller_b: Outcome,
            admin: Outcome) -> dict[str, Outcome]:
    return {"anonymous": anonymous, "buyer": buyer, "seller_a": seller_a, "seller_b": seller_b, "admin": admin}


def only_editors(denied_to_others: Outcome, *, anonymous: Outcome, status: int, location: str = "") -> dict[str, Outcome]:
    """Seller A (the owner) and the admin may; the buyer and seller B get ``denied_to_others``."""
    return by_role(anonymous=anonymous, buyer=denied_to_others, seller_a=allowed(status, location=location),
                   seller_b=denied_to_others, admin=allowed(status, location=location))


def every_user(outcome: Outcome, *, anonymous: Outcome) -> dict[str, Outcome]:
    return by_role(anonymous=anonymous, buyer=outcome, seller_a=outcome, seller_b=outcome, admin=outcome)


@dataclass
class World:
    """Seller A's things (the targets), seller B's own listing, and the people."""

    users: dict[str, User | None]
    listing: Listing  # seller A's, active
    draft: Listing  # seller A's, never published
    other_listing: Listing  # seller B's, active
    photo: ListingPhoto  # of ``listing``
    saved_search: SavedSearch  # seller A's
    description_request: DescriptionRequest  # a ready draft for ``listing``


@dataclass(frozen=True)
class Call:
    path: str
    data: dict[str, Any] | None = None
    format: str = "json"  # API calls: json or multipart


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str  # lower case, as the test clients' methods
    arrange: Callable[[World, User | None], Call]  # may add the caller's own rows first (a favorite to remove)
    outcomes: Mapping[str, Outcome] = field(repr=False)
    variant: str = ""

    @property
    def api(self) -> bool:
        return self.name.startswith("api_")

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}" + (f" [{self.variant}]" if self.variant else "")


def send(client: Client, endpoint: Endpoint, call: Call) -> HttpResponse:
    """``call`` through a page client (form posts) or an API client (JSON or multipart bodies)."""
    if endpoint.method == "get":
        return client.get(call.path)
    if isinstance(client, APIClient):
        return getattr(client, endpoint.method)(call.path, call.data, format=call.format)
    return getattr(client, endpoint.method)(call.path, call.data or {})


def png_upload(name: str = "front.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def listing_form_data(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "home", "offer": "sale", "title": "4 bd house in Ponce", "description": "Near the plaza.",
        "price": "210000", "city": "Ponce", "state": "PR", "zip_code": "00731", "bed": "4", "bath": "2",
        "house_size": "1800", "acre_lot": "0.3", "publish_now": "on", **changes,
    }


def listing_json(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "home", "offer": "sale", "title": "4 bd house in Ponce", "price": "210000.00", "city": "Ponce",
        "state": "PR", "zip_code": "00731", "bed": 4, "bath": "2.0", "house_size": 1800, **changes,
    }


def preference_form_data() -> dict[str, str]:
    return {"home-enabled": "on", "home-intent": "buyer", "home-budget_sale": "250000", "home-budget_rent": "",
            "car-enabled": "", "car-intent": "", "car-budget_sale": "", "car-budget_rent": ""}


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def unsubscribe_path(world: World) -> str:
    search = world.saved_search
    url = unsubscribe_url(unsubscribe=Unsubscribe(user_id=search.user_id, scope="search", saved_search_id=search.pk))
    return urlsplit(url).path


def forged_unsubscribe_path(world: World) -> str:
    """A link to turn off all of seller A's alerts, signed with a key that is not ours."""
    payload = {"u": world.saved_search.user_id, "scope": "all"}
    return _url("alerts_unsubscribe", signing.Signer(key="not-our-secret", salt=UNSUBSCRIBE_SALT).sign_object(payload))


def _with_favorite(world: World, user: User | None) -> Call:
    if user is not None:
        FavoriteFactory(user=user, listing=world.listing)
    return Call(_url("api_favorite_detail", world.listing.pk))


def _with_dismissal(world: World, user: User | None) -> Call:
    if user is not None:
        DismissalFactory(user=user, listing=world.listing)
    return Call(_url("listing_undismiss", world.listing.pk))


def _with_history(world: World, user: User | None) -> Call:
    if user is not None:
        InteractionFactory(user=user, listing=world.other_listing)
    return Call(_url("history_reset"))


def _login(world: World, user: User | None) -> Call:
    username = user.username if user is not None else "buyer"
    return Call(_url("login"), {"username": username, "password": PASSWORD})


def _token(world: World, user: User | None) -> Call:
    username = user.username if user is not None else "buyer"
    return Call(_url("api_auth_token"), {"username": username, "password": PASSWORD})


def _signup(world: World, user: User | None) -> Call:
    return Call(_url("signup"), {"username": "newcomer", "email": "newcomer@example.com",
                                 "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"})


INQUIRY = {"message": "Is it still available?", "reply_to": "asker@example.com"}
LISTING_URL = "/listings/"

PAGES = [
    Endpoint("listing_create", "post", lambda w, u: Call(_url("listing_create"), listing_form_data()),
             every_user(allowed(302, location=LISTING_URL), anonymous=LOGIN)),
    Endpoint("favorite_toggle", "post", lambda w, u: Call(_url("favorite_toggle", w.listing.pk), {"action": "add"}),
             every_user(allowed(302, location=LISTING_URL), anonymous=LOGIN), "active listing"),
    Endpoint("favorite_toggle", "post", lambda w, u: Call(_url("favorite_toggle", w.draft.pk), {"action": "add"}),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302, location=LISTING_URL), "draft"),
    Endpoint("listing_contact", "post", lambda w, u: Call(_url("listing_contact", w.listing.pk), INQUIRY),
             by_role(anonymous=LOGIN, buyer=allowed(302, location=LISTING_URL), seller_a=refused(200),
                     seller_b=allowed(302, location=LISTING_URL), admin=allowed(302, location=LISTING_URL)),
             "active listing"),
    Endpoint("listing_contact", "post", lambda w, u: Call(_url("listing_contact", w.draft.pk), INQUIRY),
             by_role(anonymous=LOGIN, buyer=NOT_FOUND, seller_a=refused(200), seller_b=NOT_FOUND,
                     admin=allowed(302, location=LISTING_URL)),
             "draft"),
    Endpoint("listing_edit", "post",
             lambda w, u: Call(_url("listing_edit", w.listing.pk), listing_form_data(title="Renamed")),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302, location=LISTING_URL)),
    Endpoint("listing_publish", "post", lambda w, u: Call(_url("listing_publish", w.draft.pk)),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("listing_withdraw", "post", lambda w, u: Call(_url("listing_withdraw", w.listing.pk)),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("listing_photo_upload", "post",
             lambda w, u: Call(_url("listing_photo_upload", w.listing.pk), {"image": png_upload()}),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("listing_photo_delete", "post",
             lambda w, u: Call(_url("listing_photo_delete", w.listing.pk, w.photo.pk)),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("saved_search_create", "post",
             lambda w, u: Call(_url("saved_search_create"), {"name": "Ponce homes", "kind": "home", "city": "Ponce"}),
             every_user(allowed(302, location="/search/"), anonymous=LOGIN)),
    # Saved searches are private: not even an admin deletes someone else's from the site.
    Endpoint("saved_search_delete", "post", lambda w, u: Call(_url("saved_search_delete", w.saved_search.pk)),
             by_role(anonymous=LOGIN, buyer=NOT_FOUND, seller_a=allowed(302), seller_b=NOT_FOUND, admin=NOT_FOUND)),
    # The signed link from the alert mail is the credential: whoever holds it may turn those alerts off.
    Endpoint("alerts_unsubscribe", "post", lambda w, u: Call(unsubscribe_path(w)),
             every_user(allowed(200), anonymous=allowed(200)), "signed link"),
    Endpoint("alerts_unsubscribe", "post", lambda w, u: Call(forged_unsubscribe_path(w)),
             every_user(refused(400), anonymous=refused(400)), "forged link"),
    Endpoint("preferences", "post", lambda w, u: Call(_url("preferences"), preference_form_data()),
             every_user(allowed(302), anonymous=LOGIN)),
    Endpoint("history_reset", "post", _with_history, every_user(allowed(302), anonymous=LOGIN)),
    Endpoint("listing_dismiss", "post", lambda w, u: Call(_url("listing_dismiss", w.listing.pk)),
             every_user(allowed(302), anonymous=LOGIN), "active listing"),
    # Only listings a feed can show can be dismissed: a draft is no such listing, even for its seller.
    Endpoint("listing_dismiss", "post", lambda w, u: Call(_url("listing_dismiss", w.draft.pk)),
             every_user(NOT_FOUND, anonymous=LOGIN), "draft"),
    Endpoint("listing_undismiss", "post", _with_dismissal, every_user(allowed(302), anonymous=LOGIN)),
    Endpoint("description_request_create", "post",
             lambda w, u: Call(_url("description_request_create", w.listing.pk), {"tone": "warm"}),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("description_accept", "post",
             lambda w, u: Call(_url("description_accept", w.description_request.pk), {"text": "A sunny home."}),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("description_discard", "post",
             lambda w, u: Call(_url("description_discard", w.description_request.pk)),
             only_editors(NOT_FOUND, anonymous=LOGIN, status=302)),
    Endpoint("signup", "post", _signup,
             every_user(refused(302, location="/"), anonymous=allowed(302, location="/"))),
    Endpoint("login", "post", _login, every_user(refused(302, location="/"), anonymous=allowed(302, location="/"))),
    Endpoint("logout", "post", lambda w, u: Call(_url("logout")),
             every_user(allowed(302, location="/"), anonymous=allowed_without_writes(302, location="/"))),
    # Reads that write: the home page logs the feed it shows as impressions (signed in; an anonymous visitor
    # without history has no feed), and a listing's page logs a view.
    Endpoint("home", "get", lambda w, u: Call(_url("home")),
             every_user(allowed(200), anonymous=allowed_without_writes(200))),
    Endpoint("listing_detail", "get", lambda w, u: Call(_url("listing_detail", w.listing.pk)),
             every_user(allowed(200), anonymous=allowed(200)), "active listing"),
    Endpoint("listing_detail", "get", lambda w, u: Call(_url("listing_detail", w.draft.pk)),
             only_editors(NOT_FOUND, anonymous=NOT_FOUND, status=200), "draft"),
]

API = [
    Endpoint("api_listings", "post", lambda w, u: Call(_url("api_listings"), listing_json()),
             every_user(allowed(201), anonymous=FORBIDDEN)),
    Endpoint("api_listing_detail", "put", lambda w, u: Call(_url("api_listing_detail", w.listing.pk), listing_json()),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=200), "active listing"),
    Endpoint("api_listing_detail", "patch",
             lambda w, u: Call(_url("api_listing_detail", w.listing.pk), {"title": "Renamed"}),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=200), "active listing"),
    Endpoint("api_listing_detail", "patch",
             lambda w, u: Call(_url("api_listing_detail", w.draft.pk), {"title": "Renamed"}),
             only_editors(NOT_FOUND, anonymous=FORBIDDEN, status=200), "draft"),
    Endpoint("api_listing_detail", "delete", lambda w, u: Call(_url("api_listing_detail", w.listing.pk)),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=204), "active listing"),
    Endpoint("api_listing_publish", "post", lambda w, u: Call(_url("api_listing_publish", w.draft.pk)),
             only_editors(NOT_FOUND, anonymous=FORBIDDEN, status=200)),
    Endpoint("api_listing_withdraw", "post", lambda w, u: Call(_url("api_listing_withdraw", w.listing.pk)),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=200)),
    Endpoint("api_listing_photos", "post",
             lambda w, u: Call(_url("api_listing_photos", w.listing.pk), {"image": png_upload()}, "multipart"),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=201)),
    Endpoint("api_listing_inquiries", "post", lambda w, u: Call(_url("api_listing_inquiries", w.listing.pk), INQUIRY),
             by_role(anonymous=FORBIDDEN, buyer=allowed(201), seller_a=refused(400), seller_b=allowed(201),
                     admin=allowed(201)),
             "active listing"),
    Endpoint("api_listing_inquiries", "post", lambda w, u: Call(_url("api_listing_inquiries", w.draft.pk), INQUIRY),
             by_role(anonymous=FORBIDDEN, buyer=NOT_FOUND, seller_a=refused(400), seller_b=NOT_FOUND,
                     admin=allowed(201)),
             "draft"),
    Endpoint("api_favorites", "post", lambda w, u: Call(_url("api_favorites"), {"listing": w.listing.pk}),
             every_user(allowed(201), anonymous=FORBIDDEN), "active listing"),
    # A listing one may not see is no valid id in a body: 400, as for an id that does not exist.
    Endpoint("api_favorites", "post", lambda w, u: Call(_url("api_favorites"), {"listing": w.draft.pk}),
             only_editors(refused(400), anonymous=FORBIDDEN, status=201), "draft"),
    Endpoint("api_favorite_detail", "delete", _with_favorite, every_user(allowed(204), anonymous=FORBIDDEN)),
    Endpoint("api_interactions", "post",
             lambda w, u: Call(_url("api_interactions"), {"listing": w.listing.pk, "event": "share"}),
             every_user(allowed(201), anonymous=allowed(201)), "active listing"),
    Endpoint("api_interactions", "post",
             lambda w, u: Call(_url("api_interactions"), {"listing": w.draft.pk, "event": "share"}),
             only_editors(refused(400), anonymous=refused(400), status=201), "draft"),
    Endpoint("api_auth_token", "post", _token, every_user(allowed(200), anonymous=allowed(200))),
    # A read that writes: the feed it answers is logged as impressions (for an actor: a user or a session).
    Endpoint("api_feed", "get", lambda w, u: Call(_url("api_feed")),
             every_user(allowed(200), anonymous=allowed_without_writes(200))),
    Endpoint("api_listing_descriptions", "post",
             lambda w, u: Call(_url("api_listing_descriptions", w.listing.pk), {"tone": "warm"}),
             only_editors(FORBIDDEN, anonymous=FORBIDDEN, status=202)),
    Endpoint("api_description_accept", "post",
             lambda w, u: Call(_url("api_description_accept", w.description_request.pk), {"text": "A sunny home."}),
             only_editors(NOT_FOUND, anonymous=FORBIDDEN, status=200)),
    Endpoint("api_description_discard", "post",
             lambda w, u: Call(_url("api_description_discard", w.description_request.pk)),
             only_editors(NOT_FOUND, anonymous=FORBIDDEN, status=200)),
]

ENDPOINTS = PAGES + API

# URLs that never write, by name (or route, for unnamed ones), with why.
READ_ONLY = {
    "listing_search": "search results",
    "listing_placeholder": "a generated picture",
    "favorites": "the signed-in user's favorites",
    "saved_searches": "the signed-in user's saved searches",
    "dashboard": "the signed-in seller's listings",
    "description_request_panel": "a draft's panel (htmx polling)",
    "api_listing_similar": "similar listings",
    "api_description_request": "a draft, for its listing's editors",
    "api_schema": "the OpenAPI schema",
    "api_docs": "Swagger UI",
    "metrics": "Prometheus metrics, for allowed readers",
    "health_live": "liveness probe",
    "health_ready": "readiness probe (reads the database, stores and removes a cache key)",
    "^media/(?P<path>.*)$": "uploaded files (django.views.static.serve)",
}
# Function views that answer every method without writing, so the 405 probe does not apply to them.
ANY_METHOD_READERS = {"metrics", "^media/(?P<path>.*)$"}
WRITE_METHODS = ("post", "put", "patch", "delete")


def db_fingerprint() -> dict[str, list[tuple[str, ...]]]:
    """Every row of the tables a request may change, as text (vectors and JSON included), in key order."""
    rows = {}
    for app_label in FINGERPRINT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            names = [f.attname for f in model._meta.concrete_fields if not isinstance(f, GeneratedField)]
            rows[model._meta.label] = [
                tuple(repr(value) for value in row) for row in model._base_manager.order_by("pk").values_list(*names)
            ]
    return rows
