"""Exact chunked top-k neighbours, blended vectors, merging and the incremental refresh."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.closeness import equality_features
from recommendations.ml.geo import PLACE_DIMS, place_features
from recommendations.ml.neighbours import top_k
from recommendations.ml.neighbours.blend import blended_vectors
from recommendations.ml.neighbours.incremental import affected_rows, neighbours_refresh_incremental
from recommendations.ml.neighbours.lists import merge_neighbour_lists, row_ranges
from recommendations.ml.neighbours.top_k import iter_top_k_neighbours, top_k_neighbours

CPU = "cpu"
INF = np.float32(np.inf)


def brute_force(
    queries: np.ndarray,
    corpus: np.ndarray,
    *,
    k: int,
    query_ids: np.ndarray | None = None,
    corpus_ids: np.ndarray | None = None,
    corpus_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The definition, one row at a time in float64: sort by (-score, id), skip self and masked, pad."""
    n = corpus.shape[0]
    corpus_ids = np.arange(n) if corpus_ids is None else corpus_ids
    corpus_mask = np.ones(n, dtype=bool) if corpus_mask is None else corpus_mask
    scores = queries.astype(np.float64) @ corpus.astype(np.float64).T
    out_ids = np.full((queries.shape[0], k), -1, dtype=np.int64)
    out_scores = np.full((queries.shape[0], k), -np.inf, dtype=np.float32)
    for row in range(queries.shape[0]):
        own = None if query_ids is None else query_ids[row]
        ranked = sorted(
            (-scores[row, j], int(corpus_ids[j])) for j in range(n) if corpus_mask[j] and corpus_ids[j] != own
        )[:k]
        for slot, (negative, item) in enumerate(ranked):
            out_ids[row, slot], out_scores[row, slot] = item, -negative
    return out_ids, out_scores


