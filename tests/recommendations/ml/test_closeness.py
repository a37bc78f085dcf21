"""Closeness rows: a Gaussian kernel of the log price ratio, and exact sameness."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from recommendations.ml.closeness import equality_features, price_features, random_fourier_features


def test_price_rows_score_the_log_price_ratio_by_a_gaussian_kernel() -> None:
    base = np.geomspace(50_000, 2_000_000, 40)
    ratios = np.exp(np.random.default_rng(1).uniform(-0.6, 0.6, 40))
    rows = price_features([*base.tolist(), *(base * ratios).tolist()], bandwidth=0.2)

    closeness = np.sum(rows[:40] * rows[40:], axis=1)
    kernel = np.exp(-np.log(ratios) ** 2 / (2 * 0.2**2))
    assert rows.shape == (80, 64) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert np.abs(closeness - kernel).mean() < 0.08 and np.abs(closeness - kernel).max() < 0.15
    assert np.corrcoef(closeness, kernel)[0, 1] > 0.98
    # Scale-free: the same ratio scores alike at any price.
    same = price_features([100_000, 122_140, 1_000_000, 1_221_403], bandwidth=0.2)
    assert float(same[0] @ same[1]) == pytest.approx(float(same[2] @ same[3]), abs=1e-5)


def test_unknown_and_non_positive_prices_are_close_to_nothing() -> None:
    rows = price_features([Decimal("150000"), None, 0, -5, float("nan")], bandwidth=0.2)

    assert np.allclose(np.linalg.norm(rows, axis=1), [1, 0, 0, 0, 0], atol=1e-6)


def test_equality_rows_are_exact_one_hot_of_trimmed_case_free_values() -> None:
    rows = equality_features(["PR", " pr", "FL", "", None, float("nan"), 3, 3.0, 4])

    assert (rows @ rows.T).tolist() == [
        [1, 1, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 1, 1, 0],
        [0, 0, 0, 0, 0, 0, 1, 1, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 1],
    ]
    assert equality_features([None, ""]).shape == (2, 1) and not equality_features([None, ""]).any()


def test_it_refuses_a_bandwidth_or_width_it_cannot_use() -> None:
    with pytest.raises(ValueError, match=r"bandwidth must be positive and dims even, got 0\.0 and 32"):
        random_fourier_features(np.zeros((1, 1)), bandwidth=0.0, dims=32, seed=0)
    with pytest.raises(ValueError, match=r"got 1\.0 and 7"):
        random_fourier_features(np.zeros((1, 1)), bandwidth=1.0, dims=7, seed=0)
