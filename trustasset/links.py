"""Absolute addresses of the site's paths: on the request's scheme and host in API answers, on ``SITE_URL`` in
mail (workers send it, with no request to take a host from)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.encoding import iri_to_uri
from rest_framework.request import Request


def site_url(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) on the public site: ``SITE_URL`` + ``path``."""
    return f"{settings.SITE_URL}{path}"


class RequestUrls:
    """``request.build_absolute_uri(path)`` for many paths of one answer, the scheme and host worked out once
    rather than for each (a page of 20 listings has a page and photos each); without a request, paths stay
    as they are."""

    def __init__(self, request: HttpRequest | Request | None) -> None:
        self._request = request
        self._origin: str | None = None

    def __call__(self, path: str) -> str:
        request = self._request
        if request is None:
            return path
        if not path.startswith("/") or path.startswith("//") or "/./" in path or "/../" in path:
            return request.build_absolute_uri(path)  # Django's own way for these
        if self._origin is None:
            self._origin = request.build_absolute_uri("/")[:-1]
        return iri_to_uri(self._origin + path)
