from __future__ import annotations

from recommendations.ml.profiles import INTENT_OFFERS
from recommendations.models import Intent


def test_it_offers_the_intents_the_profiles_infer() -> None:
    assert Intent.values == list(INTENT_OFFERS)
