"""The facts that count beside the cosines: weights checked, cars' same make and model."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from recommendations.services import closeness


def test_it_refuses_fact_weights_it_cannot_blend(settings) -> None:
    facts = [(18.01, -66.61, Decimal(150_000), "PR", 3, "", ""), (25.77, -80.19, Decimal(90_000), "FL", 2, "", "")]

    settings.SIMILAR_FACT_WEIGHTS = {"home": {"state": 0.7, "price": 0.3}}
    with pytest.raises(ImproperlyConfigured, match=r"sum to less than 1, got \{'state': 0.7, 'price': 0.3\}"):
        closeness.closeness_parts(facts, kind="home")
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"bedrooms": 0.1}}
    with pytest.raises(ImproperlyConfigured, match=r"names \['bedrooms'\]; the facts are"):
        closeness.closeness_parts(facts, kind="home")
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"state": 0.3}}  # a kind not named has no facts
    assert [weight for _, weight in closeness.closeness_parts(facts, kind="home")] == [0.3]
    assert closeness.closeness_parts(facts, kind="car") == []


def test_cars_count_the_same_make_and_model(settings) -> None:
    facts = [(None, None, Decimal(9_000), "", None, make, model)
             for make, model in [("Ford", "F-150"), ("ford ", "f-150"), ("Ford", "Focus"), ("Honda", "Civic")]]
    settings.SIMILAR_FACT_WEIGHTS = {"car": {"make": 0.1, "model": 0.2}}

    (makes, make_weight), (models, model_weight) = closeness.closeness_parts(facts, kind="car")

    assert (make_weight, model_weight) == (0.1, 0.2)
    assert (makes @ makes.T).tolist() == [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]]
    assert (models @ models.T).tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
