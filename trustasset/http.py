"""What the pages share about requests: the request types views annotate (with ``request.htmx``), and the
safe ``next`` redirect."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """A request through ``HtmxMiddleware``: ``request.htmx`` is true when htmx sent it."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """The request of a ``login_required`` view."""

    user: User


def next_url(request: HttpRequest) -> str:
    """The ``next`` address the request carries (its form's field, else its query string) when it leads to this
    site, by the same scheme or a safer one; "" otherwise, so that no link sends someone elsewhere once signed in
    or after an action."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if allowed else ""


def redirect_back(request: HttpRequest, *, default: str) -> HttpResponse:
    """A redirect to ``next_url(request)``, else to ``default`` (a path or a URL name)."""
    return redirect(next_url(request) or default)
