"""A seller's request for a drafted description, and the history of a listing's descriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from listings.models import Listing


class RequestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Writing"
    READY = "ready", "Ready to review"
    FAILED = "failed", "Failed"
    ACCEPTED = "accepted", "Accepted"
    DISCARDED = "discarded", "Discarded"


# A request still being drafted; at most one per listing.
IN_FLIGHT = (RequestStatus.QUEUED, RequestStatus.RUNNING)


class Tone(models.TextChoices):
    CONCISE = "concise", "Concise"
    WARM = "warm", "Warm"
    PREMIUM = "premium", "Premium"


class DescriptionRequest(models.Model):
    """"Write it for me": drafted in the background, reviewed by the seller, who accepts or discards it.

    ``findings`` lists what the checks found in the draft (``descriptions.checks.Finding`` as dicts);
    ``note`` tells the seller how the draft came about when it is not the engine's first try.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="description_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="description_requests"
    )
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.CONCISE)
    engine = models.CharField(max_length=20, blank=True)
    draft = models.TextField(blank=True)
    accepted_text = models.TextField(blank=True, help_text="What the seller accepted: the draft or their edit of it.")
    findings = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Drafting runs started (retries included).")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["listing"], condition=Q(status__in=IN_FLIGHT),
                                    name="descriptionrequest_one_in_flight"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="descriptionrequest_status_valid"),
        ]
        indexes = [models.Index(fields=["listing", "-created_at"], name="descrequest_listing_idx")]

    def __str__(self) -> str:
        return f"{self.get_tone_display()} description for listing {self.listing_id} ({self.status})"

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


class DescriptionRevision(models.Model):
    """A description a listing had before it was replaced: the seller's history, newest first."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="description_revisions")
    description = models.TextField()
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    request = models.ForeignKey(
        DescriptionRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions",
        help_text="The accepted draft that replaced this description.",
    )

    class Meta:
        ordering = ["-replaced_at", "-id"]
        indexes = [models.Index(fields=["listing", "-replaced_at"], name="descrevision_listing_idx")]

    def __str__(self) -> str:
        return f"Description of listing {self.listing_id} until {self.replaced_at:%Y-%m-%d %H:%M}"
