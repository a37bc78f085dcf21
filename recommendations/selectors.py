"""Reads for pages and the API: a listing's similar listings, stored or live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from pgvector.django import CosineDistance

from listings.models import Listing
from listings.selectors import LISTING_EXTRAS_COLUMNS, LISTING_EXTRAS_JOINS, raw_listing_complete, raw_listings
from recommendations import conf
from recommendations.models import (
    RECOMMENDABLE_STATUSES,
    FeedPreference,
    ItemEmbedding,
    NeighbourList,
    TextEmbedding,
)
from recommendations.reasons import similarity_reason
from recommendations.services.closeness import CLOSENESS_FACTS, closeness_parts
from registry.models import Algorithm, ModelVersion
from registry.selectors import version_active

LIVE_CANDIDATES = 200
SPARES = 5
MAX_LIMIT = 50
# A stamp dates its read this much early: a change whose transaction set updated_at just before the read
# but committed after it still counts as later than the read. The longest such gap is an import's batch
# (2,000 rows dated by its transaction's start, committed about a quarter of a second later).
STAMP_MARGIN = timedelta(seconds=10)


@dataclass(frozen=True)
class SimilarItem:
    listing: Listing
    score: float
    reason: str


@dataclass(frozen=True)
class SimilarStamp:
    """What items read from a stored list depend on: the list (its active encoder version and last refresh)
    and the listings it named up to the spares, shown or not, none changed since ``read_at``. A copy of the
    items stays right while ``similar_stamp_current`` holds."""

    source_id: int
    version_id: int
    refreshed_at: datetime
    listing_ids: tuple[int, ...]
    read_at: datetime


# The stored list of the active encoder and its targets that are still recommendable, in rank order, each
# with its seller and photos (listings.selectors.LISTING_EXTRAS_*): one statement where the ORM took four
# (version, list, listings with sellers, photos) and about 4 ms of query building per listing page.
_STORED_SQL = f"""
SELECT l.*, t.score AS similar_score, {LISTING_EXTRAS_COLUMNS},
       v.id AS similar_version, n.refreshed_at AS similar_refreshed, n.target_ids[1:%(take)s] AS similar_read
FROM recommendations_modelversion v
JOIN recommendations_neighbourlist n ON n.version_id = v.id AND n.source_id = %(source)s
CROSS JOIN LATERAL unnest(n.target_ids[1:%(take)s], n.scores[1:%(take)s])
    WITH ORDINALITY AS t(target_id, score, rank)
JOIN listings_listing l ON l.id = t.target_id
{LISTING_EXTRAS_JOINS}
WHERE v.kind = %(kind)s AND v.algorithm = %(algorithm)s AND v.active AND l.status = ANY(%(statuses)s)
ORDER BY t.rank
LIMIT %(limit)s
"""  # noqa: S608 (our own constants, no input)


def similar_listings(*, listing: Listing, limit: int = 8) -> list[SimilarItem]:
    """Up to ``limit`` recommendable listings of the same kind, most similar first, each with a reason.

    Reads the stored exact list; a listing newer than the last refresh gets a live pgvector query.
    """
    return similar_listings_stamped(listing=listing, limit=limit)[0]


def similar_listings_stamped(*, listing: Listing, limit: int = 8) -> tuple[list[SimilarItem], SimilarStamp | None]:
    """``similar_listings`` and, when they came from a stored list, its stamp (None for a live query)."""
    limit = max(0, min(limit, MAX_LIMIT))
    if limit == 0:
        return [], None
    # A few spares: some targets may have been sold or withdrawn since the last refresh.
    params = {"source": listing.pk, "take": limit + SPARES, "limit": limit, "kind": listing.kind,
              "algorithm": Algorithm.AUTOENCODER, "statuses": list(RECOMMENDABLE_STATUSES)}
    read_at = timezone.now() - STAMP_MARGIN
    stored: list[Any] = raw_listings(_STORED_SQL, params)  # rows: listings and their score
    if stored:
        first = stored[0]
        stamp = SimilarStamp(source_id=listing.pk, version_id=first.similar_version,
                             refreshed_at=first.similar_refreshed, listing_ids=tuple(first.similar_read),
                             read_at=read_at)
        return [
            SimilarItem(listing=raw_listing_complete(target), score=target.similar_score,
                        reason=similarity_reason(listing, target))
            for target in stored
        ], stamp
    # Nothing to show from a stored list: no model yet, a listing newer than the last refresh, or every
    # stored target gone since.
    version = version_active(kind=listing.kind)
    if version is None or NeighbourList.objects.filter(version=version, source=listing).exists():
        return [], None
    ranked = _live_neighbours(listing=listing, version=version)[: limit + SPARES]
    targets = listings_for_output([target for target, _ in ranked], statuses=RECOMMENDABLE_STATUSES)
    items = [
        SimilarItem(listing=targets[target], score=float(score), reason=similarity_reason(listing, targets[target]))
        for target, score in ranked
        if target in targets
    ]
    return items[:limit], None


# Whether a stamp still holds: every listing it names is still there and unchanged since the read (a status
# change, an edit, an import's update and a photo all move updated_at), and the source's list is still the
# active version's, not refreshed since.
_STAMP_SQL = """
SELECT (SELECT count(*) FROM listings_listing l WHERE l.id = ANY(%(ids)s) AND l.updated_at <= %(read_at)s)
           = cardinality(%(ids)s::bigint[])
   AND EXISTS (SELECT 1 FROM recommendations_neighbourlist n
               JOIN recommendations_modelversion v ON v.id = n.version_id AND v.active
               WHERE n.source_id = %(source)s AND n.version_id = %(version)s AND n.refreshed_at = %(refreshed)s)
