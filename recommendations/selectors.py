"""Reads for pages and the API: a listing's similar listings, stored or live."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Prefetch
from pgvector.django import CosineDistance

from listings.models import Listing, ListingPhoto
from recommendations import conf
from recommendations.models import (
    RECOMMENDABLE_STATUSES,
    FeedPreference,
    ItemEmbedding,
    ModelVersion,
    NeighbourList,
    TextEmbedding,
)
from recommendations.reasons import similarity_reason
from recommendations.services.versions import version_active

LIVE_CANDIDATES = 200
SPARES = 5
MAX_LIMIT = 50


@dataclass(frozen=True)
class SimilarItem:
    listing: Listing
    score: float
    reason: str


def similar_listings(*, listing: Listing, limit: int = 8) -> list[SimilarItem]:
    """Up to ``limit`` recommendable listings of the same kind, most similar first, each with a reason.

    Reads the stored exact list; a listing newer than the last refresh gets a live pgvector query.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    version = version_active(kind=listing.kind)
    if version is None or limit == 0:
        return []
    stored = NeighbourList.objects.filter(version=version, source=listing).values_list("target_ids", "scores").first()
    ranked = list(zip(*stored, strict=True)) if stored else _live_neighbours(listing=listing, version=version)
    # A few spares: some targets may have been sold or withdrawn since the last refresh.
    ranked = ranked[: limit + SPARES]
    targets = listings_for_output([target for target, _ in ranked], statuses=RECOMMENDABLE_STATUSES)
    items = [
        SimilarItem(listing=targets[target], score=float(score), reason=similarity_reason(listing, targets[target]))
        for target, score in ranked
        if target in targets
    ]
    return items[:limit]


def listings_for_output(ids: list[int], *, statuses: tuple[str, ...]) -> dict[int, Listing]:
    """The listings of ``ids`` still in ``statuses``, by id, with what cards and the API show (seller, photos)."""
    return Listing.objects.filter(pk__in=ids, status__in=statuses).select_related("seller").prefetch_related(
        Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "id"))
    ).in_bulk()


def _live_neighbours(*, listing: Listing, version: ModelVersion) -> list[tuple[int, float]]:
    """Blended scores of the nearest item embeddings (HNSW, iterative scan so filters never starve it)."""
    own = ItemEmbedding.objects.filter(version=version, listing=listing).values_list("vector", flat=True).first()
    if own is None:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute("SET LOCAL hnsw.ef_search = %s", [LIVE_CANDIDATES])
        candidates = list(
            ItemEmbedding.objects.filter(
                version=version, listing__kind=listing.kind, listing__status__in=RECOMMENDABLE_STATUSES
            )
            .exclude(listing=listing)
            .annotate(distance=CosineDistance("vector", own))
            .order_by("distance")
            .values_list("listing_id", "distance")[:LIVE_CANDIDATES]
        )
    if not candidates:
        return []
    texts = dict(TextEmbedding.objects.filter(listing_id__in=[listing.pk] + [pk for pk, _ in candidates])
                 .values_list("listing_id", "vector"))
    weight = conf.text_weight()
    own_text = texts.get(listing.pk)
    scored = []
    for pk, distance in candidates:
        text_cosine = float(np.dot(own_text, texts[pk])) if own_text is not None and pk in texts else 0.0
        scored.append((pk, (1 - weight) * (1 - float(distance)) + weight * text_cosine))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


def feed_preferences(*, user_id: int) -> dict[str, FeedPreference]:
    """The user's own feed settings by kind (kinds they never set are absent)."""
    return {preference.kind: preference for preference in FeedPreference.objects.filter(user_id=user_id)}


def dismissed_listings(*, user_id: int) -> list[Listing]:
    """Listings the user marked "not interested", latest first."""
    return list(Listing.objects.filter(dismissals__user_id=user_id).order_by("-dismissals__created_at", "-pk"))


def listing_titles(ids: list[int]) -> dict[int, str]:
    return dict(Listing.objects.filter(pk__in=ids).values_list("pk", "title"))
