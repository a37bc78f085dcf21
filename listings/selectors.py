"""Reads: what a given person may see, searched, filtered and prefetched for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from listings.filters import ListingFilter
from listings.models import Favorite, Listing, ListingPhoto, PriceChange, SavedSearch, Status

VISIBLE_STATUSES = (Status.ACTIVE, Status.PENDING, Status.SOLD)

Viewer = User | AnonymousUser


def listing_visible_queryset(*, user: Viewer | None) -> QuerySet[Listing]:
    """Listings ``user`` may open: public ones, plus every status of their own (all, for staff)."""
    queryset = Listing.objects.all()
    if user is not None and getattr(user, "is_staff", False):
        return queryset
    visible = Q(status__in=VISIBLE_STATUSES)
    if user is not None and user.is_authenticated:
        visible |= Q(seller_id=user.pk)
    return queryset.filter(visible)


def listing_search(*, params: Mapping[str, Any], user: Viewer | None = None) -> ListingFilter:
    """Active listings matching ``params`` (the search page's query string); check ``.is_valid()``."""
    queryset = Listing.objects.filter(status=Status.ACTIVE).prefetch_related(_first_photo())
    return ListingFilter(data=params, queryset=queryset)


def listing_detail(*, pk: int, user: Viewer | None) -> Listing | None:
    return (
        listing_visible_queryset(user=user)
        .select_related("seller")
        .prefetch_related("photos", Prefetch("price_changes", queryset=PriceChange.objects.order_by("changed_at")))
        .filter(pk=pk)
        .first()
    )


def listing_for_seller(*, seller: User) -> QuerySet[Listing]:
    return Listing.objects.filter(seller=seller).order_by("-updated_at").prefetch_related(_first_photo())


def favorite_listings(*, user: User) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(favorites__user=user, status__in=VISIBLE_STATUSES)
        .order_by("-favorites__created_at")
        .prefetch_related(_first_photo())
    )


def favorite_listing_ids(*, user: Viewer | None, listing_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Favorite.objects.filter(user_id=user.pk, listing_id__in=listing_ids).values_list("listing_id", flat=True)
    )


def saved_searches(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def price_history(*, listing: Listing) -> list[tuple[Any, Any]]:
    """(when, price) points from the first known price to today's, oldest first."""
    changes = list(listing.price_changes.all())
    if not changes:
        return [(listing.published_at or listing.created_at, listing.price)]
    points = [(listing.published_at or listing.created_at, changes[0].old_price)]
    points += [(change.changed_at, change.new_price) for change in changes]
    return points


def _first_photo() -> Prefetch[Any]:
    return Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "id"))
