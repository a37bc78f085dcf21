"""The site's error answers (``handler400``/``403``/``404``/``500`` in ``trustasset/urls.py``): pages in the
site's look for people (``templates/404.html`` and the others, as Django's own views render them), and
JSON shaped as the API's other errors (``{"detail": "…"}``) under ``/api/``, where clients read the body.

A form refused for its CSRF token is ``csrf_failure`` (``CSRF_FAILURE_VIEW``): ``templates/403_csrf.html``
in the site's look, telling a browser without the cookie from a stale page. The API checks its session
callers' tokens itself (DRF), in JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template.loader import render_to_string
from django.views import defaults

API_PREFIX = "/api/"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_api(request):
        return JsonResponse({"detail": "Server error: it has been logged; try again later."}, status=500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponseForbidden(
        render_to_string("403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, request=request)
    )


def _for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)
