"""The JSON API, included at ``/api/``; documented at ``/api/docs/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from listings import api

urlpatterns: list[URLPattern] = [
    path("listings/", api.ListingListCreateApi.as_view(), name="api_listings"),
    path("listings/<int:pk>/", api.ListingDetailApi.as_view(), name="api_listing_detail"),
    path("listings/<int:pk>/publish/", api.ListingPublishApi.as_view(), name="api_listing_publish"),
    path("listings/<int:pk>/withdraw/", api.ListingWithdrawApi.as_view(), name="api_listing_withdraw"),
    path("listings/<int:pk>/photos/", api.ListingPhotoCreateApi.as_view(), name="api_listing_photos"),
    path("listings/<int:pk>/inquiries/", api.ListingInquiryCreateApi.as_view(), name="api_listing_inquiries"),
    path("favorites/", api.FavoriteListCreateApi.as_view(), name="api_favorites"),
    path("favorites/<int:listing_id>/", api.FavoriteDeleteApi.as_view(), name="api_favorite_detail"),
    path("interactions/", api.InteractionCreateApi.as_view(), name="api_interactions"),
    path("auth/token/", api.TokenObtainApi.as_view(), name="api_auth_token"),
]
