"""Helpers shared by the encoder, neighbour and version tests: a small encoder config, homes in four cities,
and neighbour lists as stored and by brute force."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from listings.models import Listing
from recommendations.ml.autoencoder import DEFAULT_CONFIG
from recommendations.models import NeighbourList
from recommendations.services.neighbours import corpus_load
from registry.models import ModelVersion
from tests.factories import HomeFactory

SMALL = dataclasses.replace(DEFAULT_CONFIG, max_epochs=3, batch_size=16)
CITIES = [("Ponce", "PR", 18.01, -66.61), ("San Juan", "PR", 18.45, -66.06), ("Miami", "FL", 25.77, -80.19),
          ("Austin", "TX", 30.27, -97.74)]


@pytest.fixture
def _short_lists(settings) -> None:
    settings.SIMILAR_LIST_LENGTH = 5


def homes(count: int, *, offset: int = 0) -> list[Listing]:
    made = []
    for index in range(offset, offset + count):
        city, state, lat, lon = CITIES[index % len(CITIES)]
        made.append(HomeFactory(
            title=f"{2 + index % 3} bd house #{index} in {city}", city=city, state=state, lat=lat, lon=lon,
            price=Decimal(80_000 + 13_000 * index), bed=2 + index % 3, house_size=900 + 37 * index,
            acre_lot=0.1 + 0.01 * index,
        ))
    return made


def stored_lists(version: ModelVersion) -> dict[int, list[int]]:
    return dict(NeighbourList.objects.filter(version=version).values_list("source_id", "target_ids"))


def brute_force_lists(version: ModelVersion, k: int) -> dict[int, list[int]]:
    corpus = corpus_load(version=version)
    scores = corpus.vectors @ corpus.vectors.T
    lists = {}
    for row, source in enumerate(corpus.ids.tolist()):
        candidates = [
            (-scores[row, column], target) for column, target in enumerate(corpus.ids.tolist())
            if target != source and corpus.available[column]
        ]
        lists[source] = [target for _, target in sorted(candidates)[:k]]
    return lists
