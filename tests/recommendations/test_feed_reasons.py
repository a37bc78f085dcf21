"""Feed reasons and profile sentences: words a person understands, from facts only."""

from __future__ import annotations

import pytest

from recommendations.reasons import feed_reason, money_short, profile_describe


@pytest.mark.parametrize(("amount", "per_month", "text"), [
    (250_000, False, "$250k"), (1_240_000, False, "$1.2M"), (2_000_000, False, "$2M"), (999_999, False, "$1M"),
    (950, False, "$950"), (1_800, True, "$1.8k/mo"), (2_000, True, "$2k/mo"), (12_345, True, "$12k/mo"),
])
def test_it_writes_money_short(amount: float, per_month: bool, text: str) -> None:
    assert money_short(amount, per_month=per_month) == text


def test_it_joins_every_reason_that_holds() -> None:
    assert feed_reason(anchor_title="12 Oak St", target_price=250_000, budget_is_set=True, per_month=False,
                       price_fits=True, is_new=True) == (
        "Because you viewed 12 Oak St · Within your ~$250k budget · New this week"
    )


def test_it_says_something_true_when_no_specific_reason_holds() -> None:
    assert feed_reason(anchor_title=None, target_price=250_000, budget_is_set=False, per_month=False,
                       price_fits=False, is_new=False) == "Like what you have been viewing"


def test_it_shortens_long_titles() -> None:
    reason = feed_reason(anchor_title="A" * 60, target_price=None, budget_is_set=False, per_month=False,
                         price_fits=True, is_new=False)

    assert reason == "Because you viewed " + "A" * 47 + "…"


def test_it_describes_a_renter() -> None:
    assert profile_describe(kind_plural="homes", listings=3, sale_weight=1.0, rent_weight=3.0, target_sale=None,
                            target_rent=1_800.0, chosen_intent="", favourites=["Loft"]) == [
        "You look mostly at homes for rent (75% of your recent interest).",
        "The homes for rent you view centre on ~$1.8k/mo.",
        "Lately you were most interested in Loft.",
    ]
