"""Exact top-k "similar listings" by dot product, computed in chunks; incremental refresh.

Vectors are compared by dot product. Feed it ``blended_vectors`` (L2-normalized parts) and the dot
product is a weighted cosine similarity.

Order and ties. Every neighbour list is sorted by score, highest first, then by id, lowest first.
When several candidates tie at the k-th score, the ones with the lowest ids are kept. That makes a
list a function of the scores alone: it does not depend on chunk sizes, corpus order or device.
``torch.topk`` promises no order among equal values, so each block asks it for k + 1 values. Where
the k-th and (k+1)-th are equal (ties at the cut), the row is chosen again with an integer key,
strictly greater scores first, then equal scores by id. Other rows only need their k values sorted.

Padding. A row with fewer than k candidates (small or heavily masked corpus) is padded at the end
with id ``-1`` and score ``-inf``, so results are always rectangular ``(q, k)`` arrays.

Memory. Queries go through in chunks of ``chunk_size`` rows, and the corpus in blocks of at most
``SCORE_BLOCK_ELEMENTS // chunk_size`` rows; no more than one ``(chunk, block)`` score matrix is
held at a time (1 GiB at the defaults), never the full ``q × n`` matrix. Per block the exact
top-k comes out and is merged into the chunk's running top-k by the same order.

Incremental refresh (``neighbours_refresh_incremental``; the primitives are public so that a caller
can split the work). Given the lists of the last refresh and the ids that changed since:

1. *Changed rows.* An id is changed when it is new, its vector changed, or its availability (the
   corpus mask) changed; every such id must be listed (listing an unchanged one only costs time).
   Its list is recomputed in full with ``top_k_neighbours``.
2. *Other rows* keep their old list, minus entries that point at a changed id or at an id that is
   no longer in the corpus (deleted, sold, withdrawn). The scores that remain are still exact: both
   vectors are unchanged.
3. ``affected_rows`` scores every changed item that is in the new corpus against every other row
   and returns, per row, the changed items ranking at or before that row's old k-th entry (every
   changed item when the old list was not full), at most k of them.
4. ``merge_neighbour_lists`` merges those candidates into the stripped list of step 2.
5. The merged list is the exact new list when the old list was not full, or when the merged list is
   full and its last entry ranks at or before the old k-th entry. Otherwise (a row lost entries that
   no changed item replaces) the row is recomputed in full like step 1.

Why 5 holds: every item outside the old list ranked after its k-th entry, and unchanged items keep
their scores, so no unchanged item missing from the list can beat an entry that ranks at or before
the old k-th; changed items ranking after it cannot enter a full list whose last entry is that high.
The result equals a full refresh whenever the dot products are computed bit-identically, which
holds exactly for inputs whose products and sums are exact in float32 (as in the tests). With
general float32 vectors, BLAS may round a dot product differently depending on the matrix shapes
(within about 1e-6 for normalized vectors); only candidates whose scores lie that close together
can then swap places.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

PAD_ID = -1
PAD_SCORE = -np.inf
# At most this many scores (float32) are held at once: 2**28 = 1 GiB.
SCORE_BLOCK_ELEMENTS = 1 << 28

_INT64_MIN = torch.iinfo(torch.int64).min
_INT64_MAX = torch.iinfo(torch.int64).max


@dataclass(frozen=True)
class NeighbourRefresh:
    """Result of ``neighbours_refresh_incremental``.

    ids: (n, k) int64 neighbour ids per row, ``-1`` padding.
    scores: (n, k) float32 dot products, ``-inf`` padding.
    recomputed: (r,) int64 row positions whose list was computed in full.
    merged: (m,) int64 row positions whose list came from the merge of step 4.
    """

    ids: np.ndarray
    scores: np.ndarray
    recomputed: np.ndarray
    merged: np.ndarray


def blended_vectors(
    item: np.ndarray, text: np.ndarray | None, *, text_weight: float,
    closeness: Sequence[tuple[np.ndarray, float]] = (),
) -> np.ndarray:
    """Concatenate L2-normalized item and text embeddings, weighted so a dot product blends cosines.

    item: (n, d1); text: (n, d2) or None; text_weight w in [0, 1].
    Returns (n, d1 + d2) float32 rows ``[sqrt(1 - w) · item / |item|, sqrt(w) · text / |text|]``, so the
    dot product of two rows is ``(1 - w) · cos(item) + w · cos(text)``. A zero part stays zero (its
    cosine counts as 0, never NaN). With ``text=None`` the result is the normalized item part alone,
    (n, d1), whose dot product is ``cos(item)``.

    closeness: (rows, weight) pairs, rows (n, d) of the ``closeness`` module (unit, or zero for an unknown
    value; e.g. ``geo.place_features``) and weights c_i >= 0 summing to less than 1: the rows above are scaled
    by sqrt(1 - sum c) and each ``sqrt(c_i) · rows_i`` appended, so the dot product is
    ``(1 - sum c) · blended cosine + sum c_i · closeness_i``.
    """
    if not 0.0 <= text_weight <= 1.0:
        raise ValueError(f"text_weight must lie in [0, 1], got {text_weight}")
    weights = [weight for _, weight in closeness]
    if any(weight < 0.0 for weight in weights) or sum(weights) >= 1.0:
        raise ValueError(f"closeness weights must be >= 0 and sum to less than 1, got {weights}")
    item = np.asarray(item)
    if text is None:
        blended = _normalized_rows(item, scale=1.0)
    else:
        text = np.asarray(text)
        if item.shape[0] != text.shape[0]:
            raise ValueError(f"item has {item.shape[0]} rows, text has {text.shape[0]}")
        blended = np.concatenate(
            [_normalized_rows(item, scale=np.sqrt(1.0 - text_weight)),
             _normalized_rows(text, scale=np.sqrt(text_weight))],
            axis=1,
        )
    parts = [(np.asarray(rows, dtype=np.float32), weight) for rows, weight in closeness if weight > 0.0]
    if not parts:
        return blended
    for rows, _ in parts:
        if rows.shape[0] != item.shape[0]:
            raise ValueError(f"item has {item.shape[0]} rows, a closeness part has {rows.shape[0]}")
    blended *= np.float32(np.sqrt(1.0 - sum(weights)))
    return np.concatenate([blended, *(rows * np.float32(np.sqrt(weight)) for rows, weight in parts)], axis=1)


def _normalized_rows(vectors: np.ndarray, *, scale: float) -> np.ndarray:
    """(n, d) -> (n, d) float32 rows scaled to length ``scale``; zero rows stay zero."""
    rows = np.array(vectors, dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.divide(rows * np.float32(scale), norms, out=rows, where=norms > 0)
    return rows


def row_ranges(n_rows: int, *, rows_per_task: int) -> list[tuple[int, int]]:
    """Split ``range(n_rows)`` into consecutive ``(start, stop)`` ranges of at most ``rows_per_task`` rows."""
    if rows_per_task <= 0:
        raise ValueError("rows_per_task must be positive")
    return [(start, min(start + rows_per_task, n_rows)) for start in range(0, n_rows, rows_per_task)]


def top_k_neighbours(
    queries: np.ndarray,
    corpus: np.ndarray,
    *,
    k: int,
    query_ids: np.ndarray | None = None,
    corpus_ids: np.ndarray | None = None,
    corpus_mask: np.ndarray | None = None,
    chunk_size: int = 4096,
    start: int = 0,
    stop: int | None = None,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k corpus rows by dot product for query rows ``[start, stop)``.

    queries: (q, d); corpus: (n, d).
    query_ids: (q,) ids of the queries; a corpus row with the query's own id is never its neighbour.
    corpus_ids: (n,) unique int ids; default ``arange(n)`` (corpus positions).
    corpus_mask: (n,) bool, False for rows that may not be neighbours (sold, withdrawn); default all.
    chunk_size: query rows per matrix product. device: default CUDA when available, else CPU.
    Returns ids (stop - start, k) int64 and scores (stop - start, k) float32, each row ordered by score
    descending then id ascending, padded with ``-1`` / ``-inf`` when fewer than k candidates exist.
    """
    chunks = list(
        iter_top_k_neighbours(
            queries,
            corpus,
            k=k,
            query_ids=query_ids,
            corpus_ids=corpus_ids,
            corpus_mask=corpus_mask,
            chunk_size=chunk_size,
            start=start,
            stop=stop,
            device=device,
        )
    )
    if not chunks:
        return np.empty((0, k), dtype=np.int64), np.empty((0, k), dtype=np.float32)
    return np.concatenate([ids for _, _, ids, _ in chunks]), np.concatenate([scores for _, _, _, scores in chunks])


