"""Reads for descriptions: a listing's facts as the engines and checks take them, requests, findings."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Count, F, FloatField, QuerySet

from descriptions.checks import Finding, description_check
from descriptions.facts import ListingFacts, listing_facts
from descriptions.models import DescriptionRequest
from listings.models import Kind, Listing, Status

# Comparable homes: active, same offer, city and state, with a size; fewer than this, no comparison.
MIN_COMPARABLES = 5


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def price_per_sqft_median(*, listing: Listing) -> float | None:
    """Median price per square foot of the comparable homes (``MIN_COMPARABLES`` or more), else None."""
    if listing.kind != Kind.HOME or not listing.city:
        return None
    comparables = Listing.objects.filter(
        kind=Kind.HOME, status=Status.ACTIVE, offer=listing.offer, state=listing.state, city__iexact=listing.city,
        house_size__gt=0,
    ).exclude(pk=listing.pk)
    found = comparables.aggregate(count=Count("pk"), median=_Median(F("price") / F("house_size")))
    return found["median"] if found["count"] >= MIN_COMPARABLES else None


def description_facts(*, listing: Listing) -> ListingFacts:
    """Everything a description of ``listing`` may state, with the comparable homes' price per sq ft."""
    return listing_facts(listing, price_per_sqft_median=price_per_sqft_median(listing=listing))


def description_findings(*, listing: Listing, text: str | None = None) -> list[Finding]:
    """What the fact and fair-housing checks find in ``text`` (default: the listing's description)."""
    return description_check(listing.description if text is None else text, description_facts(listing=listing))


def findings_as_data(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as stored on a request and shown by the API: kind, start, end, span, message."""
    return [{"kind": finding.kind, "start": finding.start, "end": finding.end, "span": finding.span,
             "message": finding.message} for finding in findings]


def description_request_for_editor(*, pk: int, user: object) -> DescriptionRequest | None:
    """The request ``pk`` with its listing, if ``user`` may see it (the listing's seller or an admin)."""
    found = DescriptionRequest.objects.select_related("listing").filter(pk=pk).first()
    return found if found is not None and found.listing.is_editable_by(user) else None


def description_requests_for_listing(*, listing: Listing) -> QuerySet[DescriptionRequest]:
    return DescriptionRequest.objects.filter(listing=listing).select_related("requested_by")


def description_request_latest(*, listing: Listing) -> DescriptionRequest | None:
    """The newest request that still matters to the seller (not discarded or accepted), if any."""
    return description_requests_for_listing(listing=listing).exclude(status__in=["accepted", "discarded"]).first()
