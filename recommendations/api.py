"""The similar-listings endpoint of the JSON API (``/api/listings/{id}/similar/``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from listings.api import BAD_REQUEST, NOT_FOUND, BaseApi
from listings.selectors import listing_visible_queryset
from listings.serializers import ListingOutputSerializer
from recommendations.selectors import MAX_LIMIT, similar_listings

DEFAULT_LIMIT = 10


class SimilarInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT,
                                     help_text="How many similar listings to return.")


class SimilarItemOutputSerializer(serializers.Serializer):
    listing = ListingOutputSerializer()
    score = serializers.FloatField(help_text="Blended similarity; higher is more similar.")
    reason = serializers.CharField(help_text='Why it is similar, e.g. "same city · 3 bd · price within 8 %".')


class SimilarOutputSerializer(serializers.Serializer):
    results = SimilarItemOutputSerializer(many=True)


class SimilarListingsApi(BaseApi):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Listings similar to a listing, most similar first",
        description="Listings of the same kind that buyers can still act on (active or pending), each with a "
                    "one-line reason. Empty while no trained model is active for the listing's kind.",
        parameters=[SimilarInputSerializer],
        responses={200: SimilarOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = listing_visible_queryset(user=request.user).filter(pk=pk).first()
        if listing is None:
            raise NotFound("No such listing.")
        params = SimilarInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        items = similar_listings(listing=listing, limit=params.validated_data["limit"])
        return Response(SimilarOutputSerializer({"results": items}, context={"request": request}).data)

