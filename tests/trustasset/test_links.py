from __future__ import annotations

import pytest
from django.test import RequestFactory

from trustasset.links import RequestUrls, site_url


@pytest.mark.parametrize(("path", "url"), [
    ("/listings/7/", "https://testserver/listings/7/"),
    ("/media/listings/7/caf\u00e9 front.jpg", "https://testserver/media/listings/7/caf%C3%A9%20front.jpg"),
    ("/listings/?kind=home&q=a b", "https://testserver/listings/?kind=home&q=a%20b"),
    ("listings/7/", "https://testserver/api/listings/listings/7/"),  # relative to the request's path
    ("//cdn/x", "https://cdn/x"),
    ("/a/../b/", "https://testserver/b/"),
])
def test_it_gives_each_path_on_the_requests_scheme_and_host(rf: RequestFactory, path: str, url: str) -> None:
    request = rf.get("/api/listings/", secure=True)
    urls = RequestUrls(request)

    assert (urls(path), urls(path)) == (url, url)
    assert url == request.build_absolute_uri(path)  # as Django's own builder has it


def test_it_leaves_paths_as_they_are_without_a_request() -> None:
    assert RequestUrls(None)("/listings/7/") == "/listings/7/"


def test_it_puts_mail_links_on_the_site_url(settings: object) -> None:
    settings.SITE_URL = "https://trustasset.example"  # type: ignore[attr-defined]

    assert site_url("/listings/7/") == "https://trustasset.example/listings/7/"
