"""API shapes: Input serializers check what a client sends, Output serializers say what it gets back.

``ListingOutputSerializer`` is the one listing shape of the API; the favorites, similar-listings
and feed endpoints reuse it. Give it ``context={"request": request}`` for absolute URLs, and a
queryset with ``select_related("seller")`` and the photos prefetched (the selectors prefetch photos).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from listings import selectors
from listings.models import (
    DESCRIPTION_MAX_LENGTH,
    Event,
    Kind,
    Listing,
    ListingPhoto,
    Offer,
    Source,
    Status,
    photo_refusal,
)
from listings.paths import listing_path
from listings.places import state_code, zip_code_normalize, zip_place
from trustasset.links import RequestUrls

# Signals a client reports itself; favorites and contacts are recorded by the endpoints that do them.
CLIENT_EVENTS = (Event.VIEW, Event.SHARE, Event.SEARCH_CLICK, Event.IMPRESSION)
INTERACTION_CONTEXT_MAX_CHARS = 2000


class OptionalCharField(serializers.CharField):
    """Optional text, stored as "" when absent: accepts null or "", and reads back as null when empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, allow_null=True, **kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) or None


class FiniteFloatField(serializers.FloatField):
    """A float that is a real number: no booleans, NaN or infinity (1e400 in JSON parses as infinity)."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


@extend_schema_field(OpenApiTypes.INT)
class VisibleListingField(serializers.PrimaryKeyRelatedField):
    """The id of a listing the caller may open (``selectors.listing_visible_queryset``)."""

    def get_queryset(self) -> QuerySet[Listing]:
        request: Request = self.context["request"]
        return selectors.listing_visible_queryset(user=request.user)

    def to_internal_value(self, data: Any) -> Listing:
        # JSON true, 1.5 or 1e400 (infinity) are not ids; the ORM would take true as 1 and fail on infinity.
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# Listings


class ListingInputSerializer(serializers.Serializer):
    """A whole listing (PUT, and POST through the subclass) or some of its fields (PATCH).

    Shapes are checked here; sane ranges and the fields a car needs are the model's
    (``Listing.clean``), checked by the services and answered as field errors by the views.
    Omitted optional fields take their defaults, so a PUT replaces the listing.
    """

    kind = serializers.ChoiceField(choices=Kind.choices)
    offer = serializers.ChoiceField(choices=Offer.choices, default=Offer.SALE)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Per month for rentals.")
    city = serializers.CharField(max_length=100, allow_blank=True, default="")
    state = serializers.CharField(max_length=40, help_text='A state name or postal code: "Puerto Rico" or "PR".')
    zip_code = OptionalCharField(max_length=10, default="", help_text='"601" is read as "00601".')
    lat = FiniteFloatField(min_value=-90, max_value=90, allow_null=True, default=None,
                           help_text="Taken from the ZIP code when neither lat nor lon is given.")
    lon = FiniteFloatField(min_value=-180, max_value=180, allow_null=True, default=None)

    bed = serializers.IntegerField(allow_null=True, default=None)
    bath = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True, default=None)
    house_size = serializers.IntegerField(allow_null=True, default=None, help_text="Square feet.")
    acre_lot = FiniteFloatField(allow_null=True, default=None)
    prev_sold_date = serializers.DateField(allow_null=True, default=None)
    brokered_by = OptionalCharField(max_length=64, default="")

    make = OptionalCharField(max_length=40, default="")
    model = OptionalCharField(max_length=80, default="")
    year = serializers.IntegerField(allow_null=True, default=None)
    odometer = serializers.IntegerField(allow_null=True, default=None, help_text="Miles.")
    condition = OptionalCharField(max_length=20, default="")
    cylinders = OptionalCharField(max_length=20, default="")
    fuel = OptionalCharField(max_length=20, default="")
    transmission = OptionalCharField(max_length=20, default="")
    drive = OptionalCharField(max_length=10, default="")
    size = OptionalCharField(max_length=20, default="")
    body_type = OptionalCharField(max_length=20, default="")
    paint_color = OptionalCharField(max_length=20, default="")
    title_status = OptionalCharField(max_length=20, default="")

    def validate_state(self, value: str) -> str:
        code = state_code(value)
        if code is None:
            raise serializers.ValidationError(f'"{value}" is not a US state or territory.')
        return code

    def validate_zip_code(self, value: str) -> str:
        if not value:
            return ""
        zip_code = zip_code_normalize(value)
        if zip_code is None:
            raise serializers.ValidationError(f'"{value}" is not a ZIP code.')
        return zip_code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("zip_code") and attrs.get("lat") is None and attrs.get("lon") is None:
            place = zip_place(attrs["zip_code"])
            attrs["lat"], attrs["lon"] = (place.lat, place.lon) if place else (None, None)
        return attrs


class ListingCreateInputSerializer(ListingInputSerializer):
    publish = serializers.BooleanField(default=False, help_text="Publish at once instead of saving a draft.")


_PLAIN_FIELDS = ("id", "kind", "offer", "status", "title", "description", "city", "state", "lat", "lon", "source",
                 "bed", "house_size", "acre_lot", "year", "odometer")
_OPTIONAL_TEXT_FIELDS = ("zip_code", "brokered_by", "make", "model", "condition", "cylinders", "fuel",
                         "transmission", "drive", "size", "body_type", "paint_color", "title_status")


# The fields whose text the output uses, made once: a field's construction cost more than its output.
_DECIMAL_FIELDS = {places: serializers.DecimalField(max_digits=12, decimal_places=places) for places in (1, 2)}
_DATETIME_FIELD = serializers.DateTimeField()


def _decimal_text(value: Any, *, places: int) -> str:
    return _DECIMAL_FIELDS[places].to_representation(value)


def _datetime_text(value: Any) -> str | None:
    return None if value is None else _DATETIME_FIELD.to_representation(value)


class ListingOutputSerializer(serializers.Serializer):
    """One listing. Every field is always present; detail fields that do not apply or are unknown are null."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The listing's web page.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    offer = serializers.ChoiceField(choices=Offer.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Per month for rentals.")
    city = serializers.CharField()
    state = serializers.CharField()
    zip_code = OptionalCharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    seller = serializers.CharField(source="seller.username", allow_null=True,
                                   help_text="Username; null for imported listings.")
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    photos = serializers.SerializerMethodField(help_text="Photo URLs in order; a placeholder image when none.")

    bed = serializers.IntegerField(allow_null=True)
    bath = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    house_size = serializers.IntegerField(allow_null=True)
    acre_lot = serializers.FloatField(allow_null=True)
    prev_sold_date = serializers.DateField(allow_null=True)
    brokered_by = OptionalCharField()

    make = OptionalCharField()
    model = OptionalCharField()
    year = serializers.IntegerField(allow_null=True)
    odometer = serializers.IntegerField(allow_null=True)
    condition = OptionalCharField()
    cylinders = OptionalCharField()
    fuel = OptionalCharField()
    transmission = OptionalCharField()
    drive = OptionalCharField()
    size = OptionalCharField()
    body_type = OptionalCharField()
    paint_color = OptionalCharField()
    title_status = OptionalCharField()

    _urls: RequestUrls | None = None  # the response's absolute addresses, on its request's scheme and host

    def to_representation(self, instance: Listing) -> dict[str, Any]:
        """The declared fields, built directly: DRF's field-by-field path costs about 1 ms per listing,
        the largest part of a similar-listings or search response. The declared fields stay the schema;
        a test checks both paths give the same output."""
        listing = instance
        data: dict[str, Any] = {name: getattr(listing, name) for name in _PLAIN_FIELDS}
        data.update({name: getattr(listing, name) or None for name in _OPTIONAL_TEXT_FIELDS})
        data["price"] = _decimal_text(listing.price, places=2)
        data["bath"] = None if listing.bath is None else _decimal_text(listing.bath, places=1)
        data["url"] = self.get_url(listing)
        data["photos"] = self.get_photos(listing)
        data["seller"] = listing.seller.username if listing.seller is not None else None
        data["published_at"] = _datetime_text(listing.published_at)
        data["updated_at"] = _datetime_text(listing.updated_at)
        data["prev_sold_date"] = None if listing.prev_sold_date is None else listing.prev_sold_date.isoformat()
        return {name: data[name] for name in self._declared_fields}

    def get_url(self, listing: Listing) -> str:
        return self._full_url(listing.get_absolute_url())

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, listing: Listing) -> list[str]:
        paths = [photo.image.url for photo in selectors.listing_photos(listing)]
        if not paths:
            paths = [listing_path("listing_placeholder", listing.pk)]
        return [self._full_url(path) for path in paths]

    def _full_url(self, path: str) -> str:
        # One serializer serves one response (a list's child too): its RequestUrls work out the host once.
        if self._urls is None:
            self._urls = RequestUrls(self.context.get("request"))
        return self._urls(path)


