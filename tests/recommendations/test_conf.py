"""Settings of the recommender as the code reads them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from recommendations import conf
from recommendations.ml.autoencoder import DEFAULT_CONFIG


def test_it_trains_with_the_seed_decks_best_configuration_by_default(settings: Any) -> None:
    settings.ENCODER_CONFIG = {}

    assert conf.encoder_config() == DEFAULT_CONFIG


def test_it_overrides_the_encoder_configuration_from_the_environment(settings: Any) -> None:
    settings.ENCODER_CONFIG = {"max_epochs": 50, "patience": 5, "hidden": [256, 128]}

    config = conf.encoder_config()

    assert (config.max_epochs, config.patience, config.hidden, config.dropout) == (50, 5, (256, 128), 0.2)


@pytest.mark.parametrize("key", ["epochs", "embedding_dim"])
def test_it_refuses_settings_the_encoder_does_not_take(settings: Any, key: str) -> None:
    settings.ENCODER_CONFIG = {key: 16}

    with pytest.raises(ImproperlyConfigured, match=rf"ENCODER_CONFIG cannot set \['{key}'\]"):
        conf.encoder_config()
