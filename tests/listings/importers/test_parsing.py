"""Parsing cells: titles of homes and cars, and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from listings.importers.parsing import Unreadable, car_title, home_title, parse_date, parse_datetime


@pytest.mark.parametrize(("bed", "bath", "acre_lot", "house_size", "title"), [
    (3, Decimal("2"), 0.12, 920, "3 bd, 2 ba house in Ponce, PR"),
    (3, None, None, None, "3 bd house in Ponce, PR"),
    (None, Decimal("1.5"), None, None, "1.5 ba house in Ponce, PR"),
    (None, None, 0.5, 1200, "1,200 sqft house in Ponce, PR"),
    (None, None, 0.5, None, "0.5-acre lot in Ponce, PR"),
    (None, None, None, None, "House in Ponce, PR"),
])
def test_it_titles_homes_from_what_is_known(
    bed: int | None, bath: Decimal | None, acre_lot: float | None, house_size: int | None, title: str,
) -> None:
    assert home_title(bed=bed, bath=bath, acre_lot=acre_lot, house_size=house_size, place="Ponce, PR") == title


@pytest.mark.parametrize(("year", "make", "model", "title"), [
    (2016, "ford", "transit connect titanium", "2016 Ford Transit Connect Titanium"),
    (2005, "gmc", "sierra 1500", "2005 GMC Sierra 1500"),
    (2011, "bmw", "328i", "2011 BMW 328i"),
    (2019, "mercedes-benz", "gle 350", "2019 Mercedes-Benz GLE 350"),
    (2018, "ram", "2500hd", "2018 Ram 2500HD"),
    (2014, "ford", "f-150 xlt 4x4", "2014 Ford F-150 XLT 4x4"),
    (2012, "honda", "cr-v ex-l", "2012 Honda CR-V EX-L"),
    (2001, "toyota", "4runner sr5", "2001 Toyota 4Runner SR5"),
    (2020, "Tesla", "Model 3", "2020 Tesla Model 3"),
])
def test_it_titles_cars_with_proper_casing(year: int, make: str, model: str, title: str) -> None:
    assert car_title(year=year, make=make, model=model) == title


def test_it_reads_us_and_iso_dates_and_refuses_others() -> None:
    assert parse_date("6/28/2019") == parse_date("2019-06-28") == date(2019, 6, 28)
    assert parse_datetime("2021-04-19T11:46:44-0500") == datetime(2021, 4, 19, 16, 46, 44, tzinfo=UTC)
    assert parse_datetime("2021-04-19") == datetime(2021, 4, 19, tzinfo=UTC)
    assert parse_date("") is None
    with pytest.raises(Unreadable, match="unreadable date '31/31/2020'"):
        parse_date("31/31/2020")
