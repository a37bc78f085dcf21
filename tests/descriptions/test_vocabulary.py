"""Car names as people write them (the sample data has them in lower case)."""

from __future__ import annotations

import pytest

from descriptions.vocabulary import make_name, model_name


@pytest.mark.parametrize(("make", "name"), [
    ("honda", "Honda"), ("bmw", "BMW"), ("mercedes-benz", "Mercedes-Benz"), ("land rover", "Land Rover"),
    ("alfa-romeo", "Alfa Romeo"), ("Ford", "Ford"),
])
def test_it_writes_makes_as_people_do(make: str, name: str) -> None:
    assert make_name(make) == name


@pytest.mark.parametrize(("model", "name"), [
    ("civic ex", "Civic EX"), ("f-150", "F-150"), ("cr-v", "CR-V"), ("rav4", "RAV4"), ("3 series", "3 Series"),
    ("mx-5 miata", "MX-5 Miata"), ("grand  cherokee", "Grand Cherokee"),
])
def test_it_writes_models_with_their_codes_in_capitals(model: str, name: str) -> None:
    assert model_name(model) == name
