from __future__ import annotations

from django.urls import path

from listings import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.listing_search, name="listing_search"),
    path("listings/new/", views.listing_create, name="listing_create"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/placeholder.svg", views.listing_placeholder, name="listing_placeholder"),
    path("listings/<int:pk>/favorite/", views.favorite_toggle, name="favorite_toggle"),
    path("listings/<int:pk>/contact/", views.listing_contact, name="listing_contact"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/publish/", views.listing_publish, name="listing_publish"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("listings/<int:pk>/photos/", views.listing_photo_upload, name="listing_photo_upload"),
    path("listings/<int:pk>/photos/<int:photo_pk>/delete/", views.listing_photo_delete, name="listing_photo_delete"),
    path("favorites/", views.favorites, name="favorites"),
    path("saved-searches/", views.saved_searches, name="saved_searches"),
    path("saved-searches/new/", views.saved_search_create, name="saved_search_create"),
    path("saved-searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("alerts/unsubscribe/<str:token>/", views.alerts_unsubscribe, name="alerts_unsubscribe"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
