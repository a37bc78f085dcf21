from __future__ import annotations

from django.urls import path

from recommendations import views

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/reset/", views.history_reset, name="history_reset"),
    path("listings/<int:pk>/not-interested/", views.listing_dismiss, name="listing_dismiss"),
    path("listings/<int:pk>/not-interested/undo/", views.listing_undismiss, name="listing_undismiss"),
]
