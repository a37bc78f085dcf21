"""Incremental refresh of neighbour lists (``neighbours_refresh_incremental``; the primitives are public
so that a caller can split the work). Given the lists of the last refresh and the ids that changed since:

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

from dataclasses import dataclass

import numpy as np
import torch

from recommendations.ml.neighbours.lists import PAD_ID, PAD_SCORE, merge_neighbour_lists
from recommendations.ml.neighbours.top_k import SCORE_BLOCK_ELEMENTS, resolve_device, top_k_neighbours


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
    target = resolve_device(device)
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
