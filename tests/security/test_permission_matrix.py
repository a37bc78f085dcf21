"""Who may write what: every writing page and API endpoint (``endpoints.ENDPOINTS``) called by an anonymous
visitor, a buyer, seller A (the owner), seller B and an admin. A denied call answers its status and changes
nothing in the database; an allowed one changes it. The URLconf walk fails on any URL in neither table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.security.endpoints import (
    ANY_METHOD_READERS,
    ENDPOINTS,
    READ_ONLY,
    ROLES,
    WRITE_METHODS,
    Endpoint,
    World,
    db_fingerprint,
    send,
)

pytestmark = pytest.mark.django_db

CELLS = [(endpoint, role) for endpoint in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CELLS, ids=[f"{endpoint.id} as {role}" for endpoint, role in CELLS])
def test_it_gives_each_role_its_outcome(endpoint: Endpoint, role: str, world: World) -> None:
    user = world.users[role]
    call = endpoint.arrange(world, user)
    client = APIClient() if endpoint.api else Client()
    if user is not None:
        client.force_login(user)
    before = db_fingerprint()

    response = send(client, endpoint, call)

    expected = endpoint.outcomes[role]
    assert response.status_code == expected.status, response.content[:500]
    if expected.location:
        assert response["Location"].startswith(expected.location)
    assert (db_fingerprint() != before) == expected.writes


def url_patterns(resolver: URLResolver | None = None) -> Iterator[tuple[str, URLPattern]]:
    """(name, or route for an unnamed one; pattern) of every URL but Django's admin site (out of scope)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from url_patterns(entry)
        else:
            yield entry.name or str(entry.pattern), entry


def matrix_methods(name: str) -> set[str]:
    return {endpoint.method for endpoint in ENDPOINTS if endpoint.name == name}


def test_it_classifies_every_url() -> None:
    urls = {key for key, _ in url_patterns()}
    classified = {endpoint.name for endpoint in ENDPOINTS} | set(READ_ONLY)

    assert urls - classified == set(), "new URLs: add each to the matrix (tests/security/endpoints.py) or READ_ONLY"
    assert classified - urls == set(), "classified URLs that no longer exist"
    assert {endpoint.name for endpoint in ENDPOINTS} & set(READ_ONLY) == set()


def test_it_lists_every_writing_method_of_the_class_based_views() -> None:
    found = {}
    for key, pattern in url_patterns():
        view_class: Any = getattr(pattern.callback, "view_class", None)
        if view_class is not None:
            methods = {m for m in WRITE_METHODS if m in view_class.http_method_names and hasattr(view_class, m)}
            found[key] = (methods, matrix_methods(key) & set(WRITE_METHODS))

    assert {key: pair for key, pair in found.items() if pair[0] != pair[1]} == {}
    assert {"api_listings", "api_description_accept", "login", "logout", "api_schema"} <= set(found)


def test_it_answers_405_to_the_writing_methods_a_function_view_is_not_listed_for(admin_client: Client) -> None:
    # Signed in as an admin, so that login_required lets the request reach the method check; ids that do
    # not exist, since only 405 or not matters.
    accepted_unlisted = {}
    for key, pattern in url_patterns():
        if getattr(pattern.callback, "view_class", None) is not None or key in ANY_METHOD_READERS:
            continue
        arguments = {name: 999_999 if converter.regex == "[0-9]+" else "x"
                     for name, converter in pattern.pattern.converters.items()}
        path = reverse(key, kwargs=arguments)
        for method in set(WRITE_METHODS) - matrix_methods(key):
            if getattr(admin_client, method)(path).status_code != 405:
                accepted_unlisted.setdefault(key, []).append(method)

    assert accepted_unlisted == {}
