"""Homes and cars for sale or rent, and what people do with them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from listings.paths import listing_path
from recommendations.ml import events

# Sane ranges: values outside them are refused by forms, the API and the importers.
PRICE_MIN = {("home", "sale"): Decimal(1_000), ("home", "rent"): Decimal(50),
             ("car", "sale"): Decimal(100), ("car", "rent"): Decimal(10)}
PRICE_MAX = {("home", "sale"): Decimal(500_000_000), ("home", "rent"): Decimal(1_000_000),
             ("car", "sale"): Decimal(5_000_000), ("car", "rent"): Decimal(100_000)}
BED_MAX = 20
BATH_MAX = 20
HOUSE_SIZE_MIN = 100
HOUSE_SIZE_MAX = 100_000
ACRE_LOT_MAX = 50_000
YEAR_MIN = 1900
ODOMETER_MAX = 1_000_000
# PostgreSQL's search vector of a listing (title and description) must stay under 1 MB: a few hundred
# thousand distinct words were a 500. The description drafts' limit.
DESCRIPTION_MAX_LENGTH = 10_000
# What someone who is neither a listing's seller nor staff is told when they try to change it (pages and API).
EDITOR_ONLY = "Only the listing's seller or an admin can change it."


def year_max() -> int:
    """Next year's models are on sale from mid-year."""
    return timezone.now().year + 1


def listing_range_errors(
    *, kind: str, offer: str, price: Decimal | None, bed: int | None = None, bath: Decimal | None = None,
    house_size: int | None = None, acre_lot: float | None = None, year: int | None = None,
    odometer: int | None = None,
) -> dict[str, str]:
    """Field → message for every value outside its sane range; the one place that knows the ranges.

    Forms, the API and the importers all refuse with these messages.
    """
    errors: dict[str, str] = {}
    if price is None:
        errors["price"] = "Price is required."
    elif price <= 0:
        errors["price"] = "Price must be positive."
    elif (kind, offer) in PRICE_MIN:
        low, high = PRICE_MIN[kind, offer], PRICE_MAX[kind, offer]
        per = " per month" if offer == "rent" else ""
        if not low <= price <= high:
            errors["price"] = f"Price ${price:,.0f}{per} is outside the sane range ${low:,.0f}–${high:,.0f}{per}."
    if bed is not None and not 0 <= bed <= BED_MAX:
        errors["bed"] = f"{bed} bedrooms is impossible (0–{BED_MAX})."
    if bath is not None and not 0 <= bath <= BATH_MAX:
        errors["bath"] = f"{bath} bathrooms is impossible (0–{BATH_MAX})."
    if house_size is not None and not HOUSE_SIZE_MIN <= house_size <= HOUSE_SIZE_MAX:
        errors["house_size"] = f"House size {house_size} sqft is impossible ({HOUSE_SIZE_MIN}–{HOUSE_SIZE_MAX:,})."
    if acre_lot is not None and not 0 <= acre_lot <= ACRE_LOT_MAX:
        errors["acre_lot"] = f"Lot of {acre_lot:g} acres is impossible (0–{ACRE_LOT_MAX:,})."
    if year is not None and not YEAR_MIN <= year <= year_max():
        errors["year"] = f"Year {year} is impossible ({YEAR_MIN}–{year_max()})."
    if odometer is not None and not 0 <= odometer <= ODOMETER_MAX:
        errors["odometer"] = f"Odometer {odometer:,} miles is impossible (0–{ODOMETER_MAX:,})."
    return errors


class Kind(models.TextChoices):
    HOME = "home", "Home"
    CAR = "car", "Car"


class Offer(models.TextChoices):
    SALE = "sale", "For sale"
    RENT = "rent", "For rent"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PENDING = "pending", "Pending"
    SOLD = "sold", "Sold"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Buyers see active, pending and sold listings; drafts and withdrawn ones only their seller (and staff).
VISIBLE_STATUSES = (Status.ACTIVE, Status.PENDING, Status.SOLD)


class Source(models.TextChoices):
    TRUSTASSET = "trustasset", "TrustAsset"
    REALTOR = "realtor", "realtor.com"
    CRAIGSLIST = "craigslist", "Craigslist"
    DEMO = "demo", "Demo data"


def new_external_id() -> str:
    return uuid.uuid4().hex


class ListingManager(models.Manager["Listing"]):
    def get_queryset(self) -> models.QuerySet[Listing]:
        # The search document is for the database's full-text index only; loading it into every
        # listing would parse a tsvector per row on every page for nothing.
        return super().get_queryset().defer("search_document")