# Photos


class ListingPhotoInputSerializer(serializers.Serializer):
    image = serializers.ImageField(help_text="JPEG, PNG, GIF or WebP; at most PHOTO_MAX_BYTES.")

    def validate_image(self, image: UploadedFile) -> UploadedFile:
        refusal = photo_refusal(image)
        if refusal is not None:
            raise serializers.ValidationError(refusal)
        return image


class ListingPhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()

    def get_url(self, photo: ListingPhoto) -> str:
        return RequestUrls(self.context.get("request"))(photo.image.url)


# Favorites, interactions, inquiries, tokens


class FavoriteInputSerializer(serializers.Serializer):
    listing = VisibleListingField()


class FavoriteOutputSerializer(serializers.Serializer):
    listing = serializers.IntegerField(source="listing_id")
    created_at = serializers.DateTimeField()


class InteractionInputSerializer(serializers.Serializer):
    listing = VisibleListingField()
    event = serializers.ChoiceField(choices=[(event.value, event.label) for event in CLIENT_EVENTS])
    context = serializers.DictField(  # type: ignore[assignment]
        default=dict, help_text='Where it happened, e.g. {"page": "search"}.'
    )

    def validate_context(self, value: dict[str, Any]) -> dict[str, Any]:
        # PostgreSQL's jsonb refuses what Python's json accepts beyond JSON: infinity (1e400 parses
        # as infinity), NUL characters and unpaired surrogates.
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except ValueError as error:
            raise serializers.ValidationError("Numbers must be finite.") from error
        if len(text) > INTERACTION_CONTEXT_MAX_CHARS:
            raise serializers.ValidationError(f"At most {INTERACTION_CONTEXT_MAX_CHARS} characters of JSON.")
        if any("\x00" in string or _has_surrogate(string) for string in _strings(value)):
            raise serializers.ValidationError("Text with NUL or unpaired surrogate characters.")
        return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class InteractionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    event = serializers.ChoiceField(choices=Event.choices)
    context = serializers.DictField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class InquiryInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000)
    reply_to = serializers.EmailField(help_text="Where the seller should answer.")


class InquiryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    message = serializers.CharField()
    reply_to = serializers.EmailField()
    created_at = serializers.DateTimeField()


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as the header "Authorization: Token <token>".')
