"""The recommender's JSON API: similar listings (``/api/listings/{id}/similar/``) and the feed (``/api/feed/``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from listings.models import Kind
from listings.permissions import NOT_FOUND
from listings.selectors import listing_visible
from listings.serializers import ListingOutputSerializer
from recommendations.actors import actor_from_request
from recommendations.models import Intent
from recommendations.selectors import MAX_LIMIT, similar_listings
from recommendations.services import feed
from trustasset import metrics
from trustasset.api import BAD_REQUEST, BaseApi

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
        listing = listing_visible(pk=pk, user=request.user)
        if listing is None:
            raise NotFound("No such listing.")
        params = SimilarInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        items = similar_listings(listing=listing, limit=params.validated_data["limit"])
        metrics.recommendations_served(slot=metrics.SLOT_SIMILAR_API, count=len(items))
        return Response(SimilarOutputSerializer({"results": items}, context={"request": request}).data)


class FeedInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.HOME, help_text="Homes or cars.")
    limit = serializers.IntegerField(min_value=1, max_value=feed.MAX_LIMIT, default=DEFAULT_LIMIT,
                                     help_text="How many listings to return.")


class PricesOutputSerializer(serializers.Serializer):
    sale = serializers.FloatField(allow_null=True)
    rent = serializers.FloatField(allow_null=True, help_text="Per month.")


class ProfileOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    personalized = serializers.BooleanField(help_text="False: popular and new listings (no history yet).")
    intent = serializers.ChoiceField(choices=Intent.choices, allow_null=True)
    intent_source = serializers.ChoiceField(choices=["yours", "inferred"], allow_null=True,
                                            help_text="Set by you in your preferences, or inferred.")
    target_price = PricesOutputSerializer(help_text="Interest-weighted mean price of what you looked at.")
    budget = PricesOutputSerializer(help_text="Your own budget; it wins over the target price.")
    listings = serializers.IntegerField(help_text="Listings your profile is made of.")
    computed_at = serializers.DateTimeField(allow_null=True)


class FeedItemOutputSerializer(serializers.Serializer):
    listing = ListingOutputSerializer()
    score = serializers.FloatField(help_text="Ranking score; higher is better.")
    reason = serializers.CharField(help_text='Why it is here, e.g. "Because you viewed 12 Oak St · New this week".')


class FeedOutputSerializer(serializers.Serializer):
    profile = ProfileOutputSerializer()
    results = FeedItemOutputSerializer(many=True)


class FeedApi(BaseApi):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Your personalized feed",
        description="Active listings of one kind for the caller (signed-in user or anonymous session), best "
                    "first, each with a reason; popular and new listings until there is history. What is "
                    "returned is logged as impressions.",
        parameters=[FeedInputSerializer],
        responses={200: FeedOutputSerializer, 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        params = FeedInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        actor = actor_from_request(request)
        result = feed.feed_build(actor=actor, kind=params.validated_data["kind"],
                                 limit=params.validated_data["limit"])
        if actor is not None:
            feed.impressions_record(actor=actor, listing_ids=[item.listing.pk for item in result.items], slot="api")
        data = {"profile": result.profile, "results": result.items}
        return Response(FeedOutputSerializer(data, context={"request": request}).data)
