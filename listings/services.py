"""Writes: every change to listings and to what people do with them goes through here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from listings.models import (
    Event,
    Favorite,
    Inquiry,
    Interaction,
    Listing,
    ListingPhoto,
    PriceChange,
    SavedSearch,
    Status,
)
from recommendations.actors import Actor
from recommendations.services.profiles import profile_mark_stale
from trustasset.enqueue import task_enqueue

MAX_PHOTOS_PER_LISTING = 20


def listing_create(*, seller: User, data: dict[str, Any], publish: bool = False) -> Listing:
    """A new listing of ``seller``'s from validated ``data``; published at once when ``publish``."""
    listing = Listing(seller=seller, **data)
    listing.status = Status.ACTIVE if publish else Status.DRAFT
    listing.published_at = timezone.now() if publish else None
    listing.full_clean()
    listing.save()
    _embedding_schedule(listing=listing)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, data: dict[str, Any], by: User) -> Listing:
    """Apply validated ``data`` to ``listing``; a changed price is written to the price history."""
    listing.require_editor(by)
    old_price = Listing.objects.select_for_update().values_list("price", flat=True).get(pk=listing.pk)
    for field, value in data.items():
        setattr(listing, field, value)
    listing.full_clean()
    listing.save()
    if Decimal(listing.price) != old_price:
        PriceChange.objects.create(listing=listing, old_price=old_price, new_price=listing.price)
    _embedding_schedule(listing=listing)
    return listing


def _embedding_schedule(*, listing: Listing) -> None:
    """Embed the listing by the active encoder seconds after the change commits (no retraining)."""
    task_enqueue("recommendations.tasks.listing_embed", listing.pk)


def listing_publish(*, listing: Listing, by: User) -> Listing:
    listing.require_editor(by)
    _listing_set_status(listing=listing, status=Status.ACTIVE)
    _embedding_schedule(listing=listing)
    return listing


def listing_withdraw(*, listing: Listing, by: User) -> Listing:
    listing.require_editor(by)
    return _listing_set_status(listing=listing, status=Status.WITHDRAWN)


def listing_delete(*, listing: Listing, by: User) -> None:
    listing.require_editor(by)
    listing.delete()


def _listing_set_status(*, listing: Listing, status: str) -> Listing:
    listing.status = status
    if status == Status.ACTIVE and listing.published_at is None:
        listing.published_at = timezone.now()
    listing.save(update_fields=["status", "published_at", "updated_at"])
    return listing


def listing_photo_add(*, listing: Listing, image: UploadedFile, by: User) -> ListingPhoto:
    """Attach an already validated image (forms and serializers check it with Pillow)."""
    listing.require_editor(by)
    with transaction.atomic():
        Listing.objects.select_for_update().get(pk=listing.pk)  # serializes concurrent uploads
        if listing.photos.count() >= MAX_PHOTOS_PER_LISTING:
            raise ValidationError(f"A listing has at most {MAX_PHOTOS_PER_LISTING} photos.")
        last = listing.photos.aggregate(last=Max("position"))["last"]
        photo = ListingPhoto.objects.create(listing=listing, image=image, position=(last or 0) + 1)
        _listing_touch(listing)
        return photo


def listing_photo_delete(*, photo: ListingPhoto, by: User) -> None:
    photo.listing.require_editor(by)
    photo.image.delete(save=False)
    with transaction.atomic():
        photo.delete()
        _listing_touch(photo.listing)


def _listing_touch(listing: Listing) -> None:
    """Photos are part of what a listing shows (its cards, its page): a change to them dates it, so what
    was kept of it (a cached page section, the placeholder's URL) is seen as stale."""
    listing.updated_at = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(updated_at=listing.updated_at)


def interaction_record(
    *, listing: Listing | int, event: str, user: User | None = None, session_key: str = "",
    context: dict[str, Any] | None = None,
) -> Interaction | None:
    """Log one signal; None when there is nobody to attribute it to (no user, no session)."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    if user_id is None and not session_key:
        return None
    listing_id = listing if isinstance(listing, int) else listing.pk
    interaction = Interaction.objects.create(
        user_id=user_id, session_key="" if user_id else session_key, listing_id=listing_id, event=event,
        context=context or {},
    )
    if event != Event.IMPRESSION:
        profile_mark_stale(actor=Actor(user_id=user_id, session_key="" if user_id else session_key))
    return interaction


def favorite_add(*, user: User, listing: Listing) -> Favorite:
    favorite, created = Favorite.objects.get_or_create(user=user, listing=listing)
    if created:
        interaction_record(listing=listing, event=Event.FAVORITE, user=user)
    return favorite


def favorite_remove(*, user: User, listing: Listing) -> bool:
    deleted, _ = Favorite.objects.filter(user=user, listing=listing).delete()
    if deleted:
        interaction_record(listing=listing, event=Event.UNFAVORITE, user=user)
    return bool(deleted)


def inquiry_create(*, listing: Listing, sender: User, message: str, reply_to: str) -> Inquiry:
    """Store a buyer's message and mail it to the seller once the transaction commits."""
    if listing.seller_id is None:
        raise ValidationError("This listing was imported and has no seller on TrustAsset to contact.")
    if listing.seller_id == sender.pk:
        raise ValidationError("You cannot contact yourself about your own listing.")
    with transaction.atomic():
        inquiry = Inquiry.objects.create(listing=listing, sender=sender, message=message, reply_to=reply_to)
        interaction_record(listing=listing, event=Event.CONTACT, user=sender)
        task_enqueue("listings.tasks.inquiry_mail", inquiry.pk)
    return inquiry


def saved_search_create(*, user: User, name: str, filters: dict[str, str]) -> SavedSearch:
    return SavedSearch.objects.create(user=user, name=name, filters=filters)


def saved_search_delete(*, saved_search: SavedSearch, by: User) -> None:
    if saved_search.user_id != by.pk:
        raise PermissionDenied("That saved search is not yours.")
    saved_search.delete()


def listings_set_status(*, listing_ids: list[int], status: str) -> int:
    """Moderation: set ``status`` on many listings at once (admin actions); returns how many changed."""
    changed = Listing.objects.filter(pk__in=listing_ids).exclude(status=status)
    if status == Status.ACTIVE:
        changed.filter(published_at__isnull=True).update(published_at=timezone.now())
    return changed.update(status=status, updated_at=timezone.now())