def integer_vectors(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Small integers: every dot product is exact in float32, and ties are everywhere."""
    return rng.integers(-2, 3, size=(n, d)).astype(np.float32)


@pytest.mark.parametrize(
    ("n_queries", "n", "d", "k", "chunk_size", "block_elements"),
    [
        (30, 30, 4, 5, 7, 1 << 28),
        (30, 30, 4, 5, 7, 64),
        (50, 120, 3, 10, 16, 160),
        (17, 40, 2, 1, 4, 8),
        (9, 12, 5, 11, 2, 6),
        (40, 200, 6, 50, 64, 1 << 28),
    ],
)
def test_it_matches_brute_force_with_ties_masks_and_self(
    monkeypatch: pytest.MonkeyPatch, n_queries: int, n: int, d: int, k: int, chunk_size: int, block_elements: int
) -> None:
    monkeypatch.setattr(top_k, "SCORE_BLOCK_ELEMENTS", block_elements)
    rng = np.random.default_rng(n * 1000 + k)
    corpus = integer_vectors(rng, n, d)
    corpus_ids = rng.permutation(np.arange(100, 100 + 3 * n, 3))
    corpus_mask = rng.random(n) < 0.8
    picked = rng.choice(n, size=n_queries, replace=n_queries > n)
    queries, query_ids = corpus[picked], corpus_ids[picked]

    ids, scores = top_k_neighbours(
        queries,
        corpus,
        k=k,
        query_ids=query_ids,
        corpus_ids=corpus_ids,
        corpus_mask=corpus_mask,
        chunk_size=chunk_size,
        device=CPU,
    )

    expected_ids, expected_scores = brute_force(
        queries, corpus, k=k, query_ids=query_ids, corpus_ids=corpus_ids, corpus_mask=corpus_mask
    )
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(scores, expected_scores)
    assert ids.dtype == np.int64
    assert scores.dtype == np.float32


@pytest.mark.parametrize(("n", "d", "k", "chunk_size"), [(300, 16, 10, 64), (80, 394, 50, 33)])
def test_it_matches_brute_force_on_float_vectors_up_to_rounding(n: int, d: int, k: int, chunk_size: int) -> None:
    rng = np.random.default_rng(7)
    corpus = blended_vectors(rng.standard_normal((n, d)), None, text_weight=0.0)

    ids, scores = top_k_neighbours(corpus, corpus, k=k, query_ids=np.arange(n), chunk_size=chunk_size, device=CPU)

    # float32 products can order two candidates 1e-9 apart either way; rank by rank, the true
    # (float64) scores of what we return must be the brute-force top-k scores.
    _, expected_scores = brute_force(corpus, corpus, k=k, query_ids=np.arange(n))
    true_scores = np.take_along_axis(corpus.astype(np.float64) @ corpus.astype(np.float64).T, ids, axis=1)
    np.testing.assert_allclose(true_scores, expected_scores, rtol=0, atol=1e-6)
    np.testing.assert_allclose(scores, expected_scores, rtol=0, atol=1e-6)
    assert (np.sort(ids, axis=1)[:, 1:] != np.sort(ids, axis=1)[:, :-1]).all()
    assert not (ids == np.arange(n)[:, None]).any()


def test_it_breaks_ties_by_lower_id() -> None:
    corpus = np.array([[1, 0], [1, 0], [2, 0], [1, 0], [1, 0]], dtype=np.float32)
    corpus_ids = np.array([40, 10, 30, 20, 50])

    ids, scores = top_k_neighbours(np.array([[1, 0]], dtype=np.float32), corpus, k=3, corpus_ids=corpus_ids, device=CPU)

    np.testing.assert_array_equal(ids, [[30, 10, 20]])
    np.testing.assert_array_equal(scores, [[2, 1, 1]])


def test_it_keeps_duplicate_vectors_apart_by_id_and_excludes_only_itself() -> None:
    corpus = np.ones((4, 3), dtype=np.float32)

    ids, scores = top_k_neighbours(corpus, corpus, k=2, query_ids=np.arange(4), device=CPU)

    np.testing.assert_array_equal(ids, [[1, 2], [0, 2], [0, 1], [0, 1]])
    np.testing.assert_array_equal(scores, np.full((4, 2), 3.0))


def test_it_excludes_masked_rows() -> None:
    corpus = np.array([[3, 0], [2, 0], [1, 0]], dtype=np.float32)

    ids, scores = top_k_neighbours(
        np.array([[1, 0]], dtype=np.float32), corpus, k=2, corpus_mask=np.array([False, True, True]), device=CPU
    )

    np.testing.assert_array_equal(ids, [[1, 2]])
    np.testing.assert_array_equal(scores, [[2, 1]])


def test_it_pads_rows_with_fewer_candidates_than_k() -> None:
    corpus = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)

    ids, scores = top_k_neighbours(
        corpus, corpus, k=4, query_ids=np.arange(3), corpus_mask=np.array([True, True, False]), device=CPU
    )

    np.testing.assert_array_equal(ids, [[1, -1, -1, -1], [0, -1, -1, -1], [0, 1, -1, -1]])
    np.testing.assert_array_equal(scores, [[0, -INF, -INF, -INF], [0, -INF, -INF, -INF], [1, 1, -INF, -INF]])


def test_it_handles_empty_corpus_empty_queries_and_k_zero() -> None:
    vectors = np.ones((3, 2), dtype=np.float32)

    empty_corpus = top_k_neighbours(vectors, np.empty((0, 2), dtype=np.float32), k=2, device=CPU)
    no_queries = top_k_neighbours(np.empty((0, 2), dtype=np.float32), vectors, k=2, device=CPU)
    k_zero = top_k_neighbours(vectors, vectors, k=0, device=CPU)
    all_masked = top_k_neighbours(vectors, vectors, k=1, corpus_mask=np.zeros(3, dtype=bool), device=CPU)

    np.testing.assert_array_equal(empty_corpus[0], np.full((3, 2), -1))
    np.testing.assert_array_equal(empty_corpus[1], np.full((3, 2), -INF))
    assert no_queries[0].shape == (0, 2)
    assert no_queries[1].shape == (0, 2)
    assert k_zero[0].shape == (3, 0)
    assert k_zero[1].shape == (3, 0)
    np.testing.assert_array_equal(all_masked[0], [[-1], [-1], [-1]])


def test_it_computes_only_the_requested_rows_chunk_by_chunk() -> None:
    rng = np.random.default_rng(3)
    corpus = integer_vectors(rng, 20, 3)
    full_ids, full_scores = top_k_neighbours(corpus, corpus, k=4, query_ids=np.arange(20), device=CPU)

    part_ids, part_scores = top_k_neighbours(
        corpus, corpus, k=4, query_ids=np.arange(20), start=5, stop=12, chunk_size=3, device=CPU
    )
    chunks = list(
        iter_top_k_neighbours(corpus, corpus, k=4, query_ids=np.arange(20), start=5, stop=12, chunk_size=3, device=CPU)
    )

    np.testing.assert_array_equal(part_ids, full_ids[5:12])
    np.testing.assert_array_equal(part_scores, full_scores[5:12])
    assert [(lo, hi) for lo, hi, _, _ in chunks] == [(5, 8), (8, 11), (11, 12)]
    np.testing.assert_array_equal(chunks[1][2], full_ids[8:11])


def test_it_splits_rows_into_task_ranges() -> None:
    assert row_ranges(10, rows_per_task=4) == [(0, 4), (4, 8), (8, 10)]
    assert row_ranges(0, rows_per_task=4) == []


def test_it_rejects_duplicate_corpus_ids_and_bad_rows() -> None:
    vectors = np.ones((2, 2), dtype=np.float32)

    with pytest.raises(ValueError, match="unique"):
        top_k_neighbours(vectors, vectors, k=1, corpus_ids=np.array([5, 5]), device=CPU)
    with pytest.raises(ValueError, match="do not lie within"):
        top_k_neighbours(vectors, vectors, k=1, start=1, stop=3, device=CPU)


def test_it_blends_item_and_text_cosines_by_weight() -> None:
    rng = np.random.default_rng(0)
    item, text = rng.standard_normal((6, 10)), rng.standard_normal((6, 384))

    blended = blended_vectors(item, text, text_weight=0.3)

    def cosines(x: np.ndarray) -> np.ndarray:
        unit = x / np.linalg.norm(x, axis=1, keepdims=True)
        return unit @ unit.T

    assert blended.shape == (6, 394)
    assert blended.dtype == np.float32
    assert np.allclose(blended @ blended.T, 0.7 * cosines(item) + 0.3 * cosines(text), atol=1e-6)


def test_it_blends_in_closeness_parts_by_their_weights() -> None:
    rng = np.random.default_rng(0)
    item, text = rng.standard_normal((6, 10)), rng.standard_normal((6, 384))
    places = place_features(rng.uniform(18, 45, 6), rng.uniform(-120, -66, 6), bandwidth_km=100.0)
    states = equality_features(["PR", "FL", "PR", None, "TX", "FL"])

    blended = blended_vectors(item, text, text_weight=0.3, closeness=[(places, 0.2), (states, 0.1), (states, 0.0)])

    plain = blended_vectors(item, text, text_weight=0.3)
    assert blended.shape == (6, 394 + PLACE_DIMS + 3)
    assert np.allclose(
        blended @ blended.T, 0.7 * (plain @ plain.T) + 0.2 * (places @ places.T) + 0.1 * (states @ states.T),
        atol=1e-6,
    )
    for weights in ([0.6, 0.4], [0.2, -0.1]):
        with pytest.raises(ValueError, match="closeness weights must be >= 0 and sum to less than 1"):
            blended_vectors(item, text, text_weight=0.3, closeness=[(places, weights[0]), (states, weights[1])])
    with pytest.raises(ValueError, match="item has 6 rows, a closeness part has 5"):
        blended_vectors(item, text, text_weight=0.3, closeness=[(places[:5], 0.2)])


def test_it_keeps_zero_parts_zero() -> None:
    item = np.array([[0.0, 0.0], [3.0, 4.0]])
    text = np.array([[0.0, 2.0], [0.0, 0.0]])

    blended = blended_vectors(item, text, text_weight=0.36)

    np.testing.assert_allclose(blended, [[0, 0, 0, 0.6], [0.8 * 0.6, 0.8 * 0.8, 0, 0]], rtol=1e-6)
    np.testing.assert_allclose(blended_vectors(item, None, text_weight=0.36), [[0, 0], [0.6, 0.8]], rtol=1e-6)


def test_it_merges_candidates_dropping_duplicates_and_keeping_k() -> None:
    current_ids = np.array([[7, 3, 9], [4, -1, -1]])
    current_scores = np.array([[0.9, 0.5, 0.5], [0.2, -INF, -INF]], dtype=np.float32)
    candidate_ids = np.array([[3, 8, 2], [5, 5, -1]])
    candidate_scores = np.array([[0.95, 0.5, 0.1], [0.1, 0.3, -INF]], dtype=np.float32)

    ids, scores = merge_neighbour_lists(current_ids, current_scores, candidate_ids, candidate_scores, k=3)

    np.testing.assert_array_equal(ids, [[3, 7, 8], [5, 4, -1]])
    np.testing.assert_array_equal(scores, np.array([[0.95, 0.9, 0.5], [0.3, 0.2, -INF]], dtype=np.float32))


def test_it_finds_rows_a_changed_item_now_belongs_to() -> None:
    vectors = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
    list_ids = np.array([[22, 21], [22, 20], [20, -1]])
    list_scores = np.array([[1, 0], [1, 0], [1, -INF]], dtype=np.float32)

    rows, candidate_ids, candidate_scores = affected_rows(
        changed_vectors=np.array([[0, 3], [2, 0]], dtype=np.float32),
        changed_ids=np.array([10, 25]),
        vectors=vectors,
        ids=np.array([20, 21, 22]),
        list_ids=list_ids,
        list_scores=list_scores,
        device=CPU,
    )

    np.testing.assert_array_equal(rows, [0, 1, 2])
    np.testing.assert_array_equal(candidate_ids, [[25, 10], [10, -1], [10, 25]])
    np.testing.assert_array_equal(candidate_scores, [[2, 0], [3, -INF], [3, 2]])


def test_it_merges_a_moved_item_and_recomputes_its_own_row() -> None:
    vectors = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32)
    ids, available = np.arange(4), np.ones(4, dtype=bool)
    old_ids, old_scores = top_k_neighbours(vectors, vectors, k=1, query_ids=ids, device=CPU)
    vectors[3] = [0, 2]

    refresh = neighbours_refresh_incremental(
        vectors=vectors,
        ids=ids,
        available=available,
        list_ids=old_ids,
        list_scores=old_scores,
        changed_ids=np.array([3]),
        device=CPU,
    )

    np.testing.assert_array_equal(refresh.ids, [[1], [0], [3], [2]])
    np.testing.assert_array_equal(refresh.scores, [[1], [1], [2], [2]])
    np.testing.assert_array_equal(refresh.recomputed, [3])
    np.testing.assert_array_equal(refresh.merged, [2])


def test_it_recomputes_a_row_whose_neighbour_moved_away() -> None:
    vectors = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32)
    ids, available = np.arange(4), np.ones(4, dtype=bool)
    old_ids, old_scores = top_k_neighbours(vectors, vectors, k=1, query_ids=ids, device=CPU)
    vectors[3] = [1, 0]

    refresh = neighbours_refresh_incremental(
        vectors=vectors,
        ids=ids,
        available=available,
        list_ids=old_ids,
        list_scores=old_scores,
        changed_ids=np.array([3]),
        device=CPU,
    )

    np.testing.assert_array_equal(refresh.ids, [[1], [0], [0], [0]])
    np.testing.assert_array_equal(refresh.scores, [[1], [1], [0], [1]])
    np.testing.assert_array_equal(refresh.recomputed, [2, 3])
    assert refresh.merged.size == 0


@pytest.mark.parametrize(("seed", "n", "k"), [(1, 60, 5), (2, 40, 8), (3, 9, 12), (4, 80, 1), (5, 50, 3)])
def test_it_refreshes_incrementally_exactly_like_a_full_refresh(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    vectors, ids = integer_vectors(rng, n, 4), np.arange(n) * 10
    available = rng.random(n) < 0.85
    list_ids, list_scores = full_refresh(vectors, ids, available, k)
    next_id = ids.max() + 10
    for _ in range(6):
        changed: list[int] = []
        # move a few items
        moved = rng.choice(ids.size, size=3, replace=False)
        vectors[moved] = integer_vectors(rng, 3, 4)
        changed += ids[moved].tolist()
        # sell or relist a couple
        toggled = rng.choice(ids.size, size=2, replace=False)
        available[toggled] = ~available[toggled]
        changed += ids[toggled].tolist()
        # delete one (not listed as changed: stale entries are found anyway)
        gone = rng.integers(ids.size)
        keep = np.arange(ids.size) != gone
        vectors, ids, available = vectors[keep], ids[keep], available[keep]
        list_ids, list_scores = list_ids[keep], list_scores[keep]
        # add two, with unset lists
        vectors = np.concatenate([vectors, integer_vectors(rng, 2, 4)])
        ids = np.concatenate([ids, [next_id, next_id + 1]])
        available = np.concatenate([available, [True, True]])
        list_ids = np.concatenate([list_ids, np.full((2, k), -1)])
        list_scores = np.concatenate([list_scores, np.full((2, k), -INF)])
        changed += [next_id, next_id + 1]
        next_id += 10

        refresh = neighbours_refresh_incremental(
            vectors=vectors,
            ids=ids,
            available=available,
            list_ids=list_ids,
            list_scores=list_scores,
            changed_ids=np.array(changed),
            chunk_size=16,
            device=CPU,
        )

        expected_ids, expected_scores = full_refresh(vectors, ids, available, k)
        np.testing.assert_array_equal(refresh.ids, expected_ids)
        np.testing.assert_array_equal(refresh.scores, expected_scores)
        assert np.intersect1d(refresh.recomputed, refresh.merged).size == 0
        list_ids, list_scores = refresh.ids, refresh.scores


def full_refresh(vectors: np.ndarray, ids: np.ndarray, available: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    return top_k_neighbours(
        vectors, vectors, k=k, query_ids=ids, corpus_ids=ids, corpus_mask=available, chunk_size=16, device=CPU
    )
