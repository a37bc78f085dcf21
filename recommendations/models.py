"""Listing embeddings in pgvector, stored neighbour lists, and what the feed knows of people."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from pgvector.django import HnswIndex, VectorField

from listings.models import Kind, Listing, Offer, Status
from recommendations.ml import profiles
from registry.models import ModelVersion

ITEM_EMBEDDING_DIM = 10
# Statuses a listing may be recommended in; sold and withdrawn ones drop out of every list.
RECOMMENDABLE_STATUSES = (Status.ACTIVE, Status.PENDING)
TEXT_EMBEDDING_DIM = 384


class ItemEmbedding(models.Model):
    """A listing's item embedding by one encoder version; rows of inactive versions are kept for rollback."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="item_embeddings")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="item_embeddings")
    vector = VectorField(dimensions=ITEM_EMBEDDING_DIM)
    embedded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "listing"], name="itemembedding_version_listing_uniq"),
        ]
        indexes = [
            models.Index(fields=["version", "embedded_at"], name="itemembedding_changed_idx"),
            HnswIndex(
                name="itemembedding_vector_idx", fields=["vector"], m=16, ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Item embedding of listing {self.listing_id} by version {self.version_id}"


class TextEmbedding(models.Model):
    """all-MiniLM-L6-v2 over title, description and key facts; ``text_hash`` skips unchanged text."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, primary_key=True, related_name="text_embedding")
    vector = VectorField(dimensions=TEXT_EMBEDDING_DIM)
    text_hash = models.CharField(max_length=32)
    embedded_at = models.DateTimeField()

    class Meta:
        indexes = [
            HnswIndex(
                name="textembedding_vector_idx", fields=["vector"], m=16, ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Text embedding of listing {self.listing_id}"


class NeighbourList(models.Model):
    """The exact top-k similar listings of one listing under one encoder version, best first.

    Rank r is array position r - 1. One row per source keeps 2.2 M lists at 2.2 M rows; the view
    ``recommendations_similar_pair`` unnests them into (source, target, score, rank, version) rows.
    Lists are keyed by version so a retrain writes its lists before it is activated.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="neighbour_lists")
    source = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="neighbour_lists")
    target_ids = ArrayField(models.BigIntegerField())
    scores = ArrayField(models.FloatField())
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "source"], name="neighbourlist_version_source_uniq"),
        ]

    def __str__(self) -> str:
        return f"Neighbours of listing {self.source_id}"


class NeighbourRefresh(models.Model):
    """One run of the neighbour refresh; the last finished one dates the stored lists."""

    kind = models.CharField(max_length=8, choices=Kind.choices)
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="refreshes")
    incremental = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    listings = models.PositiveIntegerField(default=0, help_text="Neighbour lists written.")
    seconds = models.FloatField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=1)
    # First listing id of every chunk that finished: a chunk run twice (redelivered) counts once.
    finished_chunks = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="neighbourrefresh_kind_idx")]

    def __str__(self) -> str:
        mode = "incremental" if self.incremental else "full"
        return f"{mode} refresh of {self.kind} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def chunks_done(self) -> int:
        return len(self.finished_chunks)


class Intent(models.TextChoices):
    """The intents are ``recommendations.ml.profiles``'s (which infers them); this adds their labels."""

    BUYER = profiles.BUYER, "Buyer"
    RENTER = profiles.RENTER, "Renter"
    HYBRID = profiles.HYBRID, "Buyer and renter"


_HAS_ACTOR = Q(user__isnull=False, session_key="") | Q(user__isnull=True) & ~Q(session_key="")


class InterestProfile(models.Model):
    """What one user (or anonymous session) wants lately in one kind, derived from their interactions.

    Recomputed by a debounced task after new interactions and on read when stale; ``anchors`` are the
    listings with the highest interest, kept so feed reasons can name them ("Because you viewed …").
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="interest_profiles"
    )
    session_key = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Encoder version whose embeddings make the centroid.",
    )
    item_centroid = VectorField(dimensions=ITEM_EMBEDDING_DIM, null=True, blank=True)
    text_centroid = VectorField(dimensions=TEXT_EMBEDDING_DIM, null=True, blank=True)
    target_price_sale = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_price_rent = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sale_weight = models.FloatField(default=0.0, help_text="Interest in listings for sale (decayed).")
    rent_weight = models.FloatField(default=0.0, help_text="Interest in listings for rent (decayed).")
    intent = models.CharField(max_length=8, choices=Intent.choices, blank=True)
    listings = models.PositiveIntegerField(default=0, help_text="Listings with positive interest.")
    interactions = models.PositiveIntegerField(default=0, help_text="Interactions read.")
    anchors = models.JSONField(default=list, blank=True, help_text="[[listing id, interest], …], highest first.")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], condition=Q(user__isnull=False),
                                    name="interestprofile_user_kind_uniq"),
            models.UniqueConstraint(fields=["session_key", "kind"], condition=~Q(session_key=""),
                                    name="interestprofile_session_kind_uniq"),
            models.CheckConstraint(condition=_HAS_ACTOR, name="interestprofile_one_actor"),
        ]

    def __str__(self) -> str:
        actor = f"user {self.user_id}" if self.user_id else f"session {self.session_key[:8]}"
        return f"{self.kind} profile of {actor}"


class ProfileRefreshMark(models.Model):
    """An actor with interactions newer than their profiles; its row debounces the refresh task.

    ``actor`` is "user:<id>" or "session:<key>". The first interaction after a refresh inserts the row
    and enqueues one delayed task; later ones find the row and enqueue nothing.
    """

    actor = models.CharField(max_length=60, unique=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.actor


class FeedPreference(models.Model):
    """A user's own settings for one kind; they win over what the profile infers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_preferences")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    enabled = models.BooleanField(default=True, help_text="Show this kind in the feed.")
    intent = models.CharField(max_length=8, choices=Intent.choices, blank=True, help_text="Blank: inferred.")
    budget_sale = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal(1))])
    budget_rent = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal(1))], help_text="Per month.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="feedpreference_user_kind_uniq")]

    def __str__(self) -> str:
        return f"{self.kind} preferences of user {self.user_id}"

    def budget(self, offer: str) -> Decimal | None:
        return self.budget_sale if offer == Offer.SALE else self.budget_rent


class Dismissal(models.Model):
    """A listing the user marked "not interested": it never appears in their feed again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dismissals")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="dismissals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="dismissal_user_listing_uniq")]

    def __str__(self) -> str:
        return f"user {self.user_id} is not interested in {self.listing_id}"


class SimulatedUser(models.Model):
    """Ground truth of a user made by the interaction simulator, for offline evaluation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="simulated")
    archetype = models.CharField(max_length=24)
    intents = models.JSONField(default=dict, help_text='Intent per kind at the end of the simulation, e.g. '
                                                       '{"home": "buyer"}.')
    latent = models.JSONField(default=dict, help_text="Latent budget, area and preferences.")
    drifted = models.BooleanField(default=False)
    seed = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"simulated {self.archetype} (user {self.user_id})"
