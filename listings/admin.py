"""Admins edit and moderate every listing and see what people do with them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from listings.models import (
    Favorite,
    Inquiry,
    Interaction,
    Listing,
    ListingPhoto,
    PriceChange,
    SavedSearch,
    Status,
)
from listings.services import listing_update, listings_set_status


class PriceChangeInline(admin.TabularInline):
    model = PriceChange
    extra = 0
    can_delete = False
    readonly_fields = ("old_price", "new_price", "changed_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ListingPhotoInline(admin.TabularInline):
    model = ListingPhoto
    extra = 0
    fields = ("image", "position", "width", "height")
    readonly_fields = ("width", "height")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "offer", "status", "price", "city", "state", "source", "published_at")
    list_filter = ("kind", "offer", "status", "source")
    search_fields = ("title", "city", "zip_code", "external_id", "make", "model", "seller__username")
    list_select_related = ("seller",)
    raw_id_fields = ("seller",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (ListingPhotoInline, PriceChangeInline)
    actions = ("publish", "withdraw", "mark_pending", "mark_sold")
    # Millions of rows: don't count the whole table on every changelist page.
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("kind", "offer", "status", "title", "description", "price", "seller")}),
        ("Place", {"fields": ("city", "state", "zip_code", "lat", "lon")}),
        ("Home", {"fields": ("bed", "bath", "house_size", "acre_lot", "prev_sold_date", "brokered_by"),
                  "classes": ("collapse",)}),
        ("Car", {"fields": ("make", "model", "year", "odometer", "condition", "cylinders", "fuel", "transmission",
                            "drive", "size", "body_type", "paint_color", "title_status"), "classes": ("collapse",)}),
        ("Provenance", {"fields": ("source", "external_id", "published_at", "created_at", "updated_at")}),
    )

    def save_model(self, request: HttpRequest, obj: Listing, form: ModelForm, change: bool) -> None:
        if change:
            listing_update(listing=obj, data={}, by=request.user)  # type: ignore[arg-type]  # admin users are signed in
        else:
            obj.save()

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Listing], status: str) -> None:
        changed = listings_set_status(listing_ids=list(queryset.values_list("pk", flat=True)), status=status)
        self.message_user(request, f"{changed} listing(s) set to {Status(status).label}.", messages.SUCCESS)

    @admin.action(description="Publish selected listings")
    def publish(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._set_status(request, queryset, Status.ACTIVE)

    @admin.action(description="Withdraw selected listings")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._set_status(request, queryset, Status.WITHDRAWN)

    @admin.action(description="Mark selected listings pending")
    def mark_pending(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._set_status(request, queryset, Status.PENDING)

    @admin.action(description="Mark selected listings sold")
    def mark_sold(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._set_status(request, queryset, Status.SOLD)


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    list_display = ("listing", "old_price", "new_price", "changed_at")
    raw_id_fields = ("listing",)
    list_select_related = ("listing",)


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "listing", "created_at")
    raw_id_fields = ("user", "listing")
    list_select_related = ("user", "listing")
    search_fields = ("user__username",)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "filters", "alerts_enabled", "created_at", "last_alerted_at")
    list_filter = ("alerts_enabled",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    search_fields = ("name", "user__username")


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("id", "listing", "sender", "reply_to", "created_at", "mailed_at")
    raw_id_fields = ("listing", "sender")
    list_select_related = ("listing", "sender")
    search_fields = ("sender__username", "reply_to", "message")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "user", "session_key", "listing", "created_at")
    list_filter = ("event",)
    raw_id_fields = ("user", "listing")
    list_select_related = ("user", "listing")
    search_fields = ("user__username", "session_key")
    show_full_result_count = False
