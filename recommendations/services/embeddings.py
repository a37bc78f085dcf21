"""Item and text embeddings of listings, written to pgvector."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from django.db.models import Exists, OuterRef
from django.utils import timezone

from listings.models import Listing
from recommendations.ml.autoencoder import embed
from recommendations.ml.text import text_embed
from recommendations.models import ItemEmbedding, TextEmbedding
from recommendations.services import artifacts
from recommendations.services.frames import listing_frame, listing_texts
from registry.models import ModelVersion
from registry.selectors import version_active

log = logging.getLogger(__name__)
WRITE_BATCH = 5_000
TEXT_BATCH = 512


def item_embeddings_write(
    *, version: ModelVersion, listing_ids: Sequence[int], vectors: np.ndarray, read_at: datetime
) -> None:
    """Upsert ``vectors`` (n, 10) as the embeddings of ``listing_ids`` under ``version``.

    ``read_at`` is when the listings were read: an edit after it leaves the embedding stale, so the
    next refresh embeds it again. Listings deleted since then are skipped.
    """
    for start in range(0, len(listing_ids), WRITE_BATCH):
        batch = dict(zip(listing_ids[start:start + WRITE_BATCH], vectors[start:start + WRITE_BATCH], strict=True))
        existing = Listing.objects.filter(pk__in=list(batch)).values_list("pk", flat=True)
        rows = [ItemEmbedding(version=version, listing_id=pk, vector=batch[pk], embedded_at=read_at) for pk in existing]
        ItemEmbedding.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["version", "listing"], update_fields=["vector", "embedded_at"]
        )


def item_embeddings_compute(
    *, version: ModelVersion, listing_ids: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, datetime]:
    """(ids, vectors, read_at) of ``listing_ids`` by ``version``'s encoder, ids sorted; missing ones skipped."""
    artifact = artifacts.encoder_artifact(version=version)
    read_at = timezone.now()
    frame = listing_frame(listings=Listing.objects.filter(pk__in=list(listing_ids)), kind=version.kind)
    vectors = embed(artifact.model, artifact.pipeline.transform(frame), device=artifact.device)
    return frame["id"].to_numpy(dtype=np.int64), vectors, read_at


def item_embeddings_refresh(*, kind: str, batch_size: int = 20_000) -> int:
    """Embed, with the active encoder, every listing of ``kind`` that has no or an older embedding."""
    version = version_active(kind=kind)
    if version is None:
        return 0
    current = ItemEmbedding.objects.filter(
        version=version, listing=OuterRef("pk"), embedded_at__gte=OuterRef("updated_at")
    )
    stale = Listing.objects.filter(kind=kind).exclude(Exists(current)).order_by("pk")
    written, after = 0, 0
    # Walk by id: a row edited meanwhile (or dated in the future) is never taken twice in one run.
    while ids := list(stale.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size]):
        listing_ids, vectors, read_at = item_embeddings_compute(version=version, listing_ids=ids)
        item_embeddings_write(version=version, listing_ids=listing_ids.tolist(), vectors=vectors, read_at=read_at)
        written += len(listing_ids)
        after = ids[-1]
    return written


def text_embeddings_refresh(*, listing_ids: Sequence[int] | None = None, kind: str | None = None) -> int:
    """Embed the text of the given listings (or all of ``kind``) whose text changed; returns how many."""
    queryset = Listing.objects.all()
    if listing_ids is not None:
        queryset = queryset.filter(pk__in=list(listing_ids))
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    fresh = TextEmbedding.objects.filter(listing=OuterRef("pk"), embedded_at__gte=OuterRef("updated_at"))
    candidates = list(queryset.exclude(Exists(fresh)).order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(candidates), TEXT_BATCH):
        written += _text_embeddings_write(listing_ids=candidates[start:start + TEXT_BATCH])
    return written


def _text_embeddings_write(*, listing_ids: Sequence[int]) -> int:
    now = timezone.now()  # read time: an edit after it makes the embedding stale again
    texts = listing_texts(listing_ids=listing_ids)
    hashes = {pk: hashlib.blake2b(text.encode(), digest_size=16).hexdigest() for pk, text in texts.items()}
    known = dict(TextEmbedding.objects.filter(listing_id__in=list(texts)).values_list("listing_id", "text_hash"))
    changed = [pk for pk in texts if known.get(pk) != hashes[pk]]
    # Unchanged text (e.g. only the price moved): just date the embedding so it is not looked at again.
    TextEmbedding.objects.filter(listing_id__in=[pk for pk in texts if pk not in changed]).update(embedded_at=now)
    vectors = text_embed([texts[pk] for pk in changed])
    TextEmbedding.objects.bulk_create(
        [TextEmbedding(listing_id=pk, vector=vector, text_hash=hashes[pk], embedded_at=now)
         for pk, vector in zip(changed, vectors, strict=True)],
        update_conflicts=True, unique_fields=["listing"], update_fields=["vector", "text_hash", "embedded_at"],
    )
    return len(changed)


def listing_embed(*, listing_id: int) -> bool:
    """Embed one new or edited listing (text, and item by the active encoder).

    False when the listing is gone or its kind has no trained encoder yet (the first training
    embeds everything).
    """
    listing = Listing.objects.filter(pk=listing_id).only("kind").first()
    if listing is None:
        return False
    version = version_active(kind=listing.kind)
    if version is None:
        log.info("No active %s encoder yet: listing %s is embedded at the first training", listing.kind, listing_id)
        return False
    text_embeddings_refresh(listing_ids=[listing_id])
    listing_ids, vectors, read_at = item_embeddings_compute(version=version, listing_ids=[listing_id])
    item_embeddings_write(version=version, listing_ids=listing_ids.tolist(), vectors=vectors, read_at=read_at)
    return True
