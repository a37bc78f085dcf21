"""Column helpers of the feature pipelines (``features``): vectorized, a frame column → float64 (n,),
and the statistics fitted on one column (clip bounds, median, scale, frequent categories)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CATEGORY_OTHER = "other"
CATEGORY_MISSING = "missing"
DAYS_PER_YEAR = 365.2425
EPOCH_YEAR = 1970.0
_STD_FLOOR = 1e-8


def numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Column as float64 (n,); absent column, blanks, text and ±inf become NaN."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isfinite(values), values, np.nan)


def non_negative(values: np.ndarray) -> np.ndarray:
    return np.where(values >= 0, values, np.nan)


def log1p_positive(values: np.ndarray) -> np.ndarray:
    """log1p of positive values; zero and negative prices or sizes are missing, not cheap."""
    return np.log1p(np.where(values > 0, values, np.nan))


def decimal_years(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Dates (date objects, ISO or M/D/YYYY text) as decimal years, e.g. 2020.5; NaN where missing."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    dates = pd.to_datetime(frame[column], errors="coerce", format="mixed")
    if dates.dt.tz is not None:
        dates = dates.dt.tz_localize(None)
    days = (dates - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan) / 86_400
    return EPOCH_YEAR + days / DAYS_PER_YEAR


def nanmax(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else None


def fit_numeric(values: np.ndarray, quantiles: tuple[float, float]) -> tuple[tuple[float, float], float]:
    """Clip bounds at the quantiles and the median of the clipped values; a column with no value at
    all in training clips to (0, 0), so it stays a constant however new rows fill it."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 0.0), 0.0
    low, high = (float(bound) for bound in np.quantile(finite, quantiles))
    return (low, high), float(np.median(np.clip(finite, low, high)))


def fit_scale(values: np.ndarray, observed: np.ndarray | None) -> tuple[float, float]:
    """(mean, std) that scale a column. A continuous column is standardized with the statistics of the
    rows that had a value: imputed rows must not shrink its spread, or the few real values of a mostly
    blank column (a previous sale date) would land tens of deviations out. A 0/1 column is centred
    on its share and keeps unit scale, so a rare flag or category is worth ±1, not ±20."""
    if observed is None:
        return float(values.mean()), 1.0
    sample = values[observed] if observed.any() else values
    std = float(sample.std())
    return float(sample.mean()), std if std >= _STD_FLOOR else 1.0


def unit_sphere(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Degrees → (x, y, z) on the unit sphere; no seam at ±180° (Alaska, Guam)."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)


def category_tokens(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes int64 (n,) into tokens (u,): stripped lower-case text, blanks and missing values as the
    token 'missing'. Text work is done once per distinct value, not once per row."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64), np.array([CATEGORY_MISSING], dtype=object)
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    tokens = pd.Series(uniques, dtype=object).astype("string").str.strip().str.lower()
    tokens = tokens.mask(tokens == "", pd.NA).fillna(CATEGORY_MISSING).to_numpy(dtype=object)
    codes = np.where(codes < 0, len(tokens), codes).astype(np.int64)
    return codes, np.append(tokens, CATEGORY_MISSING)


def fit_categories(frame: pd.DataFrame, column: str, top_k: int, min_share: float) -> list[str]:
    """The ``top_k`` most frequent values with at least ``min_share`` of the rows; ties by name, so
    the choice is deterministic. A value spelled 'other' joins the other bucket."""
    codes, tokens = category_tokens(frame, column)
    counts = pd.Series(np.bincount(codes, minlength=len(tokens)), index=tokens).groupby(level=0).sum()
    counts = counts[(counts.index != CATEGORY_OTHER) & (counts >= max(1, math.ceil(min_share * len(frame))))]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [str(value) for value, _ in ranked[:top_k]]


def category_codes(frame: pd.DataFrame, column: str, categories: list[str]) -> np.ndarray:
    """Index of each row's value in ``categories``, int64 (n,); len(categories) (other) when absent."""
    codes, tokens = category_tokens(frame, column)
    position = {value: index for index, value in enumerate(categories)}
    lookup = np.array([position.get(token, len(categories)) for token in tokens], dtype=np.int64)
    return lookup[codes]
