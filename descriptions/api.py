"""The descriptions API: ask for a draft of a listing's description, follow it, accept or discard it.

Only the listing's seller or an admin may do any of it; others get 403 on the listing's endpoint and
404 on a request's (a request's existence is not shown to them).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from descriptions import selectors, services
from descriptions.models import DescriptionRequest
from descriptions.serializers import (
    DescriptionAcceptInputSerializer,
    DescriptionRequestInputSerializer,
    DescriptionRequestOutputSerializer,
)
from listings.permissions import FORBIDDEN, NOT_FOUND, IsListingEditor, ListingObjectApi
from trustasset.api import BAD_REQUEST, BaseApi, signed_in

CONFLICT = OpenApiResponse(description="The draft is not in a state that allows this (e.g. already accepted).")
REQUEST_NOT_FOUND = OpenApiResponse(description="No such request, or not one of the caller's listings.")


class ListingDescriptionsApi(ListingObjectApi):
    permission_classes = [IsAuthenticated, IsListingEditor]

    @extend_schema(summary="The listing's description drafts, newest first",
                   responses={200: DescriptionRequestOutputSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        requests = selectors.description_requests_for_listing(listing=self.listing(request, pk))
        return Response(DescriptionRequestOutputSerializer(requests, many=True).data)

    @extend_schema(
        summary="Ask for a drafted description (written in the background)",
        description="Answers 202 with the queued request; poll it until `status` is `ready` or `failed`. "
                    "While a draft is being written, asking again answers that one.",
        request=DescriptionRequestInputSerializer,
        responses={202: DescriptionRequestOutputSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = DescriptionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = services.description_request_create(listing=self.listing(request, pk), by=signed_in(request),
                                                   tone=serializer.validated_data["tone"])
        return Response(DescriptionRequestOutputSerializer(made).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": reverse("api_description_request", args=[made.pk])})


class DescriptionRequestObjectApi(BaseApi):
    permission_classes = [IsAuthenticated]

    def description_request(self, request: Request, pk: int) -> DescriptionRequest:
        found = selectors.description_request_for_editor(pk=pk, user=request.user)
        if found is None:
            raise NotFound("No such description request.")
        return found

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.DescriptionStateError):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


class DescriptionRequestApi(DescriptionRequestObjectApi):
    @extend_schema(summary="A description request: its status, draft and findings",
                   responses={200: DescriptionRequestOutputSerializer, 404: REQUEST_NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(DescriptionRequestOutputSerializer(self.description_request(request, pk)).data)


class DescriptionAcceptApi(DescriptionRequestObjectApi):
    @extend_schema(
        summary="Accept a ready draft (or your edit of it) as the listing's description",
        description="The replaced description stays in the listing's history.",
        request=DescriptionAcceptInputSerializer,
        responses={200: DescriptionRequestOutputSerializer, 400: BAD_REQUEST, 404: REQUEST_NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = DescriptionAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accepted = services.description_accept(request=self.description_request(request, pk), by=signed_in(request),
                                               text=serializer.validated_data.get("text"))
        return Response(DescriptionRequestOutputSerializer(accepted).data)


class DescriptionDiscardApi(DescriptionRequestObjectApi):
    @extend_schema(summary="Discard a draft", request=None,
                   responses={200: DescriptionRequestOutputSerializer, 404: REQUEST_NOT_FOUND, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        discarded = services.description_discard(request=self.description_request(request, pk), by=signed_in(request))
        return Response(DescriptionRequestOutputSerializer(discarded).data)
