from __future__ import annotations

import pytest
from django.test import RequestFactory

from trustasset.links import RequestUrls, site_url


@pytest.mark.parametrize("path", [
    "/listings/7/", "/media/listings/7/caf\u00e9 front.jpg", "/listings/?kind=home&q=a b", "listings/7/", "//cdn/x",
    "/a/../b/",
])
def test_it_gives_the_addresses_build_absolute_uri_gives(rf: RequestFactory, path: str) -> None:
    request = rf.get("/api/listings/", secure=True)
    urls = RequestUrls(request)

    assert (urls(path), urls(path)) == (request.build_absolute_uri(path),) * 2


def test_it_leaves_paths_as_they_are_without_a_request() -> None:
    assert RequestUrls(None)("/listings/7/") == "/listings/7/"


def test_it_puts_mail_links_on_the_site_url(settings: object) -> None:
    settings.SITE_URL = "https://trustasset.example"  # type: ignore[attr-defined]

    assert site_url("/listings/7/") == "https://trustasset.example/listings/7/"
