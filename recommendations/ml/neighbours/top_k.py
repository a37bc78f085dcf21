"""Exact top-k neighbours by dot product, computed in chunks (torch; CUDA when available).

Vectors are compared by dot product. Feed it ``blend.blended_vectors`` (L2-normalized parts) and the dot
product is a weighted cosine similarity. Lists follow the order of ``lists`` (score descending, then id
ascending; ``-1`` / ``-inf`` padding).

Ties at the cut. ``torch.topk`` promises no order among equal values, so each block asks it for k + 1
values. Where the k-th and (k+1)-th are equal (ties at the cut), the row is chosen again with an integer
key, strictly greater scores first, then equal scores by id. Other rows only need their k values sorted.

Memory. Queries go through in chunks of ``chunk_size`` rows, and the corpus in blocks of at most
``SCORE_BLOCK_ELEMENTS // chunk_size`` rows; no more than one ``(chunk, block)`` score matrix is
held at a time (1 GiB at the defaults), never the full ``q × n`` matrix. Per block the exact
top-k comes out and is merged into the chunk's running top-k by the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from recommendations.ml.neighbours.lists import PAD_ID

# At most this many scores (float32) are held at once: 2**28 = 1 GiB.
SCORE_BLOCK_ELEMENTS = 1 << 28

_INT64_MIN = torch.iinfo(torch.int64).min
_INT64_MAX = torch.iinfo(torch.int64).max


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
    target = resolve_device(device)
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


def resolve_device(device: str | torch.device | None) -> torch.device:
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
