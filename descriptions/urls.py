"""Pages of the "Write it for me" panel (the listing edit page includes the panel)."""

from __future__ import annotations

from django.urls import URLPattern, path

from descriptions import views

urlpatterns: list[URLPattern] = [
    path("listings/<int:pk>/descriptions/", views.description_request_create, name="description_request_create"),
    path("descriptions/<int:pk>/", views.description_request_panel, name="description_request_panel"),
    path("descriptions/<int:pk>/accept/", views.description_accept, name="description_accept"),
    path("descriptions/<int:pk>/discard/", views.description_discard, name="description_discard"),
]