"""


def similar_stamp_current(stamp: SimilarStamp) -> bool:
    """Whether items read under ``stamp`` are still what a new read would give (one small statement)."""
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, {"ids": list(stamp.listing_ids), "read_at": stamp.read_at,
                                    "source": stamp.source_id, "version": stamp.version_id,
                                    "refreshed": stamp.refreshed_at})
        return bool(cursor.fetchone()[0])


# Listings by id with what cards and the API show: one statement where the ORM's select_related, photos
# prefetch and in_bulk took two and more building them than running them (a fifth of a feed request).
_OUTPUT_SQL = f"""
SELECT l.*, {LISTING_EXTRAS_COLUMNS}
FROM listings_listing l
{LISTING_EXTRAS_JOINS}
WHERE l.id = ANY(%(ids)s) AND l.status = ANY(%(statuses)s)
"""  # noqa: S608 (our own constants, no input)


def listings_for_output(ids: list[int], *, statuses: tuple[str, ...]) -> dict[int, Listing]:
    """The listings of ``ids`` still in ``statuses``, by id, with what cards and the API show (seller, photos)."""
    if not ids:
        return {}
    rows = raw_listings(_OUTPUT_SQL, {"ids": list(ids), "statuses": list(statuses)})
    return {listing.pk: raw_listing_complete(listing) for listing in rows}


def _live_neighbours(*, listing: Listing, version: ModelVersion) -> list[tuple[int, float]]:
    """Scores of the nearest item embeddings (HNSW, iterative scan so filters never starve it), blended as
    the stored lists are (services.neighbours.corpus_load): cosines, then the facts that count beside them."""
    own = ItemEmbedding.objects.filter(version=version, listing=listing).values_list("vector", flat=True).first()
    if own is None:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(f"SET LOCAL hnsw.ef_search = {LIVE_CANDIDATES:d}")
        candidates = list(
            ItemEmbedding.objects.filter(
                version=version, listing__kind=listing.kind, listing__status__in=RECOMMENDABLE_STATUSES
            )
            .exclude(listing=listing)
            .annotate(distance=CosineDistance("vector", own))
            .order_by("distance")
            .values_list("listing_id", "distance", *CLOSENESS_FACTS)[:LIVE_CANDIDATES]
        )
    if not candidates:
        return []
    texts = dict(TextEmbedding.objects.filter(listing_id__in=[listing.pk] + [row[0] for row in candidates])
                 .values_list("listing_id", "vector"))
    weight = conf.text_weight()
    own_text = texts.get(listing.pk)
    own_facts = tuple(getattr(listing, name.removeprefix("listing__")) for name in CLOSENESS_FACTS)
    parts = closeness_parts([own_facts] + [row[2:] for row in candidates], kind=listing.kind)
    closeness = sum((part_weight * (rows[1:] @ rows[0]) for rows, part_weight in parts), np.zeros(len(candidates)))
    rest = 1 - sum(part_weight for _, part_weight in parts)
    scored = []
    for (pk, distance, *_), close in zip(candidates, closeness.tolist(), strict=True):
        text_cosine = float(np.dot(own_text, texts[pk])) if own_text is not None and pk in texts else 0.0
        cosine = (1 - weight) * (1 - float(distance)) + weight * text_cosine
        scored.append((pk, rest * cosine + close))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


def feed_preferences(*, user_id: int) -> dict[str, FeedPreference]:
    """The user's own feed settings by kind (kinds they never set are absent)."""
    return {preference.kind: preference for preference in FeedPreference.objects.filter(user_id=user_id)}


def dismissed_listings(*, user_id: int) -> list[Listing]:
    """Listings the user marked "not interested", latest first."""
    return list(Listing.objects.filter(dismissals__user_id=user_id).order_by("-dismissals__created_at", "-pk"))


def listing_titles(ids: list[int]) -> dict[int, str]:
    return dict(Listing.objects.filter(pk__in=ids).values_list("pk", "title"))
