"""Who may see and change a listing through the API: whoever may open it (``listing_detail``) sees it, its
seller or staff change it (``Listing.is_editable_by``). Every app's listing endpoints use these."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from listings import selectors
from listings.models import EDITOR_ONLY, Listing
from trustasset.api import BaseApi

FORBIDDEN = OpenApiResponse(description="Not signed in, or not the listing's seller or an admin.")
NOT_FOUND = OpenApiResponse(description="No such listing, or not one the caller may see.")


class IsListingEditor(BasePermission):
    message = EDITOR_ONLY

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return isinstance(obj, Listing) and obj.is_editable_by(request.user)


class IsListingEditorOrReadOnly(IsListingEditor):
    """Anyone who can see the listing may read it; only its editors may change it."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return request.method in SAFE_METHODS or super().has_object_permission(request, view, obj)


class ListingObjectApi(BaseApi):
    # The views of one listing: 404 unless the caller may see it, then its object permissions.

    def listing(self, request: Request, pk: int) -> Listing:
        listing = selectors.listing_detail(pk=pk, user=request.user)
        if listing is None:
            raise NotFound("No such listing.")
        self.check_object_permissions(request, listing)
        return listing
