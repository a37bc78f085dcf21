"""The recommender's JSON API, included at ``/api/`` beside the listings API."""

from __future__ import annotations

from django.urls import URLPattern, path

from recommendations import api

urlpatterns: list[URLPattern] = [
    path("feed/", api.FeedApi.as_view(), name="api_feed"),
    path("listings/<int:pk>/similar/", api.SimilarListingsApi.as_view(), name="api_listing_similar"),
]
