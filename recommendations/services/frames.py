"""Listings read from the ORM into arrays and frames for ``recommendations.ml``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from listings.models import Kind, Listing

COMMON_FIELDS = ("id", "price", "offer", "state", "city", "lat", "lon")
FEATURE_FIELDS = {
    Kind.HOME: (*COMMON_FIELDS, "bed", "bath", "house_size", "acre_lot", "prev_sold_date"),
    Kind.CAR: (*COMMON_FIELDS, "year", "odometer", "make", "model", "condition", "cylinders", "fuel",
               "transmission", "drive", "size", "body_type", "paint_color", "title_status"),
}
_NUMERIC = ("price", "lat", "lon", "bed", "bath", "house_size", "acre_lot", "year", "odometer")
TEXT_FIELDS = ("id", "kind", "offer", "title", "description", "city", "state", "bed", "bath", "house_size",
               "year", "make", "model", "odometer", "fuel", "transmission", "body_type")


def listing_frame(*, listings: QuerySet[Listing], kind: str) -> pd.DataFrame:
    """One row per listing with the feature columns of ``kind`` (numbers as float, NaN when missing), by id."""
    fields = FEATURE_FIELDS[Kind(kind)]
    rows = listings.order_by("id").values_list(*fields).iterator(chunk_size=20_000)
    frame = pd.DataFrame.from_records(rows, columns=list(fields))
    for column in set(_NUMERIC) & set(fields):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    if "prev_sold_date" in frame:
        frame["prev_sold_date"] = pd.to_datetime(frame["prev_sold_date"])
    return frame


def listing_texts(*, listing_ids: Iterable[int]) -> dict[int, str]:
    """listing id → the text its sentence embedding is made of: title, key facts, description."""
    rows = Listing.objects.filter(pk__in=list(listing_ids)).values(*TEXT_FIELDS)
    return {row["id"]: listing_text(row) for row in rows}


def listing_text(row: dict[str, object]) -> str:
    facts: list[str] = []
    if row["kind"] == Kind.HOME:
        facts += [f"{row['bed']} bedrooms" if row["bed"] is not None else "",
                  f"{row['bath']} bathrooms" if row["bath"] is not None else "",
                  f"{row['house_size']} square feet" if row["house_size"] else ""]
    else:
        facts += [str(row["year"] or ""), str(row["make"]), str(row["model"]), str(row["body_type"]),
                  f"{row['odometer']} miles" if row["odometer"] is not None else "", str(row["fuel"]),
                  str(row["transmission"])]
    facts += ["for rent" if row["offer"] == "rent" else "for sale", f"in {row['city']}, {row['state']}"]
    fact_text = " ".join(fact for fact in facts if fact)
    return f"{row['title']}. {fact_text}. {row['description']}".strip()


def vectors_array(vectors: Iterable[object], *, dim: int) -> np.ndarray:
    """pgvector values (numpy arrays) as one float32 (n, dim) matrix."""
    stacked = [np.asarray(vector, dtype=np.float32) for vector in vectors]
    return np.vstack(stacked) if stacked else np.zeros((0, dim), dtype=np.float32)
