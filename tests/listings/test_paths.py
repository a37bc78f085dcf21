"""Paths of a listing's pages built without a reverse() per listing: always what reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from listings.paths import listing_path


@pytest.mark.parametrize("name", ["listing_detail", "listing_placeholder", "listing_edit", "listing_contact"])
@pytest.mark.parametrize("pk", [1, 42, 987654321, 12_345_678_901])
def test_it_builds_what_reverse_gives(name: str, pk: int) -> None:
    assert listing_path(name, pk) == reverse(name, args=[pk])


def test_it_follows_the_script_prefix_the_site_is_served_under() -> None:
    try:
        set_script_prefix("/market/")
        assert listing_path("listing_detail", 7) == "/market/listings/7/"
    finally:
        set_script_prefix("/")
    assert listing_path("listing_detail", 7) == "/listings/7/"


def test_it_refuses_a_url_that_does_not_take_a_listing_id_alone() -> None:
    with pytest.raises(NoReverseMatch):
        listing_path("listing_photo_delete", 3)
