"""Feature pipelines: a frame of listings of one kind → a standardized float32 matrix.

One pipeline per kind (:class:`HomeFeaturePipeline`, :class:`CarFeaturePipeline`). ``fit`` learns
everything that depends on the data (clip bounds, medians, frequent categories, reference year,
means and standard deviations); ``to_dict`` stores it as plain JSON so that a model version can
apply exactly the same transform to any listing later, without refitting.

Input columns are named like the ``Listing`` model fields (the constants below). A column that is
absent is treated as all missing. Values may be ``None``, ``NaN``, ``NaT``, ``Decimal`` or strings.

Steps, in order:
  1. numeric inputs: ``log1p`` of price, house size, lot and odometer; price goes into one
     column per offer (a monthly rent is not a cheap sale); ages in years from a fitted
     reference year (never "now");
  2. clip to quantiles fitted on the training rows (0.5 % / 99.5 % by default);
  3. a ``*_missing`` indicator per input that can be blank, then median imputation;
  4. location as a point on the unit sphere (x, y, z), so that distances are true chord distances;
  5. categoricals: one-hot of the top-K frequent fitted values plus an ``other`` bucket
     (unseen and rare values go there; a blank is the value ``missing``);
  6. scaling with fitted statistics: continuous columns standardized with the mean and standard
     deviation of the rows that had a value; 0/1 columns (indicators, offer, one-hots) centred on
     their training share at unit scale, so that rare flags do not dominate distances.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from recommendations.ml.feature_columns import (
    CATEGORY_OTHER,
    category_codes,
    decimal_years,
    fit_categories,
    fit_numeric,
    fit_scale,
    log1p_positive,
    nanmax,
    non_negative,
    numbers,
    unit_sphere,
)

COL_PRICE = "price"
COL_OFFER = "offer"
COL_STATE = "state"
COL_LAT = "lat"
COL_LON = "lon"
# Homes
COL_BED = "bed"
COL_BATH = "bath"
COL_HOUSE_SIZE = "house_size"
COL_ACRE_LOT = "acre_lot"
COL_PREV_SOLD_DATE = "prev_sold_date"
# Cars
COL_YEAR = "year"
COL_ODOMETER = "odometer"
COL_MAKE = "make"
COL_MODEL = "model"
COL_CONDITION = "condition"
COL_CYLINDERS = "cylinders"
COL_FUEL = "fuel"
COL_TRANSMISSION = "transmission"
COL_DRIVE = "drive"
COL_SIZE = "size"
COL_BODY_TYPE = "body_type"
COL_PAINT_COLOR = "paint_color"
COL_TITLE_STATUS = "title_status"

OFFER_SALE = "sale"
OFFER_RENT = "rent"
KIND_HOME = "home"
KIND_CAR = "car"

DEFAULT_TOP_K = 20
DEFAULT_MIN_SHARE = 0.002
DEFAULT_CLIP_QUANTILES = (0.005, 0.995)
FORMAT_VERSION = 1

# Derived feature names.
LOG_PRICE_SALE = "log_price_sale"
LOG_PRICE_RENT = "log_price_rent"
IS_RENT = "is_rent"
PRICE_MISSING = "price_missing"
LOCATION_MISSING = "location_missing"
LOCATION_XYZ = ("location_x", "location_y", "location_z")
# Where a listing is matters to buyers as much as its price: its coordinates weigh more than one of
# the many other columns. Measured with ``evaluate_similarity`` on 2,000 demo homes: weight 1 gave a
# median of 354 km between neighbours, 3 gave 248, 4.5 gave 207 with price coherence still at the
# raw-feature baseline's, 6 gave 172 km but prices 10 % less coherent.
LOCATION_WEIGHT = 4.5
COLUMN_WEIGHTS = dict.fromkeys(LOCATION_XYZ, LOCATION_WEIGHT)
MISSING_SUFFIX = "_missing"

log = logging.getLogger(__name__)


class FeaturePipeline:
    """Listing frame → standardized matrix; the shared machinery of the per-kind pipelines.

    Subclasses name their numeric inputs (``numeric_inputs``: name → gets a missing indicator),
    their categoricals, and compute the raw numeric inputs in ``_numeric_values``.
    """

    kind: ClassVar[str]
    input_columns: ClassVar[tuple[str, ...]]
    numeric_inputs: ClassVar[dict[str, bool]]
    categorical_top_k: ClassVar[dict[str, int]]

    def __init__(
        self,
        *,
        top_k: Mapping[str, int] | None = None,
        min_share: float = DEFAULT_MIN_SHARE,
        clip_quantiles: tuple[float, float] = DEFAULT_CLIP_QUANTILES,
        reference_year: float | None = None,
    ) -> None:
        """``top_k`` overrides the per-column category counts; ``min_share`` is the smallest share of
        training rows a category needs to get its own column; ``reference_year`` (decimal year) fixes
        the date ages count from, else ``fit`` takes the latest one in the data."""
        self.top_k = {**self.categorical_top_k, **(top_k or {})}
        self.min_share = float(min_share)
        self.clip_quantiles = (float(clip_quantiles[0]), float(clip_quantiles[1]))
        self.reference_year = None if reference_year is None else float(reference_year)
        self.clip_bounds: dict[str, tuple[float, float]] = {}
        self.medians: dict[str, float] = {}
        self.categories: dict[str, list[str]] = {}
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.feature_names: list[str] = []

    # -- public API ---------------------------------------------------------------------------

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn clip bounds, medians, categories and scaling from ``frame`` (n ≥ 1 rows)."""
        if len(frame) == 0:
            raise ValueError("Cannot fit a feature pipeline on an empty frame.")
        absent = [name for name in self.input_columns if name not in frame.columns]
        if absent:
            # Allowed (a column can be blank everywhere), but a misspelt column would go unseen otherwise.
            log.warning("%s fitted without columns %s: treated as missing everywhere.", type(self).__name__, absent)
        if self.reference_year is None:
            self.reference_year = self._fit_reference_year(frame)
        raw = self._numeric_values(frame)
        for name, values in raw.items():
            self.clip_bounds[name], self.medians[name] = fit_numeric(values, self.clip_quantiles)
        for column, k in self.top_k.items():
            self.categories[column] = fit_categories(frame, column, k, self.min_share)
        names, means, stds = [], [], []
        for name, values, observed in self._columns(frame, raw):
            names.append(name)
            mean, std = fit_scale(values, observed)
            means.append(mean)
            # A weighted column spreads wider, so the reconstruction loss (and the embedding) heeds it more.
            stds.append(std / COLUMN_WEIGHTS.get(name, 1.0))
        self.feature_names = names
        self.mean = np.asarray(means, dtype=np.float64)
        self.std = np.asarray(stds, dtype=np.float64)
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Features of every row: float32, shape (len(frame), len(feature_names)), all finite."""
        if self.mean is None or self.std is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted.")
        # Column by column into a column-major block: never a float64 copy of the whole matrix.
        features = np.empty((len(frame), len(self.feature_names)), dtype=np.float32, order="F")
        columns = self._columns(frame, self._numeric_values(frame))
        for index, (name, values, _) in enumerate(columns):
            assert name == self.feature_names[index], f"feature {index} is {name}, fitted as {self.feature_names[index]}"
            features[:, index] = (values - self.mean[index]) / self.std[index]
        assert np.isfinite(features).all(), "feature pipeline produced a non-finite value"
        return np.ascontiguousarray(features)

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as JSON-serializable builtins (no NaN), for :meth:`from_dict`."""
        if self.mean is None or self.std is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted.")
        return {
            "format": FORMAT_VERSION,
            "kind": self.kind,
            "top_k": dict(self.top_k),
            "min_share": self.min_share,
            "clip_quantiles": list(self.clip_quantiles),
            "reference_year": self.reference_year,
            "clip_bounds": {name: list(bounds) for name, bounds in self.clip_bounds.items()},
            "medians": dict(self.medians),
            "categories": {column: list(values) for column, values in self.categories.items()},
            "mean": [float(value) for value in self.mean],
            "std": [float(value) for value in self.std],
            "feature_names": list(self.feature_names),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Self:
        """A fitted pipeline from :meth:`to_dict` output; refuses another kind or format."""
        if state.get("format") != FORMAT_VERSION or state.get("kind") != cls.kind:
            raise ValueError(
                f"{cls.__name__} reads format {FORMAT_VERSION} of kind {cls.kind!r}, "
                f"not format {state.get('format')!r} of kind {state.get('kind')!r}."
            )
        pipeline = cls(
            top_k=state["top_k"], min_share=state["min_share"],
            clip_quantiles=tuple(state["clip_quantiles"]), reference_year=state["reference_year"],
        )
        pipeline.clip_bounds = {name: (float(low), float(high)) for name, (low, high) in state["clip_bounds"].items()}
        pipeline.medians = {name: float(value) for name, value in state["medians"].items()}
        pipeline.categories = {column: list(values) for column, values in state["categories"].items()}
        pipeline.mean = np.asarray(state["mean"], dtype=np.float64)
        pipeline.std = np.asarray(state["std"], dtype=np.float64)
        pipeline.feature_names = list(state["feature_names"])
        return pipeline

    # -- per-kind hooks -----------------------------------------------------------------------

    def _numeric_values(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Raw numeric inputs, name → float64 (n,), NaN where missing; keys match ``numeric_inputs``."""
        raise NotImplementedError

    def _fit_reference_year(self, frame: pd.DataFrame) -> float | None:
        raise NotImplementedError

    # -- shared steps -------------------------------------------------------------------------

    def _price_values(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """log1p(price) in the column of its offer, NaN in the other one (imputed to that one's median)."""
        log_price = log1p_positive(numbers(frame, COL_PRICE))
        rent = _is_rent(frame)
        return {LOG_PRICE_SALE: np.where(rent, np.nan, log_price), LOG_PRICE_RENT: np.where(rent, log_price, np.nan)}

    def _location_values(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        lat, lon = numbers(frame, COL_LAT), numbers(frame, COL_LON)
        valid = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        return {COL_LAT: np.where(valid, lat, np.nan), COL_LON: np.where(valid, lon, np.nan)}

    def _columns(
        self, frame: pd.DataFrame, raw: dict[str, np.ndarray]
    ) -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        """Clipped, imputed and encoded columns before scaling, in order: (name, float64 (n,), observed),
        where ``observed`` masks the rows that had a value (continuous columns) or is None (0/1 columns)."""
        for name, values in raw.items():
            if name not in (COL_LAT, COL_LON):
                yield name, self._clipped_imputed(name, values), ~np.isnan(values)
        for name, has_indicator in self.numeric_inputs.items():
            if has_indicator:
                yield name + MISSING_SUFFIX, np.isnan(raw[name]).astype(np.float64), None
        yield PRICE_MISSING, np.isnan(log1p_positive(numbers(frame, COL_PRICE))).astype(np.float64), None
        yield IS_RENT, _is_rent(frame).astype(np.float64), None
        located = ~(np.isnan(raw[COL_LAT]) | np.isnan(raw[COL_LON]))
        yield LOCATION_MISSING, (~located).astype(np.float64), None
        lat, lon = (self._clipped_imputed(name, raw[name]) for name in (COL_LAT, COL_LON))
        for name, values in zip(LOCATION_XYZ, unit_sphere(lat, lon), strict=True):
            yield name, values, located
        for column, categories in self.categories.items():
            codes = category_codes(frame, column, categories)
            for index, value in enumerate([*categories, CATEGORY_OTHER]):
                yield f"{column}={value}", (codes == index).astype(np.float64), None

    def _clipped_imputed(self, name: str, values: np.ndarray) -> np.ndarray:
        low, high = self.clip_bounds[name]
        return np.clip(np.where(np.isnan(values), self.medians[name], values), low, high)


class HomeFeaturePipeline(FeaturePipeline):
    """Homes: price per offer, beds, baths, log house size (sqft), log lot (acres), years since the
    previous sale, location, state."""

    kind = KIND_HOME
    input_columns = (
        COL_PRICE, COL_OFFER, COL_STATE, COL_LAT, COL_LON, COL_BED, COL_BATH, COL_HOUSE_SIZE, COL_ACRE_LOT,
        COL_PREV_SOLD_DATE,
    )
    numeric_inputs: ClassVar[dict[str, bool]] = {
        LOG_PRICE_SALE: False, LOG_PRICE_RENT: False, COL_BED: True, COL_BATH: True,
        "log_house_size": True, "log_acre_lot": True, "years_since_sold": True, COL_LAT: False, COL_LON: False,
    }
    # Realtor data has no coordinates: the state is often the only location a home has.
    categorical_top_k: ClassVar[dict[str, int]] = {COL_STATE: 60}

    def _numeric_values(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        sold_year = decimal_years(frame, COL_PREV_SOLD_DATE)
        reference = np.nan if self.reference_year is None else self.reference_year
        return {
            **self._price_values(frame),
            COL_BED: non_negative(numbers(frame, COL_BED)),
            COL_BATH: non_negative(numbers(frame, COL_BATH)),
            "log_house_size": log1p_positive(numbers(frame, COL_HOUSE_SIZE)),
            "log_acre_lot": np.log1p(non_negative(numbers(frame, COL_ACRE_LOT))),
            "years_since_sold": reference - sold_year,
            **self._location_values(frame),
        }

    def _fit_reference_year(self, frame: pd.DataFrame) -> float | None:
        return nanmax(decimal_years(frame, COL_PREV_SOLD_DATE))


class CarFeaturePipeline(FeaturePipeline):
    """Cars: price per offer, age in years, log odometer (miles), cylinders, location, and one-hots
    of state, make, condition, fuel, transmission, drive, size, body type, paint colour, title.

    The model name is left to the text embedding: thousands of values, few rows each.
    """

    kind = KIND_CAR
    input_columns = (
        COL_PRICE, COL_OFFER, COL_STATE, COL_LAT, COL_LON, COL_YEAR, COL_ODOMETER, COL_MAKE, COL_CONDITION,
        COL_CYLINDERS, COL_FUEL, COL_TRANSMISSION, COL_DRIVE, COL_SIZE, COL_BODY_TYPE, COL_PAINT_COLOR,
        COL_TITLE_STATUS,
    )
    numeric_inputs: ClassVar[dict[str, bool]] = {
        LOG_PRICE_SALE: False, LOG_PRICE_RENT: False, "age": True, "log_odometer": True, COL_CYLINDERS: True,
        COL_LAT: False, COL_LON: False,
    }
    categorical_top_k: ClassVar[dict[str, int]] = {
        COL_STATE: 60, COL_MAKE: 40, COL_CONDITION: DEFAULT_TOP_K, COL_FUEL: DEFAULT_TOP_K,
        COL_TRANSMISSION: DEFAULT_TOP_K, COL_DRIVE: DEFAULT_TOP_K, COL_SIZE: DEFAULT_TOP_K,
        COL_BODY_TYPE: DEFAULT_TOP_K, COL_PAINT_COLOR: DEFAULT_TOP_K, COL_TITLE_STATUS: DEFAULT_TOP_K,
    }

    def _numeric_values(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        reference = np.nan if self.reference_year is None else self.reference_year
        return {
            **self._price_values(frame),
            "age": reference - numbers(frame, COL_YEAR),
            "log_odometer": np.log1p(non_negative(numbers(frame, COL_ODOMETER))),
            COL_CYLINDERS: _cylinders(frame),
            **self._location_values(frame),
        }

    def _fit_reference_year(self, frame: pd.DataFrame) -> float | None:
        return nanmax(numbers(frame, COL_YEAR))


FEATURE_PIPELINES: dict[str, type[FeaturePipeline]] = {KIND_HOME: HomeFeaturePipeline, KIND_CAR: CarFeaturePipeline}


def feature_pipeline_for(kind: str, **options: Any) -> FeaturePipeline:
    """An unfitted pipeline for ``kind`` ('home' or 'car'); ``options`` go to its constructor."""
    return FEATURE_PIPELINES[kind](**options)


def feature_pipeline_from_dict(state: Mapping[str, Any]) -> FeaturePipeline:
    """The fitted pipeline stored by ``to_dict``, of whichever kind it names."""
    return FEATURE_PIPELINES[state["kind"]].from_dict(state)


# -- column helpers that know their column (the generic ones are in feature_columns) -------------


def _is_rent(frame: pd.DataFrame) -> np.ndarray:
    """Bool (n,): the offer is 'rent'; anything else (blank included) counts as a sale."""
    if COL_OFFER not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    offers = frame[COL_OFFER].astype("string").str.strip().str.lower()
    return (offers == OFFER_RENT).fillna(False).to_numpy(dtype=bool)


def _cylinders(frame: pd.DataFrame) -> np.ndarray:
    """Cylinder count from text like '6 cylinders' (Craigslist) or a number; 'other' is missing."""
    if COL_CYLINDERS not in frame.columns:
        return np.full(len(frame), np.nan)
    digits = frame[COL_CYLINDERS].astype("string").str.extract(r"(\d+(?:\.\d+)?)", expand=False)
    return non_negative(pd.to_numeric(digits, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan))

