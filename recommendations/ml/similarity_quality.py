"""How coherent neighbour lists are: do a listing's neighbours cost, sit and look like it?

Pure functions over numpy arrays, for the "similar listings" quality report. Every metric is pooled
over all (source, neighbour) pairs of the sample, counting only pairs where both sides know the
attribute; a metric with no such pair is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from recommendations.ml.geo import haversine_km
from recommendations.ml.neighbours.blend import blended_vectors
from recommendations.ml.neighbours.top_k import top_k_neighbours

MEDIAN_ABS_LOG_PRICE_RATIO = "median_abs_log_price_ratio"
SAME_CITY_SHARE = "same_city_share"
SAME_STATE_SHARE = "same_state_share"
BED_AGREEMENT = "bed_agreement"
BATH_AGREEMENT = "bath_agreement"
MEDIAN_KM = "median_km"
QUALITY_KEYS = (
    MEDIAN_ABS_LOG_PRICE_RATIO,
    SAME_CITY_SHARE,
    SAME_STATE_SHARE,
    BED_AGREEMENT,
    BATH_AGREEMENT,
    MEDIAN_KM,
)


@dataclass(frozen=True)
class ListingAttributes:
    """Attributes of n listings, indexed by position (the same positions as the neighbour lists).

    price: (n,) float, unknown when NaN or <= 0. city, state: (n,) str or object, unknown when None,
    NaN or blank; compared trimmed and case-insensitive. bed, bath: (n,) float, unknown when NaN.
    lat, lon: (n,) float degrees, unknown when NaN.
    """

    price: np.ndarray
    city: np.ndarray
    state: np.ndarray
    bed: np.ndarray
    bath: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


def neighbour_coherence(
    *, source_positions: np.ndarray, neighbour_positions: np.ndarray, attributes: ListingAttributes
) -> dict[str, float]:
    """Coherence of the neighbour lists of a sample of listings.

    source_positions: (s,) positions of the sampled listings; neighbour_positions: (s, k) positions of
    their neighbours, ``-1`` for padding (skipped).
    Returns a dict with exactly ``QUALITY_KEYS``:
      median_abs_log_price_ratio: median of |ln(price_neighbour / price_source)|;
      same_city_share: share of pairs in the same city, that is same city name and same state
        (pairs where both cities are known);
      same_state_share: share of pairs in the same state;
      bed_agreement / bath_agreement: share of pairs with equal bed / bath counts;
      median_km: median great-circle (haversine) distance in km, Earth radius ``EARTH_RADIUS_KM``.
    """
    neighbours = np.asarray(neighbour_positions, dtype=np.int64)
    sources = np.repeat(
        np.asarray(source_positions, dtype=np.int64), neighbours.shape[1] if neighbours.ndim == 2 else 0
    )
    present = neighbours.ravel() >= 0
    src, nbr = sources[present], neighbours.ravel()[present]
    city_src, city_nbr = _text_keys(attributes.city[src]), _text_keys(attributes.city[nbr])
    state_src, state_nbr = _text_keys(attributes.state[src]), _text_keys(attributes.state[nbr])
    return {
        MEDIAN_ABS_LOG_PRICE_RATIO: _median(_abs_log_ratios(attributes.price[src], attributes.price[nbr])),
        SAME_CITY_SHARE: _share(
            (city_src == city_nbr) & (state_src == state_nbr), known=(city_src != "") & (city_nbr != "")
        ),
        SAME_STATE_SHARE: _share(state_src == state_nbr, known=(state_src != "") & (state_nbr != "")),
        BED_AGREEMENT: _agreement(attributes.bed[src], attributes.bed[nbr]),
        BATH_AGREEMENT: _agreement(attributes.bath[src], attributes.bath[nbr]),
        MEDIAN_KM: _median(
            haversine_km(attributes.lat[src], attributes.lon[src], attributes.lat[nbr], attributes.lon[nbr])
        ),
    }


def exact_knn_baseline(
    features: np.ndarray,
    sample_positions: np.ndarray,
    k: int,
    *,
    corpus_mask: np.ndarray | None = None,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Plain cosine kNN on standardized raw features, the yardstick for the learned embeddings.

    features: (n, d) raw feature matrix (NaN = missing); each column is standardized (mean 0, std 1;
    constant columns and missing values become 0), each row L2-normalized.
    sample_positions: (s,) rows to find neighbours for; a row is never its own neighbour.
    corpus_mask: (n,) bool, rows allowed as neighbours. Returns (s, k) int64 positions, ``-1`` padded,
    in ``top_k_neighbours`` order.
    """
    columns = np.asarray(features, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(columns, axis=0) if columns.shape[0] else np.zeros(columns.shape[1])
        std = np.nanstd(columns, axis=0) if columns.shape[0] else np.ones(columns.shape[1])
        standardized = np.where(std > 0, (columns - mean) / std, 0.0)
    unit = blended_vectors(np.nan_to_num(standardized, nan=0.0), None, text_weight=0.0)
    sample = np.asarray(sample_positions, dtype=np.int64)
    positions, _ = top_k_neighbours(unit[sample], unit, k=k, query_ids=sample, corpus_mask=corpus_mask, device=device)
    return positions


def _text_keys(values: np.ndarray) -> np.ndarray:
    """(p,) strings -> (p,) trimmed lower-case str; "" for None, NaN and blanks."""
    return np.array([value.strip().casefold() if isinstance(value, str) else "" for value in values], dtype=object)


def _abs_log_ratios(source_price: np.ndarray, neighbour_price: np.ndarray) -> np.ndarray:
    """(p,) prices -> (p,) |ln(neighbour / source)|, NaN where either price is unknown."""
    a, b = np.asarray(source_price, dtype=np.float64), np.asarray(neighbour_price, dtype=np.float64)
    known = (a > 0) & (b > 0)
    out = np.full(a.shape, np.nan)
    out[known] = np.abs(np.log(b[known] / a[known]))
    return out


def _agreement(source: np.ndarray, neighbour: np.ndarray) -> float:
    a, b = np.asarray(source, dtype=np.float64), np.asarray(neighbour, dtype=np.float64)
    return _share(a == b, known=~np.isnan(a) & ~np.isnan(b))


def _share(hits: np.ndarray, *, known: np.ndarray) -> float:
    """Share of ``hits`` among ``known`` pairs; NaN when none is known."""
    total = int(np.count_nonzero(known))
    return float(np.count_nonzero(hits & known)) / total if total else float("nan")


def _median(values: np.ndarray) -> float:
    """Median of the non-NaN values; NaN when there are none."""
    finite = values[~np.isnan(values)]
    return float(np.median(finite)) if finite.size else float("nan")