class Listing(models.Model):
    kind = models.CharField(max_length=8, choices=Kind.choices)
    offer = models.CharField(max_length=8, choices=Offer.choices, default=Offer.SALE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Asking price; per month for rentals."
    )
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, help_text="Two-letter postal code, e.g. PR.")
    zip_code = models.CharField(max_length=5, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="listings"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TRUSTASSET)
    external_id = models.CharField(max_length=64, default=new_external_id)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Homes
    bed = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(BED_MAX)])
    bath = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(BATH_MAX)],
    )
    house_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Square feet.",
        validators=[MinValueValidator(HOUSE_SIZE_MIN), MaxValueValidator(HOUSE_SIZE_MAX)],
    )
    acre_lot = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(ACRE_LOT_MAX)]
    )
    prev_sold_date = models.DateField(null=True, blank=True)
    brokered_by = models.CharField(max_length=64, blank=True)

    # Cars
    make = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=80, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(YEAR_MIN)])
    odometer = models.PositiveIntegerField(
        null=True, blank=True, help_text="Miles.", validators=[MaxValueValidator(ODOMETER_MAX)]
    )
    condition = models.CharField(max_length=20, blank=True)
    cylinders = models.CharField(max_length=20, blank=True)
    fuel = models.CharField(max_length=20, blank=True)
    transmission = models.CharField(max_length=20, blank=True)
    drive = models.CharField(max_length=10, blank=True)
    size = models.CharField(max_length=20, blank=True)
    body_type = models.CharField(max_length=20, blank=True)
    paint_color = models.CharField(max_length=20, blank=True)
    title_status = models.CharField(max_length=20, blank=True)

    search_document = models.GeneratedField(
        expression=SearchVector("title", "city", "make", "model", "description", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ListingManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="listing_source_external_id_uniq"),
            models.CheckConstraint(condition=Q(price__gt=0), name="listing_price_positive"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="listing_kind_valid"),
            models.CheckConstraint(condition=Q(offer__in=Offer.values), name="listing_offer_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="listing_status_valid"),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-published_at"], name="listing_browse_idx"),
            models.Index(fields=["kind", "status", "price"], name="listing_price_idx"),
            models.Index(fields=["state", "city"], name="listing_place_idx"),
            models.Index(fields=["zip_code"], name="listing_zip_idx"),
            models.Index(fields=["make", "model"], name="listing_make_model_idx"),
            models.Index(fields=["seller", "-updated_at"], name="listing_seller_idx"),
            GinIndex(fields=["search_document"], name="listing_search_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return listing_path("listing_detail", self.pk)

    @property
    def is_visible(self) -> bool:
        """Whether buyers see it (``VISIBLE_STATUSES``)."""
        return self.status in VISIBLE_STATUSES

    @property
    def price_per_sqft(self) -> Decimal | None:
        if self.kind != Kind.HOME or not self.house_size:
            return None
        return (self.price / self.house_size).quantize(Decimal("0.01"))

    def clean(self) -> None:
        errors = listing_range_errors(
            kind=self.kind, offer=self.offer, price=self.price, bed=self.bed, bath=self.bath,
            house_size=self.house_size, acre_lot=self.acre_lot, year=self.year, odometer=self.odometer,
        )
        if self.kind == Kind.CAR:
            for field in ("make", "model", "year"):
                if not getattr(self, field):
                    errors.setdefault(field, "Required for a car.")
        if errors:
            raise ValidationError(errors)

    def is_editable_by(self, user: object) -> bool:
        return bool(getattr(user, "is_staff", False)) or (
            self.seller_id is not None and self.seller_id == getattr(user, "pk", None)
        )

    def require_editor(self, user: object, *, refusal: str = EDITOR_ONLY) -> None:
        """Raise ``PermissionDenied(refusal)`` unless ``user`` may change this listing (its seller, or staff)."""
        if not self.is_editable_by(user):
            raise PermissionDenied(refusal)


class PriceChange(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(max_digits=12, decimal_places=2)
    new_price = models.DecimalField(max_digits=12, decimal_places=2)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["listing", "changed_at", "id"]
        indexes = [models.Index(fields=["listing", "changed_at"], name="pricechange_listing_idx")]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.old_price} → {self.new_price}"


# What every browser shows; Pillow (the forms' and serializers' ImageField) opens many more (TIFF, EPS, ICO…).
PHOTO_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
PHOTO_FORMAT_MESSAGE = "Upload a JPEG, PNG, GIF or WebP photo."


def photo_format_is_allowed(image: UploadedFile) -> bool:
    """Whether an upload that Django's ``ImageField`` opened (it sets ``image.image``) is a web photo by both its
    content and its name (the stored file keeps the name's extension)."""
    detected = getattr(getattr(image, "image", None), "format", None)
    extension = Path(image.name or "").suffix.lstrip(".").lower()
    return detected in PHOTO_FORMATS and extension in PHOTO_EXTENSIONS


def photo_refusal(image: UploadedFile) -> str | None:
    """Why an upload that Django's ``ImageField`` opened cannot be a listing photo (not a web format, or over
    ``PHOTO_MAX_BYTES``), or None when it can; the page form and the API refuse with this message."""
    if not photo_format_is_allowed(image):
        return PHOTO_FORMAT_MESSAGE
    if image.size is not None and image.size > settings.PHOTO_MAX_BYTES:
        return f"The photo is {filesizeformat(image.size)}; the limit is {filesizeformat(settings.PHOTO_MAX_BYTES)}."
    return None


def photo_upload_to(photo: ListingPhoto, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"listings/{photo.listing_id}/{uuid.uuid4().hex}.{extension}"


class ListingPhoto(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["listing", "position", "id"]

    def __str__(self) -> str:
        return f"Photo {self.position} of listing {self.listing_id}"


class Favorite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="favorite_user_listing_uniq")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.listing_id}"


class SavedSearch(models.Model):
    """A stored set of search filters (the query string of the search page, as a dict)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict)
    alerts_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name


class AlertTopic(models.TextChoices):
    MATCH = "match", "New match"
    PRICE_DROP = "price_drop", "Price drop"


class AlertSent(models.Model):
    """One listing in one alert mail to one user; the unique constraints make each alert go out once.

    A match is mailed once per user and listing, whichever saved search found it. A price drop is keyed by
    the price change rather than the listing, so a second, later drop of the same listing alerts again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts_sent")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="alerts_sent")
    topic = models.CharField(max_length=12, choices=AlertTopic.choices)
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts_sent"
    )
    price_change = models.ForeignKey(
        PriceChange, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts_sent"
    )
    # The asking price the mail quoted: a later drop alerts only when the price goes below it.
    price = models.DecimalField(max_digits=12, decimal_places=2)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name_plural = "alerts sent"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "listing"], condition=Q(topic="match"), name="alertsent_match_once"
            ),
            models.UniqueConstraint(
                fields=["user", "price_change"], condition=Q(topic="price_drop"), name="alertsent_price_drop_once"
            ),
            models.CheckConstraint(condition=Q(topic__in=AlertTopic.values), name="alertsent_topic_valid"),
            models.CheckConstraint(
                condition=Q(topic="match", price_change__isnull=True)
                | Q(topic="price_drop", price_change__isnull=False, saved_search__isnull=True),
                name="alertsent_topic_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} of listing {self.listing_id} to user {self.user_id}"


class AlertSettings(models.Model):
    """A user's alert switches; a user without a row gets the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings")
    price_drops = models.BooleanField(default=True, help_text="Mail price drops on favorited listings.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert settings"

    def __str__(self) -> str:
        return f"Alert settings of user {self.user_id}"


class Inquiry(models.Model):
    """A buyer's message to a listing's seller; mailed to the seller."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="inquiries")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inquiries")
    message = models.TextField(max_length=4000)
    reply_to = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inquiries"

    def __str__(self) -> str:
        return f"Inquiry {self.pk} on listing {self.listing_id}"


