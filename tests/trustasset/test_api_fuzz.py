"""Bad input on every API operation: schemathesis reads /api/schema/ from the app (in-process WSGI, no server)
and sends generated requests, valid and invalid, as the seller of some listings and as an anonymous visitor.

No answer may be a server error, and an answer with a documented status must have the documented body and
content type. Generated ids are aimed at real rows (the seller's own, someone else's, an imported one, a missing
one). Each example runs in a savepoint that is rolled back, so every one starts from the same listings and
drafts. Generation is derandomized: CI sends the same requests on every run.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from descriptions.models import DescriptionRequest, RequestStatus
from listings.models import DESCRIPTION_MAX_LENGTH, Status
from tests.factories import CarFactory, HomeFactory, UserFactory

# Fixed primary keys, far above what the sequences reach in a test run, so that path parameters can name them.
OWN_HOME, OWN_DRAFT_CAR, OTHER_SELLERS_HOME, IMPORTED_HOME, NO_LISTING = 910_001, 910_002, 910_003, 910_004, 910_005
READY_DRAFT, ACCEPTED_DRAFT, NO_REQUEST = 920_001, 920_002, 920_003
LISTING_IDS = (OWN_HOME, OWN_DRAFT_CAR, OTHER_SELLERS_HOME, IMPORTED_HOME, NO_LISTING)
REQUEST_IDS = (READY_DRAFT, ACCEPTED_DRAFT, NO_REQUEST)
LISTING_WRITES = {("POST", "/api/listings/"), ("PUT", "/api/listings/{id}/"), ("PATCH", "/api/listings/{id}/")}
# What a listing needs to pass the model's checks: set in half of the generated bodies, so that the other
# generated fields reach the database.
SANE_LISTING = {"kind": "home", "price": "150000", "state": "PR"}
# Statuses the schema leaves undocumented (403 for a caller without access, 404 past the last page, 405, 415…)
# are not failures: server errors, and bodies or content types that differ from the documented ones, are.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Hypothesis' own examples per operation; the coverage phase adds its boundary and wrong-type cases.
FUZZ_SETTINGS = settings(
    max_examples=10, derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def api_schema(config: dict[str, Any]) -> Any:
    """/api/schema/ with ``config`` (schemathesis.toml's keys; an explicit one, so no file found on disk applies)."""
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=schemathesis.Config.from_dict(config)
    )


# The seller's run adds the coverage phase (each field missing, at its bounds, of the wrong type…), except
# on PUT: it takes the same fields as PATCH, and repeating ~650 cases would double the run.
seller_schema = api_schema({"operations": [{"include-method": "PUT", "phases": {"coverage": {"enabled": False}}}]})
# Anonymous callers get 401 from most operations: generated examples only.
anonymous_schema = api_schema({"phases": {"coverage": {"enabled": False}}})


