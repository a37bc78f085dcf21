"""The project's URLs plus the benches' baselines: a minimal JSON view (``bench/similar_api.py``,
``feed_api.py``, ``load.sh``) and the site's empty layout as a page (``load.sh``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path

from trustasset.urls import handler400, handler403, handler404, handler500
from trustasset.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]  # the project's error answers


def minimal(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def page(request: HttpRequest) -> HttpResponse:
    """The least any page of the site costs: the session and the user read, the base template rendered."""
    return render(request, "base.html")


urlpatterns = [path("bench/minimal/", minimal), path("bench/page/", page), *project_urlpatterns]
