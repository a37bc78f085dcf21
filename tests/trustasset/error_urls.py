"""The project's URLs and error handlers plus views that fail on purpose (tests/trustasset/test_error_pages.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from trustasset.urls import handler400, handler403, handler404, handler500
from trustasset.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

REFUSAL = "Only the <b>seller</b> may open this."


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(REFUSAL)


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("refused/", refuse),
    path("broken/", fail),
    path("api/refused/", refuse),
    path("api/broken/", fail),
    *project_urlpatterns,
]
