"""The one place that reads the recommender's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from recommendations.ml.interest import InterestSettings, event_weights_merge
from recommendations.ml.ranking import RankingSettings

if TYPE_CHECKING:
    from recommendations.ml.autoencoder import AutoencoderConfig


def text_weight() -> float:
    """Weight of the text cosine in the blended similarity; the item embedding gets the rest."""
    return float(settings.SIMILAR_TEXT_WEIGHT)


# The facts that may count beside the cosines (SIMILAR_FACT_WEIGHTS): closeness of place and price, and
# sameness of the rest.
FACTS = ("place", "price", "state", "bed", "make", "model")


def fact_weights(kind: str) -> dict[str, float]:
    """Weights of the facts that count beside the cosines in the similar listings' score of ``kind``, by fact
    (``FACTS``; absent ones weigh 0). The blended cosine gets the rest, so they sum to less than 1."""
    weights = {fact: 0.0 for fact in FACTS}
    given = settings.SIMILAR_FACT_WEIGHTS.get(kind, {})
    if unknown := sorted(set(given) - set(FACTS)):
        raise ImproperlyConfigured(f"SIMILAR_FACT_WEIGHTS[{kind!r}] names {unknown}; the facts are {list(FACTS)}.")
    weights.update({fact: float(weight) for fact, weight in given.items()})
    if any(weight < 0 for weight in weights.values()) or sum(weights.values()) >= 1:
        raise ImproperlyConfigured(
            f"SIMILAR_FACT_WEIGHTS[{kind!r}] must be >= 0 and sum to less than 1, got {given}."
        )
    return weights


def place_bandwidth_km() -> float:
    """Distance at which place closeness has fallen to exp(-1/2) = 0.61."""
    return float(settings.SIMILAR_PLACE_BANDWIDTH_KM)


def price_bandwidth() -> float:
    """Log price ratio at which price closeness has fallen to 0.61 (0.2: prices 22 % apart)."""
    return float(settings.SIMILAR_PRICE_BANDWIDTH)


def list_length() -> int:
    """How many neighbours are stored per listing."""
    return int(settings.SIMILAR_LIST_LENGTH)


def similar_section_seconds() -> int:
    """How long a listing page's rendered similar section is kept in the cache; 0: not at all."""
    return max(0, int(settings.SIMILAR_SECTION_CACHE_SECONDS))


def torch_device() -> str | None:
    """None lets the ML code pick CUDA when present."""
    return settings.TORCH_DEVICE or None


def encoder_config() -> AutoencoderConfig:
    """The configuration scheduled trainings use: the seed deck's best, with ``ENCODER_CONFIG`` on top."""
    from recommendations.ml.autoencoder import DEFAULT_CONFIG, AutoencoderConfig  # torch: workers only

    overrides = dict(settings.ENCODER_CONFIG)
    # The embedding width is fixed by the database column (ITEM_EMBEDDING_DIM), not a setting.
    allowed = set(DEFAULT_CONFIG.to_dict()) - {"embedding_dim"}
    if unknown := sorted(set(overrides) - allowed):
        raise ImproperlyConfigured(f"ENCODER_CONFIG cannot set {unknown}; it can set {sorted(allowed)}.")
    return AutoencoderConfig.from_dict({**DEFAULT_CONFIG.to_dict(), **overrides})


def event_weights() -> dict[str, float]:
    """How much each event says about interest: ml/interest.py's defaults with FEED_EVENT_WEIGHTS on top."""
    return event_weights_merge(settings.FEED_EVENT_WEIGHTS)


def half_life_days() -> float:
    return float(settings.FEED_HALF_LIFE_DAYS)


def intent_threshold() -> float:
    """Share of interest in sale (or rent) listings from which a person counts as a buyer (or renter)."""
    return float(settings.FEED_INTENT_THRESHOLD)


def interest_settings() -> InterestSettings:
    """How events become interest and intent, as offline evaluation and blend tuning take them."""
    return InterestSettings(weights=event_weights(), half_life_days=half_life_days(),
                            intent_threshold=intent_threshold())


def ranking_settings() -> RankingSettings:
    return RankingSettings(
        price_scale=float(settings.FEED_PRICE_SCALE),
        price_decay=float(settings.FEED_PRICE_DECAY),
        location_scale_km=float(settings.FEED_LOCATION_SCALE_KM),
        location_decay=float(settings.FEED_LOCATION_DECAY),
        fresh_boost=float(settings.FEED_FRESH_BOOST),
        fresh_half_life_days=float(settings.FEED_FRESH_HALF_LIFE_DAYS),
        diversity=float(settings.FEED_DIVERSITY),
        text_weight=text_weight(),
    )


def profile_debounce_seconds() -> int:
    """How long the profile refresh waits after the first new interaction, gathering the ones that follow."""
    return int(settings.FEED_PROFILE_DEBOUNCE_SECONDS)


def trending_days() -> int:
    return int(settings.FEED_TRENDING_DAYS)
