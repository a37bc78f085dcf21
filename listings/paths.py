"""Paths of a listing's pages without a ``reverse`` for each listing: a page of cards asks for 16 to 48 of
them, and ``reverse`` took about 25 µs each (bench/load.sh). ``reverse`` itself resolves the text around the
id, once per URL name, URLconf and script prefix."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 987654321  # an id that stands for every listing's; only its digits are replaced


def listing_path(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a URL whose only argument is a listing's id."""
    head, tail = _around_id(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{head}{pk}{tail}"


@lru_cache(maxsize=64)
def _around_id(name: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    path = reverse(name, args=[_MARKER], urlconf=urlconf)
    head, found, tail = path.partition(str(_MARKER))
    if not found:
        raise ValueError(f"The URL {name!r} does not show its argument as it is: {path}")
    return head, tail