@pytest.fixture
def _wsgi_keeps_the_test_connection() -> Iterator[None]:
    # Like Django's test client: the WSGI handler would close the test's connection (and its transaction)
    # at the end of every request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seller_token(db, settings, _wsgi_keeps_the_test_connection: None) -> str:
    """The seller's API token; they own a published home and a draft car, beside another seller's home and an
    imported one; the home has a ready draft description and an accepted one."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    cache.clear()
    seller = UserFactory(username="seller")
    home = HomeFactory(pk=OWN_HOME, seller=seller)
    CarFactory(pk=OWN_DRAFT_CAR, seller=seller, status=Status.DRAFT, published_at=None)
    HomeFactory(pk=OTHER_SELLERS_HOME, seller=UserFactory(username="other_seller"))
    HomeFactory(pk=IMPORTED_HOME, seller=None)
    for pk, status in ((READY_DRAFT, RequestStatus.READY), (ACCEPTED_DRAFT, RequestStatus.ACCEPTED)):
        DescriptionRequest.objects.create(pk=pk, listing=home, requested_by=seller, status=status,
                                          engine="template", draft="A bright three-bedroom house in Ponce.")
    return Token.objects.create(user=seller).key


def aimed_at_the_rows(case: schemathesis.Case) -> schemathesis.Case:
    """``case`` with its whole-number ids turned into ids of the rows above (else nearly all would be 404s), and
    half of the listing bodies made sane where the model checks them. Stable: the same case, the same change."""
    known = REQUEST_IDS if case.operation.path.startswith("/api/descriptions/") else LISTING_IDS
    for name, value in (case.path_parameters or {}).items():
        case.path_parameters[name] = _known_id(value, known)
    if isinstance(case.body, dict) and "listing" in case.body:  # favorites and interactions name one
        case.body["listing"] = _known_id(case.body["listing"], LISTING_IDS)
    body_hash = zlib.crc32(json.dumps(case.body, sort_keys=True, default=repr).encode())
    if (case.method, case.operation.path) in LISTING_WRITES and isinstance(case.body, dict) and body_hash % 2:
        case.body.update(SANE_LISTING)
    return case


def _known_id(value: Any, known: tuple[int, ...]) -> Any:
    if value in known:  # already aimed (Hypothesis replays the same case when it reports a failure)
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():  # the coverage phase's "0"
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return known[value % len(known)]
    return value


def call_and_roll_back(case: schemathesis.Case, headers: dict[str, str]) -> None:
    case = aimed_at_the_rows(case)
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


@seller_schema.parametrize()
@FUZZ_SETTINGS
def test_it_answers_the_seller_without_server_errors(case: schemathesis.Case, seller_token: str) -> None:
    call_and_roll_back(case, {"Authorization": f"Token {seller_token}"})


@anonymous_schema.parametrize()
@settings(FUZZ_SETTINGS, max_examples=5)
def test_it_answers_anonymous_visitors_without_server_errors(case: schemathesis.Case, seller_token: str) -> None:
    call_and_roll_back(case, {})


# Bad input that answered 500 before (found by these runs and by probing around them)


@pytest.mark.parametrize("path", ["/api/listings/", "/api/favorites/"])
def test_it_describes_what_a_post_takes_on_options(path: str, api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)

    response = api_client.options(path)

    assert response.status_code == 200
    assert "POST" in response.json()["actions"]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [
    ("price_max=1e-200000", "price_max"),  # PostgreSQL cannot even compare such a number
    ("price_min=0.001", "price_min"),
    ("baths_min=1e-200000", "baths_min"),
    ("beds_min=1e-200000", "beds_min"),
    ("beds_min=2.5", "beds_min"),
    ("year_min=2015.5", "year_min"),
])
def test_it_answers_400_to_numbers_finer_than_their_column(query: str, field: str, api_client: APIClient) -> None:
    response = api_client.get(f"/api/listings/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.django_db
def test_it_still_reads_whole_numbers_written_with_a_decimal_point(api_client: APIClient) -> None:
    HomeFactory(bed=3)

    response = api_client.get("/api/listings/?beds_min=3.0&baths_min=2.0&price_max=200000.00")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_answers_400_to_a_description_past_its_limit(api_client: APIClient, seller: User) -> None:
    api_client.force_authenticate(seller)
    # Distinct words: their search vector alone was past PostgreSQL's 1 MB.
    words = (f"w{number:x}" for number in range(DESCRIPTION_MAX_LENGTH))
    description = " ".join(words)[: DESCRIPTION_MAX_LENGTH + 1]

    response = api_client.post("/api/listings/", {
        "kind": "home", "title": "House", "price": "150000", "state": "PR", "description": description,
    }, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["description"]


@pytest.mark.django_db
def test_it_answers_400_to_a_username_with_a_lone_surrogate(api_client: APIClient) -> None:
    body = '{"username": "seller\\ud800", "password": "correct horse battery staple"}'

    response = api_client.generic("POST", "/api/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["username"]
