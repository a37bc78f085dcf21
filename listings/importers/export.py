"""Listings out, in the TrustAsset layout that ``import_listings --format trustasset`` reads back."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from listings.importers.layouts import TRUSTASSET_COLUMNS, external_key
from listings.models import Listing

EXPORT_CHUNK_SIZE = 2000
_VALUE_COLUMNS = TRUSTASSET_COLUMNS[1:]


def trustasset_cells(values: Mapping[str, Any]) -> list[Any]:
    """One CSV row of the TrustAsset layout from a listing's field values (``source`` and
    ``external_id`` become ``source:external_id``). None is written as an empty cell and floats
    with ``repr``, so an import reads back exactly the same values."""
    key = external_key(source=values["source"], external_id=values["external_id"])
    return [key, *(values[column] for column in _VALUE_COLUMNS)]


def listings_export(*, path: Path, kind: str | None = None) -> int:
    """Write every listing (of ``kind``, when given) to ``path`` ordered by id, streaming from the
    database in chunks; returns the number of listings written."""
    queryset = Listing.objects.order_by("id")
    if kind:
        queryset = queryset.filter(kind=kind)
    fields = ("source", "external_id", *_VALUE_COLUMNS)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(TRUSTASSET_COLUMNS)
        for values in queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK_SIZE):
            writer.writerow(trustasset_cells(dict(zip(fields, values, strict=True))))
            count += 1
    return count
