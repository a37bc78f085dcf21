"""What every app's JSON API shares: the base view, the signed-in caller, and the 400 answer's description.

An API view per endpoint subclasses ``BaseApi``; the listing-specific pieces (a listing's lookup and its
403 and 404 answers) are in ``listings/permissions.py``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import APIView

BAD_REQUEST = OpenApiResponse(description="Field errors: {field: [message, …]}.")


class BaseApi(APIView):
    # Comments, not a docstring: drf-spectacular would show it as every operation's description.
    # A model or service ``ValidationError`` answers 400 with field errors, like a serializer's.

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            detail = as_serializer_error(exc)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            exc = ValidationError(detail)
        return super().handle_exception(exc)


def signed_in(request: Request) -> User:
    """The caller of a view whose permissions require a signed-in user."""
    if not isinstance(request.user, User):
        raise NotAuthenticated()
    return request.user


def signed_in_or_none(request: Request) -> User | None:
    """The signed-in caller, or None for an anonymous one."""
    return request.user if isinstance(request.user, User) else None
