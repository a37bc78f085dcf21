"""The JSON API (``/api/``): thin views that check input, call one service or selector, and answer.

Errors are answers, never 500s: input problems and the model's range checks come back as 400
with field errors, someone else's listing as 403, one the caller may not see as 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.login_attempts import (
    LOCKOUT_MESSAGE,
    login_failure_record,
    login_failures_clear,
    login_lockout_seconds,
)
from listings import selectors, services
from listings.filters import ListingFilter
from listings.models import Listing
from listings.permissions import FORBIDDEN, NOT_FOUND, IsListingEditor, IsListingEditorOrReadOnly, ListingObjectApi
from listings.serializers import (
    FavoriteInputSerializer,
    FavoriteOutputSerializer,
    InquiryInputSerializer,
    InquiryOutputSerializer,
    InteractionInputSerializer,
    InteractionOutputSerializer,
    ListingCreateInputSerializer,
    ListingInputSerializer,
    ListingOutputSerializer,
    ListingPhotoInputSerializer,
    ListingPhotoOutputSerializer,
    TokenOutputSerializer,
)
from listings.throttles import ScopedSettingsRateThrottle, WritesScopedRateThrottle, client_ip
from trustasset.api import BAD_REQUEST, BaseApi, signed_in, signed_in_or_none

TOO_MANY_SIGNALS = OpenApiResponse(description="Too many signals (views, shares, favorites…); see Retry-After.")


def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


# Listings


class ListingListCreateApi(BaseApi, GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    # The query parameters are the search page's FilterSet; drf-spectacular documents them from
    # these attributes, and get() runs that FilterSet through the search page's selector.
    queryset = Listing.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ListingFilter
    # What OPTIONS describes for POST (DRF's metadata asks a generic view for it; none was a 500).
    serializer_class = ListingCreateInputSerializer

    @extend_schema(
        summary="Search active listings",
        description="The search page's filters; invalid values answer 400 with the filter names.",
        responses={200: ListingOutputSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        search = selectors.listing_search(params=request.query_params)
        if not search.is_valid():
            raise translate_validation(search.errors)  # what django-filter's DRF backend answers
        page = self.paginate_queryset(search.qs.select_related("seller"))
        return self.get_paginated_response(ListingOutputSerializer(page, many=True, context=_context(request)).data)

    @extend_schema(
        summary="Create a listing (the caller is its seller)",
        request=ListingCreateInputSerializer,
        responses={201: ListingOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        serializer = ListingCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        publish = data.pop("publish")
        listing = services.listing_create(seller=signed_in(request), data=data, publish=publish)
        return Response(
            ListingOutputSerializer(listing, context=_context(request)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api_listing_detail", args=[listing.pk])},
        )


class ListingDetailApi(ListingObjectApi):
    permission_classes = [IsAuthenticatedOrReadOnly, IsListingEditorOrReadOnly]

    @extend_schema(summary="A listing", responses={200: ListingOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ListingOutputSerializer(self.listing(request, pk), context=_context(request)).data)

    @extend_schema(
        summary="Replace a listing's fields (omitted optional fields are cleared)",
        request=ListingInputSerializer,
        responses={200: ListingOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary="Change some of a listing's fields",
        request=ListingInputSerializer,
        responses={200: ListingOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    @extend_schema(summary="Delete a listing", responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND})
    def delete(self, request: Request, pk: int) -> Response:
        services.listing_delete(listing=self.listing(request, pk), by=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        listing = self.listing(request, pk)
        serializer = ListingInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        listing = services.listing_update(listing=listing, data=dict(serializer.validated_data), by=signed_in(request))
        return Response(ListingOutputSerializer(listing, context=_context(request)).data)


class ListingPublishApi(ListingObjectApi):
    permission_classes = [IsAuthenticated, IsListingEditor]

    @extend_schema(summary="Publish a listing", request=None,
                   responses={200: ListingOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        listing = services.listing_publish(listing=self.listing(request, pk), by=signed_in(request))
        return Response(ListingOutputSerializer(listing, context=_context(request)).data)


class ListingWithdrawApi(ListingObjectApi):
    permission_classes = [IsAuthenticated, IsListingEditor]

    @extend_schema(summary="Withdraw a listing", request=None,
                   responses={200: ListingOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        listing = services.listing_withdraw(listing=self.listing(request, pk), by=signed_in(request))
        return Response(ListingOutputSerializer(listing, context=_context(request)).data)


class ListingPhotoCreateApi(ListingObjectApi):
    permission_classes = [IsAuthenticated, IsListingEditor]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Add a photo to a listing",
        request=ListingPhotoInputSerializer,
        responses={201: ListingPhotoOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = self.listing(request, pk)
        serializer = ListingPhotoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.listing_photo_add(
            listing=listing, image=serializer.validated_data["image"], by=signed_in(request)
        )
        return Response(ListingPhotoOutputSerializer(photo, context=_context(request)).data,
                        status=status.HTTP_201_CREATED)


class ListingInquiryCreateApi(ListingObjectApi):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "inquiries"

    @extend_schema(
        summary="Send the seller a message",
        description="Mailed to the seller. Imported listings have no seller to contact: 400.",
        request=InquiryInputSerializer,
        responses={201: InquiryOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND,
                   429: OpenApiResponse(description="Too many messages; see Retry-After.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = self.listing(request, pk)
        serializer = InquiryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry = services.inquiry_create(listing=listing, sender=signed_in(request), **serializer.validated_data)
        return Response(InquiryOutputSerializer(inquiry).data, status=status.HTTP_201_CREATED)


# Favorites


class FavoriteListCreateApi(BaseApi, GenericAPIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [WritesScopedRateThrottle]  # a favorite is a signal: the interactions budget
    throttle_scope = "interactions"
    filter_backends: list[Any] = []
    serializer_class = FavoriteInputSerializer  # what OPTIONS describes for POST, as above

    @extend_schema(summary="My favorite listings, newest first", responses=ListingOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        listings = selectors.favorite_listings(user=signed_in(request)).select_related("seller")
        page = self.paginate_queryset(listings)
        return self.get_paginated_response(ListingOutputSerializer(page, many=True, context=_context(request)).data)

    @extend_schema(
        summary="Favorite a listing (again is harmless)",
        request=FavoriteInputSerializer,
        responses={201: FavoriteOutputSerializer, 200: FavoriteOutputSerializer, 400: BAD_REQUEST,
                   429: TOO_MANY_SIGNALS},
    )
    def post(self, request: Request) -> Response:
        user = signed_in(request)
        serializer = FavoriteInputSerializer(data=request.data, context=_context(request))
        serializer.is_valid(raise_exception=True)
        listing = serializer.validated_data["listing"]
        # Only the status code depends on this read; the service itself is idempotent.
        existed = listing.pk in selectors.favorite_listing_ids(user=user, listing_ids=[listing.pk])
        favorite = services.favorite_add(user=user, listing=listing)
        return Response(FavoriteOutputSerializer(favorite).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class FavoriteDeleteApi(BaseApi):
    permission_classes = [IsAuthenticated]
    throttle_classes = [WritesScopedRateThrottle]
    throttle_scope = "interactions"

    @extend_schema(summary="Unfavorite a listing (again is harmless)",
                   responses={204: None, 404: NOT_FOUND, 429: TOO_MANY_SIGNALS})
    def delete(self, request: Request, listing_id: int) -> Response:
        # Any listing, so that a favorite whose listing was since withdrawn can still be removed.
        listing = get_object_or_404(Listing, pk=listing_id)
        services.favorite_remove(user=signed_in(request), listing=listing)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Signals


class InteractionCreateApi(BaseApi):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "interactions"

    @extend_schema(
        summary="Record a view, share, search click or impression",
        description="From signed-in users and anonymous visitors alike (a session is started if needed).",
        request=InteractionInputSerializer,
        responses={201: InteractionOutputSerializer, 400: BAD_REQUEST,
                   429: TOO_MANY_SIGNALS},
    )
    def post(self, request: Request) -> Response:
        serializer = InteractionInputSerializer(data=request.data, context=_context(request))
        serializer.is_valid(raise_exception=True)
        user = signed_in_or_none(request)
        interaction = services.interaction_record(
            user=user, session_key="" if user else _session_key(request), **serializer.validated_data
        )
        assert interaction is not None  # there is always a user or a session here
        return Response(InteractionOutputSerializer(interaction).data, status=status.HTTP_201_CREATED)


def _session_key(request: Request) -> str:
    """The anonymous visitor's session, started now if they have none, so their signals add up."""
    if request.session.session_key is None:
        request.session.save()
    return str(request.session.session_key)


# Tokens


class TokenObtainApi(ObtainAuthToken):
    # Password guessing: a login attempt budget per client, and a lockout per username and client after
    # LOGIN_ATTEMPTS_LIMIT failures (shared with the log-in page; accounts/login_attempts.py).
    throttle_classes = [ScopedSettingsRateThrottle]
    throttle_scope = "logins"
    parser_classes = APIView.parser_classes  # ObtainAuthToken replaces the defaults with its own list

    @extend_schema(
        summary="Exchange a username and password for an API token",
        request=AuthTokenSerializer,
        responses={200: TokenOutputSerializer, 400: BAD_REQUEST,
                   429: OpenApiResponse(description="Too many attempts; see Retry-After.")},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data if isinstance(request.data, Mapping) else {}
        attempt = {"username": str(data.get("username") or ""), "ip": client_ip(request)}
        lockout = login_lockout_seconds(**attempt)
        if lockout:
            raise Throttled(wait=lockout, detail=LOCKOUT_MESSAGE)  # DRF adds the seconds left
        try:
            response = super().post(request, *args, **kwargs)
        except ValidationError:
            login_failure_record(**attempt)
            raise
        login_failures_clear(**attempt)
        return response
