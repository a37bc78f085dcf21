"""The project's URLs plus a minimal JSON view: the baseline of ``bench/similar_api.py``."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from trustasset.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/minimal/", minimal), *project_urlpatterns]
