"""Helpers shared by the listings tests: a PNG, and the rows and rejects of import files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PIL import Image

from listings.importers.layouts import TRUSTASSET_COLUMNS

REALTOR_V1_HEADER = "status,bed,bath,acre_lot,city,state,zip_code,house_size,prev_sold_date,price"


def png_bytes(*, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def rejects(tmp_path: Path) -> list[dict[str, str]]:
    with (tmp_path / "rejects.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def trustasset_row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(TRUSTASSET_COLUMNS, "")
    row.update(kind="home", offer="sale", status="active", price="150000", city="Ponce", state="PR",
               zip_code="00731", bed="3", bath="2")
    row.update(values)
    return row
