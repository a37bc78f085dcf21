"""Feature pipelines: shapes and names, stored state, missing values, categories, offers, single rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from recommendations.ml.features import (
    CarFeaturePipeline,
    FeaturePipeline,
    HomeFeaturePipeline,
    feature_pipeline_for,
    feature_pipeline_from_dict,
)

HOME_NAMES = [
    "log_price_sale", "log_price_rent", "bed", "bath", "log_house_size", "log_acre_lot", "years_since_sold",
    "bed_missing", "bath_missing", "log_house_size_missing", "log_acre_lot_missing", "years_since_sold_missing",
    "price_missing", "is_rent", "location_missing", "location_x", "location_y", "location_z",
    "state=pr", "state=vi", "state=other",
]


def homes() -> pd.DataFrame:
    return pd.DataFrame({
        "price": [105_000, 80_000, Decimal("145000.00"), 300_000, 1_200, 2_500],
        "offer": ["sale", "sale", "sale", "sale", "rent", "rent"],
        "state": ["PR", "PR", "pr ", "VI", "PR", "VI"],
        "lat": [18.17, 18.2, None, 18.34, 18.4, 17.73],
        "lon": [-66.72, -66.6, None, -64.93, -66.06, -64.78],
        "bed": [3, 4, None, 2, 1, 2],
        "bath": [2, 2, 1.5, None, 1, 1],
        "house_size": [920, 1527, 1800, np.nan, 650, 900],
        "acre_lot": [0.12, 0.08, 0.1, 0.5, None, 0.0],
        "prev_sold_date": [dt.date(2015, 6, 1), None, "3/4/2019", pd.NaT, None, "2020-01-01"],
    })


def cars() -> pd.DataFrame:
    return pd.DataFrame({
        "price": [12_595, 15_573, 10_495, 22_000, 9_000],
        "offer": ["sale"] * 5,
        "state": ["wi", "or", "va", "wi", "ca"],
        "lat": [44.05, 42.22, 37.28, 43.07, 34.05],
        "lon": [-91.67, -122.73, -79.88, -89.4, -118.24],
        "year": [2005, 2016, 2008, 2021, 2015],
        "odometer": [89_276, 104_340, 90_000, 5_000, None],
        "make": ["ford", "Ford ", "acura", "toyota", "toyota"],
        "model": ["sierra", "transit", "tl", "camry", "corolla"],
        "condition": ["good", "good", "excellent", None, ""],
        "cylinders": ["8 cylinders", "4 cylinders", "6 cylinders", "other", None],
        "fuel": ["gas"] * 4 + ["other"],
        "transmission": ["automatic"] * 5,
        "drive": ["rwd", "fwd", "fwd", "4wd", "fwd"],
        "size": ["full-size", "mid-size", "mid-size", None, "compact"],
        "body_type": ["truck", "van", "sedan", "sedan", "sedan"],
        "paint_color": ["white", "silver", "white", "black", "red"],
        "title_status": ["clean"] * 5,
    })


def unscaled(pipeline: FeaturePipeline, features: np.ndarray) -> np.ndarray:
    """Undo the standardization, to read indicators and imputed values in their own units."""
    assert pipeline.mean is not None and pipeline.std is not None
    return features.astype(np.float64) * pipeline.std + pipeline.mean


def column(pipeline: FeaturePipeline, name: str) -> int:
    return pipeline.feature_names.index(name)


def test_it_names_every_column_of_the_matrix() -> None:
    pipeline = HomeFeaturePipeline().fit(homes())

    features = pipeline.transform(homes())

    assert pipeline.feature_names == HOME_NAMES
    assert features.shape == (6, 21)
    assert features.dtype == np.float32


def test_it_standardizes_observed_values_and_centres_flags() -> None:
    pipeline = HomeFeaturePipeline().fit(homes())

    features = pipeline.transform(homes())

    observed_beds = features[[0, 1, 3, 4, 5], column(pipeline, "bed")]
    np.testing.assert_allclose([observed_beds.mean(), observed_beds.std()], [0, 1], atol=1e-6)
    np.testing.assert_allclose(features[:, column(pipeline, "state=pr")], [1 / 3] * 3 + [-2 / 3, 1 / 3, -2 / 3], rtol=1e-6)
    np.testing.assert_allclose(features[:, column(pipeline, "bed_missing")], [-1 / 6] * 2 + [5 / 6] + [-1 / 6] * 3, rtol=1e-6)


def test_it_gives_identical_output_after_a_json_round_trip() -> None:
    pipeline = CarFeaturePipeline().fit(cars())
    state = json.loads(json.dumps(pipeline.to_dict(), allow_nan=False))

    restored = feature_pipeline_from_dict(state)

    new_cars = cars().assign(make=["tesla", None, "ford", "acura", "kia"], year=[2030, 1950, None, 2010, 2012])
    assert isinstance(restored, CarFeaturePipeline)
    assert restored.feature_names == pipeline.feature_names
    assert np.array_equal(restored.transform(new_cars), pipeline.transform(new_cars))


def test_it_refuses_the_state_of_another_kind() -> None:
    state = CarFeaturePipeline().fit(cars()).to_dict()

    with pytest.raises(ValueError, match="kind 'home'"):
        HomeFeaturePipeline.from_dict(state)


def test_it_flags_missing_values_and_imputes_the_median() -> None:
    pipeline = HomeFeaturePipeline().fit(homes())

    values = unscaled(pipeline, pipeline.transform(homes()))

    np.testing.assert_allclose(values[:, column(pipeline, "bed_missing")], [0, 0, 1, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(values[:, column(pipeline, "location_missing")], [0, 0, 1, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(values[2, column(pipeline, "bed")], 2.0, atol=1e-6)  # median of 3, 4, 2, 1, 2
    np.testing.assert_allclose(values[:, column(pipeline, "years_since_sold_missing")], [0, 1, 0, 1, 1, 0], atol=1e-6)


def test_it_stays_finite_when_every_value_is_missing() -> None:
    pipeline = HomeFeaturePipeline().fit(homes())
    blank = pd.DataFrame({name: [None, np.nan, pd.NA] for name in homes().columns})

    features = pipeline.transform(blank)

    assert features.shape == (3, 21)
    assert np.isfinite(features).all()
    assert (features == features[0]).all()


def test_it_fits_columns_that_are_missing_in_training(caplog: pytest.LogCaptureFixture) -> None:
    frame = homes().drop(columns=["lat", "lon", "prev_sold_date"]).assign(bed=None)

    pipeline = HomeFeaturePipeline().fit(frame)

    later = pipeline.transform(homes())
    for name in ("bed", "years_since_sold", "location_x", "location_y", "location_z"):
        assert (later[:, column(pipeline, name)] == 0).all(), name
    assert pipeline.reference_year is None
    assert caplog.messages == [
        "HomeFeaturePipeline fitted without columns ['lat', 'lon', 'prev_sold_date']: treated as missing everywhere."
    ]


def test_it_puts_unseen_and_rare_categories_in_other() -> None:
    pipeline = CarFeaturePipeline().fit(cars())
    new_cars = cars().iloc[:3].assign(make=["tesla", " FORD", None])

    values = unscaled(pipeline, pipeline.transform(new_cars))

    assert pipeline.categories["make"] == ["ford", "toyota", "acura"]
    assert pipeline.categories["fuel"] == ["gas"]  # the data's own 'other' joins the other bucket
    assert pipeline.categories["condition"] == ["good", "missing", "excellent"]
    np.testing.assert_allclose(values[:, column(pipeline, "make=other")], [1, 0, 1], atol=1e-6)
    np.testing.assert_allclose(values[:, column(pipeline, "make=ford")], [0, 1, 0], atol=1e-6)


def test_it_keeps_rentals_apart_from_cheap_sales() -> None:
    frame = pd.DataFrame({
        "price": [100_000, 200_000, 300_000, 400_000, 500_000, 1_000, 2_000, 3_000],
        "offer": ["sale"] * 5 + ["rent"] * 3,
        "state": ["PR"] * 8,
    })
    pipeline = HomeFeaturePipeline().fit(frame)
    prices = [column(pipeline, "log_price_sale"), column(pipeline, "log_price_rent")]

    median_rent, median_sale, cheap_sale = pipeline.transform(
        pd.DataFrame({"price": [2_000, 300_000, 2_000], "offer": ["rent", "sale", "sale"], "state": ["PR"] * 3})
    )

    # A typical rent sits where a typical sale sits; only the offer flag tells them apart.
    assert np.array_equal(median_rent[prices], median_sale[prices])
    assert median_rent[column(pipeline, "is_rent")] > median_sale[column(pipeline, "is_rent")]
    # The same $2,000 as a sale is the cheapest sale there is (clipped at the 0.5 % quantile).
    assert cheap_sale[prices[0]] < median_sale[prices[0]]
    assert cheap_sale[prices[0]] == pipeline.transform(frame)[0, prices[0]]


def test_it_transforms_a_single_row_as_in_a_batch() -> None:
    pipeline = CarFeaturePipeline().fit(cars())

    single = pipeline.transform(cars().iloc[[3]])

    assert single.shape == (1, len(pipeline.feature_names))
    assert np.array_equal(single, pipeline.transform(cars())[[3]])


def test_it_fits_a_single_row() -> None:
    pipeline = HomeFeaturePipeline().fit(homes().iloc[[0]])

    features = pipeline.transform(homes())

    assert pipeline.feature_names == [*HOME_NAMES[:18], "state=pr", "state=other"]
    assert (features[0] == 0).all()
    assert np.isfinite(features).all()


def test_it_counts_car_age_from_the_fitted_reference_year() -> None:
    pipeline = CarFeaturePipeline(clip_quantiles=(0.0, 1.0)).fit(cars())
    restored = CarFeaturePipeline.from_dict(pipeline.to_dict())

    values = unscaled(restored, restored.transform(cars()))

    assert restored.reference_year == 2021.0
    np.testing.assert_allclose(values[:, column(restored, "age")], [16, 5, 13, 0, 6], atol=1e-5)


def test_it_reads_cylinders_from_text() -> None:
    pipeline = CarFeaturePipeline(clip_quantiles=(0.0, 1.0)).fit(cars())

    values = unscaled(pipeline, pipeline.transform(cars()))

    np.testing.assert_allclose(values[:, column(pipeline, "cylinders")], [8, 4, 6, 6, 6], atol=1e-5)
    np.testing.assert_allclose(values[:, column(pipeline, "cylinders_missing")], [0, 0, 0, 1, 1], atol=1e-6)


def test_it_makes_one_pipeline_per_kind() -> None:
    assert isinstance(feature_pipeline_for("home"), HomeFeaturePipeline)
    assert isinstance(feature_pipeline_for("car", min_share=0.1), CarFeaturePipeline)


def test_it_refuses_to_fit_no_rows() -> None:
    with pytest.raises(ValueError, match="empty frame"):
        HomeFeaturePipeline().fit(homes().iloc[:0])


def test_it_clips_outliers_at_the_quantiles_fitted_in_training() -> None:
    sizes = np.arange(1_000, 2_000)
    pipeline = HomeFeaturePipeline().fit(pd.DataFrame({"price": 100_000, "house_size": sizes, "state": "PR"}))

    values = unscaled(pipeline, pipeline.transform(pd.DataFrame({"house_size": [1_450_112, 1, 1_500]})))

    low, high = np.quantile(np.log1p(sizes), [0.005, 0.995])
    np.testing.assert_allclose(values[:, column(pipeline, "log_house_size")], [high, low, np.log1p(1_500)], rtol=1e-6)