def iter_top_k_neighbours(
    queries: np.ndarray,
    corpus: np.ndarray,
    *,
    k: int,
    query_ids: np.ndarray | None = None,
    corpus_ids: np.ndarray | None = None,
    corpus_mask: np.ndarray | None = None,
    chunk_size: int = 4096,
    start: int = 0,
    stop: int | None = None,
    device: str | torch.device | None = None,
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """``top_k_neighbours`` one query chunk at a time, so a caller can write each chunk as it comes.

    Yields ``(chunk_start, chunk_stop, ids (c, k) int64, scores (c, k) float32)`` for consecutive
    chunks covering query rows ``[start, stop)``; arguments as in ``top_k_neighbours``.
    """
    queries = np.asarray(queries)
    if queries.ndim != 2:
        raise ValueError(f"queries must be 2-D, got shape {queries.shape}")
    if k < 0 or chunk_size <= 0:
        raise ValueError(f"k must be >= 0 and chunk_size > 0, got k={k}, chunk_size={chunk_size}")
    stop = queries.shape[0] if stop is None else stop
    if not 0 <= start <= stop <= queries.shape[0]:
        raise ValueError(f"rows [{start}, {stop}) do not lie within the {queries.shape[0]} queries")
    if query_ids is not None and np.shape(query_ids) != (queries.shape[0],):
        raise ValueError(f"query_ids must have shape ({queries.shape[0]},)")
    target = _resolve_device(device)
    prepared = _PreparedCorpus.build(corpus, corpus_ids, corpus_mask, dim=queries.shape[1], device=target)
    block_rows = max(k + 1, SCORE_BLOCK_ELEMENTS // chunk_size)
    with torch.inference_mode():
        # One buffer for every block's scores: the CPU allocator would otherwise map and fault in
        # fresh pages (up to 1 GiB) for each product, which costs a large share of the product.
        buffer = torch.empty(
            min(chunk_size, stop - start) * min(block_rows, prepared.size), dtype=torch.float32, device=target
        )
        for lo in range(start, stop, chunk_size):
            hi = min(lo + chunk_size, stop)
            chunk = torch.from_numpy(np.ascontiguousarray(queries[lo:hi], dtype=np.float32)).to(target)
            self_columns = prepared.columns_of(None if query_ids is None else np.asarray(query_ids)[lo:hi], hi - lo)
            scores, ids = _chunk_top_k(chunk, prepared, self_columns, buffer, k=k, block_rows=block_rows)
            yield lo, hi, ids.cpu().numpy(), scores.cpu().numpy()


def _resolve_device(device: str | torch.device | None) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@dataclass(frozen=True)
class _PreparedCorpus:
    """The masked corpus on the device, and a lookup from id to column.

    vectors: (m, d) float32 on the device; ids: (m,) int64 on the device, unique.
    sorted_ids / sorted_columns: (m,) numpy, ids ascending and the column holding each.
    """

    vectors: torch.Tensor
    ids: torch.Tensor
    sorted_ids: np.ndarray
    sorted_columns: np.ndarray

    @classmethod
    def build(
        cls,
        corpus: np.ndarray,
        corpus_ids: np.ndarray | None,
        corpus_mask: np.ndarray | None,
        *,
        dim: int,
        device: torch.device,
    ) -> _PreparedCorpus:
        corpus = np.asarray(corpus)
        if corpus.ndim != 2 or corpus.shape[1] != dim:
            raise ValueError(f"corpus must have shape (n, {dim}), got {corpus.shape}")
        n = corpus.shape[0]
        ids = np.arange(n, dtype=np.int64) if corpus_ids is None else np.asarray(corpus_ids, dtype=np.int64)
        if ids.shape != (n,):
            raise ValueError(f"corpus_ids must have shape ({n},), got {ids.shape}")
        if corpus_mask is not None:
            mask = np.asarray(corpus_mask, dtype=bool)
            if mask.shape != (n,):
                raise ValueError(f"corpus_mask must have shape ({n},), got {mask.shape}")
            if not mask.all():
                corpus, ids = corpus[mask], ids[mask]
        sorted_columns = np.argsort(ids, kind="stable")
        sorted_ids = ids[sorted_columns]
        if sorted_ids.size > 1 and (sorted_ids[1:] == sorted_ids[:-1]).any():
            raise ValueError("corpus_ids must be unique")
        vectors = torch.from_numpy(np.ascontiguousarray(corpus, dtype=np.float32)).to(device)
        return cls(vectors, torch.from_numpy(ids).to(device), sorted_ids, sorted_columns)

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    def columns_of(self, query_ids: np.ndarray | None, n_queries: int) -> torch.Tensor:
        """(c,) int64 column of each query's own id in the corpus, -1 where absent."""
        columns = np.full(n_queries, -1, dtype=np.int64)
        if query_ids is not None and self.sorted_ids.size:
            wanted = query_ids.astype(np.int64)
            at = np.minimum(np.searchsorted(self.sorted_ids, wanted), self.sorted_ids.size - 1)
            found = self.sorted_ids[at] == wanted
            columns[found] = self.sorted_columns[at[found]]
        return torch.from_numpy(columns).to(self.vectors.device)


def _chunk_top_k(
    chunk: torch.Tensor,
    corpus: _PreparedCorpus,
    self_columns: torch.Tensor,
    buffer: torch.Tensor,
    *,
    k: int,
    block_rows: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """chunk (c, d) -> scores (c, k) float32, ids (c, k) int64 over all corpus blocks, in list order.

    self_columns: (c,) each query's own corpus column or -1; buffer: >= c * block_rows float32 scratch.
    """
    c, n = chunk.shape[0], corpus.vectors.shape[0]
    best_scores = torch.full((c, k), -torch.inf, dtype=torch.float32, device=chunk.device)
    best_ids = torch.full((c, k), PAD_ID, dtype=torch.int64, device=chunk.device)
    if k == 0 or c == 0:
        return best_scores, best_ids
    for b0 in range(0, n, block_rows):
        b1 = min(b0 + block_rows, n)
        scores = buffer[: c * (b1 - b0)].view(c, b1 - b0)
        torch.matmul(chunk, corpus.vectors[b0:b1].T, out=scores)
        own = ((self_columns >= b0) & (self_columns < b1)).nonzero().squeeze(1)
        scores[own, self_columns[own] - b0] = -torch.inf
        block_scores, block_ids = _block_top_k(scores, corpus.ids[b0:b1], k=k)
        best_scores, best_ids = _top_k_in_order(
            torch.cat([best_scores, block_scores], dim=1), torch.cat([best_ids, block_ids], dim=1), k=k
        )
    return best_scores, best_ids


def _block_top_k(scores: torch.Tensor, block_ids: torch.Tensor, *, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """scores (c, b), block_ids (b,) -> exact top-k (c, min(k, b)) scores and ids under the list order.

    ``-inf`` scores (excluded rows) come back as padding.
    """
    b = scores.shape[1]
    values, columns = torch.topk(scores, min(k + 1, b), dim=1)
    if b > k:
        kth, after = values[:, k - 1], values[:, k]
        values, columns = values[:, :k], columns[:, :k]
        tied = ((after == kth) & (kth > -torch.inf)).nonzero().squeeze(1)
        if tied.numel():
            values[tied], columns[tied] = _tied_rows_top_k(scores[tied], kth[tied], block_ids, k=k)
    ids = torch.where(values > -torch.inf, block_ids[columns], PAD_ID)
    return values, ids


def _tied_rows_top_k(
    scores: torch.Tensor, kth: torch.Tensor, block_ids: torch.Tensor, *, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """For rows with ties at the cut: every score above the k-th value, then the lowest ids equal to it.

    scores (t, b), kth (t,) -> values (t, k), columns (t, k).
    """
    threshold = kth[:, None]
    key = torch.where(scores == threshold, block_ids, _INT64_MAX)
    key = torch.where(scores > threshold, _INT64_MIN, key)
    _, columns = torch.topk(key, k, dim=1, largest=False)
    return scores.gather(1, columns), columns


def _top_k_in_order(scores: torch.Tensor, ids: torch.Tensor, *, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(c, w) candidates with distinct ids -> the first k (c, k) by score descending, then id ascending."""
    scores = scores + 0.0  # -0.0 -> +0.0, so a radix sort cannot split a tie
    by_id = torch.argsort(ids, dim=1)
    by_score = torch.argsort(scores.gather(1, by_id), dim=1, descending=True, stable=True)
    order = by_id.gather(1, by_score)[:, :k]
    return scores.gather(1, order), ids.gather(1, order)


def merge_neighbour_lists(
    current_ids: np.ndarray,
    current_scores: np.ndarray,
    candidate_ids: np.ndarray,
    candidate_scores: np.ndarray,
    *,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge candidates into neighbour lists, keeping the best k per row in list order.

    current_ids / current_scores: (q, k0); candidate_ids / candidate_scores: (q, m); ``-1`` / ``-inf``
    entries are padding. An id present in both keeps its candidate score (candidates are the fresh
    values); an id repeated among a row's candidates keeps its highest score.
    Returns ids (q, k) int64 and scores (q, k) float32, score descending then id ascending, padded.
    """
    ids = np.concatenate([np.asarray(candidate_ids, dtype=np.int64), np.asarray(current_ids, dtype=np.int64)], axis=1)
    scores = np.concatenate(
        [np.asarray(candidate_scores, dtype=np.float32), np.asarray(current_scores, dtype=np.float32)], axis=1
    )
    source = np.broadcast_to(np.repeat([0, 1], [np.shape(candidate_ids)[1], np.shape(current_ids)[1]]), ids.shape)
    # Group each id's copies, the preferred one first; blank out the others.
    order = np.lexsort((-scores, source, ids), axis=1)
    ids, scores = np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
    repeated = np.zeros(ids.shape, dtype=bool)
    repeated[:, 1:] = ids[:, 1:] == ids[:, :-1]
    scores = np.where(repeated | (ids == PAD_ID), np.float32(PAD_SCORE), scores)
    return _first_k_in_order(ids, scores, k=k)


def _first_k_in_order(ids: np.ndarray, scores: np.ndarray, *, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(q, w) -> (q, k) by score descending then id ascending; ``-inf`` entries and missing columns padded."""
    scores = scores.astype(np.float32) + np.float32(0.0)
    order = np.lexsort((ids, -scores), axis=1)[:, :k]
    ids, scores = np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
    ids = np.where(scores == PAD_SCORE, PAD_ID, ids)
    missing = k - ids.shape[1]
    if missing > 0:
        ids = np.pad(ids, ((0, 0), (0, missing)), constant_values=PAD_ID)
        scores = np.pad(scores, ((0, 0), (0, missing)), constant_values=PAD_SCORE)
    return ids.astype(np.int64), scores.astype(np.float32)


def affected_rows(
    *,
    changed_vectors: np.ndarray,
    changed_ids: np.ndarray,
    vectors: np.ndarray,
    ids: np.ndarray,
    list_ids: np.ndarray,
    list_scores: np.ndarray,
    chunk_size: int = 4096,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which existing lists a changed item now belongs in, and with what score.

    changed_vectors: (m, d) new vectors of changed items that are in the corpus; changed_ids: (m,).
    vectors: (n, d) and ids: (n,) the rows whose lists are checked; list_ids / list_scores: (n, k) their
    current lists (ordered, padded). A changed item is a candidate for row r when its score with r ranks
    at or before r's k-th entry (score higher, or equal with id lower or equal), or r's list is not
    full; never for the row with its own id.
    Returns rows (a,) int64 positions into ``vectors`` (ascending), and per row its best candidates,
    at most k: candidate_ids (a, w) int64 and candidate_scores (a, w) float32, list order, padded.
    """
    changed_vectors = np.ascontiguousarray(changed_vectors, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    changed_ids, ids = np.asarray(changed_ids, dtype=np.int64), np.asarray(ids, dtype=np.int64)
    k = np.shape(list_ids)[1]
    if k == 0 or changed_ids.size == 0 or ids.size == 0:
        return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.int64), np.empty((0, 0), dtype=np.float32)
    target = _resolve_device(device)
    pairs = _beating_pairs(
        changed_vectors,
        changed_ids,
        vectors,
        ids,
        kth_scores=np.asarray(list_scores, dtype=np.float32)[:, -1],
        kth_ids=np.asarray(list_ids, dtype=np.int64)[:, -1],
        chunk_size=chunk_size,
        device=target,
    )
    return _group_by_row(*pairs, k=k)


def _beating_pairs(
    changed_vectors: np.ndarray,
    changed_ids: np.ndarray,
    vectors: np.ndarray,
    ids: np.ndarray,
    *,
    kth_scores: np.ndarray,
    kth_ids: np.ndarray,
    chunk_size: int,
    device: torch.device,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, changed id, score) triples, each (p,), for changed items ranking at or before a row's k-th entry."""
    rows_t = torch.from_numpy(vectors).to(device)
    row_ids = torch.from_numpy(ids).to(device)
    kth_s, kth_i = torch.from_numpy(kth_scores).to(device), torch.from_numpy(kth_ids).to(device)
    block_rows = max(1, SCORE_BLOCK_ELEMENTS // chunk_size)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    with torch.inference_mode():
        for lo in range(0, changed_ids.size, chunk_size):
            chunk = torch.from_numpy(changed_vectors[lo : lo + chunk_size]).to(device)
            chunk_ids = torch.from_numpy(changed_ids[lo : lo + chunk_size]).to(device)[:, None]
            for b0 in range(0, ids.size, block_rows):
                scores = chunk @ rows_t[b0 : b0 + block_rows].T
                s, i = kth_s[None, b0 : b0 + block_rows], kth_i[None, b0 : b0 + block_rows]
                beats = (scores > s) | ((scores == s) & (chunk_ids <= i)) | (i == PAD_ID)
                beats &= chunk_ids != row_ids[None, b0 : b0 + block_rows]
                which, row = beats.nonzero(as_tuple=True)
                found.append(
                    (
                        (row + b0).cpu().numpy(),
                        chunk_ids[which, 0].cpu().numpy(),
                        scores[which, row].cpu().numpy(),
                    )
                )
    rows, cands, scores_np = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return rows, cands, scores_np


def _group_by_row(
    rows: np.ndarray, candidate_ids: np.ndarray, scores: np.ndarray, *, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p,) triples -> unique rows (a,), and per row its first k candidates (a, w) in list order, padded."""
    scores = scores.astype(np.float32) + np.float32(0.0)
    order = np.lexsort((candidate_ids, -scores, rows))
    rows, candidate_ids, scores = rows[order], candidate_ids[order], scores[order]
    unique_rows, starts, counts = np.unique(rows, return_index=True, return_counts=True)
    rank = np.arange(rows.size) - np.repeat(starts, counts)
    keep = rank < k
    width = int(min(k, counts.max())) if counts.size else 0
    out_ids = np.full((unique_rows.size, width), PAD_ID, dtype=np.int64)
    out_scores = np.full((unique_rows.size, width), PAD_SCORE, dtype=np.float32)
    slot = np.repeat(np.arange(unique_rows.size), counts)[keep]
    out_ids[slot, rank[keep]] = candidate_ids[keep]
    out_scores[slot, rank[keep]] = scores[keep]
    return unique_rows.astype(np.int64), out_ids, out_scores


def neighbours_refresh_incremental(
    *,
    vectors: np.ndarray,
    ids: np.ndarray,
    available: np.ndarray,
    list_ids: np.ndarray,
    list_scores: np.ndarray,
    changed_ids: np.ndarray,
    chunk_size: int = 4096,
    device: str | torch.device | None = None,
) -> NeighbourRefresh:
    """Bring the lists of the last refresh up to date after some items changed (module docstring, steps 1-5).

    vectors: (n, d) current vectors; ids: (n,) unique; available: (n,) bool, the corpus mask.
    list_ids / list_scores: (n, k) the last refresh's lists, aligned with ``ids`` (rows of new items:
    anything, e.g. padding). changed_ids: ids that are new, or whose vector or availability changed
    since the last refresh (deleted ids may be listed; entries pointing at ids that are gone or
    unavailable are found either way).
    Returns the lists a full ``top_k_neighbours`` refresh would give (see the module docstring on float
    rounding), and which rows were recomputed and which merged.
    """
    ids, available = np.asarray(ids, dtype=np.int64), np.asarray(available, dtype=bool)
    list_ids, list_scores = np.asarray(list_ids, dtype=np.int64), np.asarray(list_scores, dtype=np.float32)
    k = list_ids.shape[1]
    changed = np.isin(ids, changed_ids)
    stale = np.isin(list_ids, changed_ids) | ((list_ids != PAD_ID) & ~np.isin(list_ids, ids[available]))
    kept = np.flatnonzero(~changed)
    incoming = changed & available
    rows, candidate_ids, candidate_scores = affected_rows(
        changed_vectors=vectors[incoming],
        changed_ids=ids[incoming],
        vectors=vectors[kept],
        ids=ids[kept],
        list_ids=list_ids[kept],
        list_scores=list_scores[kept],
        chunk_size=chunk_size,
        device=device,
    )
    touched = np.union1d(kept[rows], kept[stale[kept].any(axis=1)])
    merged_ids, merged_scores = _merge_touched(
        touched, kept[rows], candidate_ids, candidate_scores, list_ids, list_scores, stale, k=k
    )
    exact = _merge_is_exact(merged_ids, merged_scores, list_ids[touched], list_scores[touched])
    new_ids, new_scores = list_ids.copy(), list_scores.copy()
    new_ids[touched[exact]], new_scores[touched[exact]] = merged_ids[exact], merged_scores[exact]
    recompute = np.union1d(np.flatnonzero(changed), touched[~exact])
    if recompute.size:
        new_ids[recompute], new_scores[recompute] = top_k_neighbours(
            vectors[recompute],
            vectors,
            k=k,
            query_ids=ids[recompute],
            corpus_ids=ids,
            corpus_mask=available,
            chunk_size=chunk_size,
            device=device,
        )
    return NeighbourRefresh(new_ids, new_scores, recompute.astype(np.int64), touched[exact].astype(np.int64))


def _merge_touched(
    touched: np.ndarray,
    candidate_rows: np.ndarray,
    candidate_ids: np.ndarray,
    candidate_scores: np.ndarray,
    list_ids: np.ndarray,
    list_scores: np.ndarray,
    stale: np.ndarray,
    *,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2 and 4 for the touched rows (t,): stripped old lists merged with their candidates, (t, k)."""
    width = candidate_ids.shape[1]
    ids = np.full((touched.size, width), PAD_ID, dtype=np.int64)
    scores = np.full((touched.size, width), PAD_SCORE, dtype=np.float32)
    at = np.searchsorted(touched, candidate_rows)
    ids[at], scores[at] = candidate_ids, candidate_scores
    stripped = stale[touched]
    return merge_neighbour_lists(
        np.where(stripped, PAD_ID, list_ids[touched]),
        np.where(stripped, np.float32(PAD_SCORE), list_scores[touched]),
        ids,
        scores,
        k=k,
    )


def _merge_is_exact(
    merged_ids: np.ndarray, merged_scores: np.ndarray, old_ids: np.ndarray, old_scores: np.ndarray
) -> np.ndarray:
    """Step 5, (t,) bool: old list not full, or merged list full with its last entry at or before the old k-th."""
    if old_ids.shape[1] == 0:
        return np.ones(old_ids.shape[0], dtype=bool)
    old_s, old_i = old_scores[:, -1], old_ids[:, -1]
    new_s, new_i = merged_scores[:, -1], merged_ids[:, -1]
    at_or_before = (new_i != PAD_ID) & ((new_s > old_s) | ((new_s == old_s) & (new_i <= old_i)))
    return (old_i == PAD_ID) | at_or_before
