from __future__ import annotations

import pytest
from django.test import RequestFactory

from trustasset.http import next_url, redirect_back


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)", "",
])
def test_it_refuses_a_next_that_leaves_the_site(rf: RequestFactory, target: str) -> None:
    assert next_url(rf.post("/", {"next": target})) == ""


def test_it_follows_a_next_on_this_site_from_the_form_or_the_query(rf: RequestFactory) -> None:
    assert next_url(rf.post("/", {"next": "/listings/?kind=home"})) == "/listings/?kind=home"
    assert next_url(rf.get("/accounts/login/", {"next": "/favorites/"})) == "/favorites/"


def test_it_refuses_a_next_that_drops_from_https_to_http(rf: RequestFactory) -> None:
    request = rf.post("/", {"next": "http://testserver/favorites/"}, secure=True)

    assert next_url(request) == ""


def test_it_redirects_back_or_to_the_default(rf: RequestFactory) -> None:
    back = redirect_back(rf.post("/", {"next": "/favorites/"}), default="/")
    elsewhere = redirect_back(rf.post("/", {"next": "https://evil.example/"}), default="/dashboard/")

    assert (back["Location"], elsewhere["Location"]) == ("/favorites/", "/dashboard/")
