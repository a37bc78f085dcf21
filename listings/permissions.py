"""Who may change a listing through the API: its seller, or staff (``Listing.is_editable_by``)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from listings.models import EDITOR_ONLY, Listing


class IsListingEditor(BasePermission):
    message = EDITOR_ONLY

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return isinstance(obj, Listing) and obj.is_editable_by(request.user)


class IsListingEditorOrReadOnly(IsListingEditor):
    """Anyone who can see the listing may read it; only its editors may change it."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return request.method in SAFE_METHODS or super().has_object_permission(request, view, obj)
