"""Exact top-k neighbour lists: full refresh (whole or in chunk tasks), incremental refresh."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from recommendations import conf
from recommendations.ml.neighbours.blend import blended_vectors
from recommendations.ml.neighbours.incremental import neighbours_refresh_incremental
from recommendations.ml.neighbours.lists import PAD_ID, row_ranges
from recommendations.ml.neighbours.top_k import top_k_neighbours
from recommendations.models import (
    ITEM_EMBEDDING_DIM,
    RECOMMENDABLE_STATUSES,
    TEXT_EMBEDDING_DIM,
    ItemEmbedding,
    NeighbourList,
    NeighbourRefresh,
    TextEmbedding,
)
from recommendations.services import embeddings
from recommendations.services.closeness import CLOSENESS_FACTS, closeness_parts
from recommendations.services.frames import vectors_array
from registry.models import ModelVersion
from registry.selectors import version_active

WRITE_BATCH = 5_000
LAST_ID = 2**63 - 1


@dataclass(frozen=True)
class Corpus:
    """Every embedded listing of a kind under one version, sorted by id.

    ids: (n,) int64; vectors: (n, 10 + 384 + closeness columns) blended unit rows (dot = the similar
    listings' score: blended cosine and the facts that count beside it, ``closeness_parts``);
    available: (n,) bool, may appear in others' lists (active or pending).
    """

    ids: np.ndarray
    vectors: np.ndarray
    available: np.ndarray


def corpus_load(*, version: ModelVersion) -> Corpus:
    rows = list(
        ItemEmbedding.objects.filter(version=version, listing__kind=version.kind)
        .order_by("listing_id")
        .values_list("listing_id", "vector", "listing__status", *CLOSENESS_FACTS)
    )
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    item = vectors_array((row[1] for row in rows), dim=ITEM_EMBEDDING_DIM)
    available = np.fromiter((row[2] in RECOMMENDABLE_STATUSES for row in rows), dtype=bool, count=len(rows))
    text = np.zeros((len(rows), TEXT_EMBEDDING_DIM), dtype=np.float32)
    known = TextEmbedding.objects.filter(listing__kind=version.kind).values_list("listing_id", "vector")
    for listing_id, vector in known.iterator(chunk_size=10_000):
        position = np.searchsorted(ids, listing_id)
        if position < len(ids) and ids[position] == listing_id:
            text[position] = vector
    closeness = closeness_parts([row[3:] for row in rows], kind=version.kind)
    vectors = blended_vectors(item, text, text_weight=conf.text_weight(), closeness=closeness)
    return Corpus(ids=ids, vectors=vectors, available=available)


def neighbours_refresh(
    *, kind: str, incremental: bool = False, version: ModelVersion | None = None
) -> NeighbourRefresh | None:
    """Recompute and store the lists of ``kind`` for ``version`` (default: the active one); None without one.

    Incremental: only listings changed since the last finished refresh of that version get new lists,
    and other lists take them in or drop them (exactly what a full refresh would give).
    """
    version = version or version_active(kind=kind)
    if version is None:
        return None
    previous = _last_finished(version=version) if incremental else None
    refresh = NeighbourRefresh.objects.create(
        kind=kind, version=version, incremental=previous is not None, started_at=timezone.now()
    )
    started = time.perf_counter()
    corpus = corpus_load(version=version)
    if previous is None:
        list_ids, list_scores = _top_k(corpus, start=0, stop=len(corpus.ids))
        written = neighbour_lists_write(version=version, sources=corpus.ids, list_ids=list_ids, list_scores=list_scores)
        # Lists of listings gone from the corpus were not rewritten just now.
        NeighbourList.objects.filter(version=version, refreshed_at__lt=refresh.started_at).delete()
    else:
        written = _refresh_changed(version=version, corpus=corpus, since=previous.started_at)
    _finish(refresh=refresh, written=written, seconds=time.perf_counter() - started)
    refresh.refresh_from_db()
    return refresh


def neighbours_update(*, kind: str, incremental: bool) -> NeighbourRefresh | None:
    """Embed what is missing or stale (bulk imports, edits), then refresh the lists of ``kind``."""
    embeddings.item_embeddings_refresh(kind=kind)
    embeddings.text_embeddings_refresh(kind=kind)
    return neighbours_refresh(kind=kind, incremental=incremental)


def neighbours_refresh_start(*, kind: str, chunks: int) -> tuple[NeighbourRefresh, list[tuple[int, int]]] | None:
    """A full refresh split into ``chunks`` listing-id ranges [low, high) for ``neighbours_refresh_chunk``.

    Ranges are of ids, not positions, so listings added or deleted meanwhile never shift a chunk.
    """
    version = version_active(kind=kind)
    if version is None:
        return None
    ids = list(ItemEmbedding.objects.filter(version=version, listing__kind=kind).order_by("listing_id")
               .values_list("listing_id", flat=True))
    positions = row_ranges(len(ids), rows_per_task=max(1, -(-len(ids) // max(1, chunks))))
    # Each chunk runs from its first listing's id to the next chunk's (the first from 0, the last to the end).
    lows = [0, *(ids[start] for start, _ in positions[1:])]
    ranges = list(zip(lows, [*lows[1:], LAST_ID], strict=True))
    refresh = NeighbourRefresh.objects.create(
        kind=kind, version=version, started_at=timezone.now(), chunks_total=len(ranges)
    )
    return refresh, ranges


def neighbours_refresh_chunk(*, refresh_id: int, low: int, high: int) -> None:
    """Compute and store the lists of listings with ids in [low, high) for a split full refresh.

    Safe to run twice: a chunk counts once; the chunk that completes the set marks the refresh finished.
    """
    refresh = NeighbourRefresh.objects.select_related("version").get(pk=refresh_id)
    started = time.perf_counter()
    corpus = corpus_load(version=refresh.version)
    start, stop = np.searchsorted(corpus.ids, [low, high]).tolist()
    list_ids, list_scores = _top_k(corpus, start=start, stop=stop)
    written = neighbour_lists_write(
        version=refresh.version, sources=corpus.ids[start:stop], list_ids=list_ids, list_scores=list_scores
    )
    with transaction.atomic():
        NeighbourRefresh.objects.filter(pk=refresh_id).exclude(finished_chunks__contains=[low]).update(
            finished_chunks=Func(F("finished_chunks"), Value(low), function="array_append"),
            listings=F("listings") + written,
            seconds=Coalesce(F("seconds"), 0.0) + (time.perf_counter() - started),
        )
        NeighbourRefresh.objects.filter(
            pk=refresh_id, finished_chunks__len__gte=F("chunks_total"), finished_at__isnull=True
        ).update(finished_at=timezone.now())


def neighbour_lists_write(
    *, version: ModelVersion, sources: np.ndarray, list_ids: np.ndarray, list_scores: np.ndarray
) -> int:
    """Upsert one list per source (padding dropped); returns how many lists were written."""
    now = timezone.now()
    rows = []
    for source, ids, scores in zip(sources.tolist(), list_ids, list_scores, strict=True):
        kept = ids != PAD_ID
        rows.append(NeighbourList(version=version, source_id=source, target_ids=ids[kept].tolist(),
                                  scores=scores[kept].astype(float).tolist(), refreshed_at=now))
    for start in range(0, len(rows), WRITE_BATCH):
        NeighbourList.objects.bulk_create(
            rows[start:start + WRITE_BATCH], update_conflicts=True, unique_fields=["version", "source"],
            update_fields=["target_ids", "scores", "refreshed_at"],
        )
    return len(rows)


def _top_k(corpus: Corpus, *, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    return top_k_neighbours(
        corpus.vectors, corpus.vectors, k=conf.list_length(), query_ids=corpus.ids, corpus_ids=corpus.ids,
        corpus_mask=corpus.available, start=start, stop=stop, device=conf.torch_device(),
    )


def _refresh_changed(*, version: ModelVersion, corpus: Corpus, since: object) -> int:
    k = conf.list_length()
    list_ids = np.full((len(corpus.ids), k), PAD_ID, dtype=np.int64)
    list_scores = np.full((len(corpus.ids), k), -np.inf, dtype=np.float32)
    stored = NeighbourList.objects.filter(version=version).values_list("source_id", "target_ids", "scores")
    for source, ids, scores in stored.iterator(chunk_size=10_000):
        position = np.searchsorted(corpus.ids, source)
        if position < len(corpus.ids) and corpus.ids[position] == source:
            list_ids[position, :len(ids)] = ids[:k]
            list_scores[position, :len(scores)] = scores[:k]
    changed = _changed_ids(version=version, since=since, corpus=corpus)
    result = neighbours_refresh_incremental(
        vectors=corpus.vectors, ids=corpus.ids, available=corpus.available, list_ids=list_ids,
        list_scores=list_scores, changed_ids=changed, device=conf.torch_device(),
    )
    rows = np.flatnonzero(np.any(result.ids != list_ids, axis=1) | np.any(result.scores != list_scores, axis=1))
    return neighbour_lists_write(version=version, sources=corpus.ids[rows], list_ids=result.ids[rows],
                                 list_scores=result.scores[rows])


def _changed_ids(*, version: ModelVersion, since: object, corpus: Corpus) -> np.ndarray:
    """Listings re-embedded, or edited (status included), since ``since``, and ones with no list yet."""
    changed = set(
        ItemEmbedding.objects.filter(version=version, listing__kind=version.kind)
        .filter(Q(embedded_at__gt=since) | Q(listing__updated_at__gt=since) | Q(listing__text_embedding__embedded_at__gt=since))
        .values_list("listing_id", flat=True)
    )
    listed = set(NeighbourList.objects.filter(version=version).values_list("source_id", flat=True))
    changed |= set(corpus.ids.tolist()) - listed
    return np.array(sorted(changed), dtype=np.int64)


def _last_finished(*, version: ModelVersion) -> NeighbourRefresh | None:
    return (
        NeighbourRefresh.objects.filter(version=version, finished_at__isnull=False).order_by("-started_at").first()
    )


def _finish(*, refresh: NeighbourRefresh, written: int, seconds: float) -> None:
    NeighbourRefresh.objects.filter(pk=refresh.pk).update(
        finished_at=timezone.now(), listings=written, seconds=seconds, finished_chunks=[0]
    )
