"""``check_descriptions``: moderators' report of fact and fair-housing findings, as text and JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CarFactory, HomeFactory

pytestmark = pytest.mark.django_db


def check(*args: str) -> str:
    out = StringIO()
    call_command("check_descriptions", *args, stdout=out)
    return out.getvalue()


def test_it_reports_one_listings_findings_as_json() -> None:
    home = HomeFactory(bed=3, description="Adults only. Bright home with 4 bedrooms and a pool.")

    rows = json.loads(check("--listing", str(home.pk), "--json"))

    assert [(row["listing"], row["kind"], row["span"]) for row in rows] == [
        (home.pk, "fair_housing", "Adults only"),
        (home.pk, "fact", "4 bedrooms"),
        (home.pk, "fact", "pool"),
    ]
    assert all(set(row) == {"listing", "kind", "span", "message"} for row in rows)


def test_it_checks_a_text_against_a_listing() -> None:
    car = CarFactory(year=2016, make="Honda", model="Civic", odometer=45_000, description="")

    rows = json.loads(check("--listing", str(car.pk), "--text", "A 2018 Honda Civic with 45,000 miles.", "--json"))

    assert [(row["kind"], row["span"]) for row in rows] == [("fact", "2018")]


def test_it_checks_every_description_and_counts() -> None:
    clean = HomeFactory(bed=3, description="A home with 3 bedrooms.")
    flagged = HomeFactory(bed=3, description="No children, please.")
    HomeFactory(description="")

    lines = check("--all").splitlines()

    assert lines[-1] == "1 findings in 1 of 2 descriptions checked."
    assert lines[0].startswith(f"listing {flagged.pk} [fair_housing] “No children”: ")
    assert str(clean.pk) not in "".join(lines[:-1])


def test_it_explains_wrong_arguments() -> None:
    with pytest.raises(CommandError, match="--text needs --listing ID"):
        check("--text", "Nice.")
    with pytest.raises(CommandError, match="No listing 999999"):
        check("--listing", "999999")
    with pytest.raises(CommandError, match="Give --listing ID, --all, or --text TEXT --listing ID"):
        check()
