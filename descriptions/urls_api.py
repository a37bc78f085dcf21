"""The descriptions API, included at ``/api/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from descriptions import api

urlpatterns: list[URLPattern] = [
    path("listings/<int:pk>/descriptions/", api.ListingDescriptionsApi.as_view(), name="api_listing_descriptions"),
    path("descriptions/<int:pk>/", api.DescriptionRequestApi.as_view(), name="api_description_request"),
    path("descriptions/<int:pk>/accept/", api.DescriptionAcceptApi.as_view(), name="api_description_accept"),
    path("descriptions/<int:pk>/discard/", api.DescriptionDiscardApi.as_view(), name="api_description_discard"),
]