class Event(models.TextChoices):
    """The event names are ``recommendations.ml.events``'s; this adds their labels."""

    VIEW = events.VIEW, "View"
    FAVORITE = events.FAVORITE, "Favorite"
    UNFAVORITE = events.UNFAVORITE, "Unfavorite"
    CONTACT = events.CONTACT, "Contact"
    SHARE = events.SHARE, "Share"
    SEARCH_CLICK = events.SEARCH_CLICK, "Search click"
    IMPRESSION = events.IMPRESSION, "Impression"


class Interaction(models.Model):
    """One signal from a signed-in user or an anonymous session about one listing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    session_key = models.CharField(max_length=40, blank=True)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="interactions")
    event = models.CharField(max_length=16, choices=Event.choices)
    created_at = models.DateTimeField(default=timezone.now)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""), name="interaction_has_actor"
            ),
            models.CheckConstraint(condition=Q(event__in=Event.values), name="interaction_event_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="interaction_user_time_idx",
                         condition=Q(user__isnull=False)),
            models.Index(fields=["session_key", "created_at"], name="interaction_session_time_idx",
                         condition=~Q(session_key="")),
            models.Index(fields=["listing", "created_at"], name="interaction_listing_time_idx"),
            models.Index(fields=["created_at"], name="interaction_time_idx"),
        ]

    def __str__(self) -> str:
        actor = f"user {self.user_id}" if self.user_id else f"session {self.session_key[:8]}"
        return f"{actor} {self.event} {self.listing_id}"
