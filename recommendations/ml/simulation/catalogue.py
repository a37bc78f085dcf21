"""The catalogue as the simulator sees it: listings as codes per kind and offer, places filled in, a grid
index per kind and offer for radius queries, and each listing's similar listings. Pure numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recommendations.ml.geo import haversine_km
from recommendations.ml.profiles import RENT, SALE

SECONDS_PER_DAY = 86_400.0
KM_PER_DEGREE = 111.2
HOME, CAR = "home", "car"
KINDS = (HOME, CAR)
OFFERS = (SALE, RENT)
MAX_RADIUS_KM = 5_000.0  # at this radius the whole country is the area
APPEAL_SIGMA = 0.3  # per-listing appeal (photos, title), lognormal: what popularity can learn
SIMILAR_K = 6
SIMILAR_SCALES = (50.0, 0.25, 1.0)  # similarity distance units: km, ln price, bedrooms
SIMILAR_CELL_DEGREES = 1.0
NEAREST_CHUNK = 512  # sources per distance matrix
CELL_DEGREES = 0.5


@dataclass(frozen=True)
class Catalog:
    """The listings people can find, one row each (n,): ``ids`` int64; ``kinds`` "home"/"car";
    ``offers`` "sale"/"rent"; ``prices`` USD, per month for rentals, > 0; ``lat``, ``lon`` degrees (NaN:
    unknown, placed at the mean of their state's known places); ``beds`` (NaN: no count, e.g. cars and
    lots); ``states`` two-letter codes; ``published`` seconds since the epoch (NaN: always visible).
    Rows of another kind or offer, or priced at 0 or less, are never shown."""

    ids: np.ndarray
    kinds: np.ndarray
    offers: np.ndarray
    prices: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    beds: np.ndarray
    states: np.ndarray
    published: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def slot_index(kind: str, offer: str) -> int:
    """Index of (kind, offer) in the 4 slots home-sale, home-rent, car-sale, car-rent."""
    return KINDS.index(kind) * 2 + OFFERS.index(offer)


class _GridIndex:
    """Positions of one kind and offer in ``CELL_DEGREES`` cells, for radius queries."""

    _WIDTH = 10_000  # cell key = row × width + column, columns shifted positive

    def __init__(self, positions: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
        keys = self._keys(lat[positions], lon[positions])
        order = np.argsort(keys, kind="stable")
        self.positions, self.keys = positions[order], keys[order]
        self.lat, self.lon = lat[self.positions], lon[self.positions]

    def _keys(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        rows = np.floor(lat / CELL_DEGREES).astype(np.int64)
        columns = np.floor(lon / CELL_DEGREES).astype(np.int64) + self._WIDTH // 2
        return rows * self._WIDTH + columns

    def within(self, lat: float, lon: float, radius_km: float) -> np.ndarray:
        """Positions within ``radius_km`` of (lat, lon); every position from ``MAX_RADIUS_KM``."""
        if radius_km >= MAX_RADIUS_KM:
            return self.positions
        reach_lat = radius_km / KM_PER_DEGREE
        polar = min(abs(lat) + reach_lat, 89.0)
        reach_lon = min(radius_km / (KM_PER_DEGREE * math.cos(math.radians(polar))), 180.0)
        low, high = self._keys(np.array([lat - reach_lat, lat + reach_lat]), np.array([lon - reach_lon,
                                                                                          lon + reach_lon]))
        rows = np.arange(low // self._WIDTH, high // self._WIDTH + 1) * self._WIDTH
        starts = np.searchsorted(self.keys, rows + low % self._WIDTH, side="left")
        stops = np.searchsorted(self.keys, rows + high % self._WIDTH, side="right")
        found = _ranges(starts, stops)
        near = haversine_km(np.array(lat), np.array(lon), self.lat[found], self.lon[found]) <= radius_km
        return self.positions[found[near]]


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(start, stop)`` for each pair, without a Python loop."""
    lengths = np.maximum(stops - starts, 0)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.arange(total, dtype=np.int64) + offsets


@dataclass
class Listings:
    """The catalogue as codes: ``kind`` 0/1 (-1 unknown), ``slot`` 0–3 (-1 unknown), places with unknown
    ones filled in, ``published_day`` float32 days since ``start`` (-inf: always visible), per-listing
    ``appeal``, a grid index per slot and ``similar`` (n, SIMILAR_K) positions (-1 padding)."""

    start: float
    prices: np.ndarray
    prices32: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    beds: np.ndarray
    published_day: np.ndarray
    kind: np.ndarray
    slot: np.ndarray
    appeal: np.ndarray
    grids: dict[int, _GridIndex]
    similar: np.ndarray

    @property
    def available(self) -> set[int]:
        return set(self.grids)

    @classmethod
    def build(cls, catalog: Catalog, *, start: float, rng: np.random.Generator) -> Listings:
        kinds, offers = np.asarray(catalog.kinds, dtype=object), np.asarray(catalog.offers, dtype=object)
        kind = np.select([kinds == HOME, kinds == CAR], [0, 1], -1)
        offer = np.select([offers == SALE, offers == RENT], [0, 1], -1)
        prices = np.asarray(catalog.prices, dtype=np.float64)
        slot = np.where((kind >= 0) & (offer >= 0) & (prices > 0), kind * 2 + offer, -1)
        lat, lon = _places_filled(catalog)
        grids = {int(code): _GridIndex(np.flatnonzero(slot == code), lat, lon) for code in np.unique(slot[slot >= 0])}
        beds = np.asarray(catalog.beds, dtype=np.float64)
        appeal = np.exp(rng.normal(-APPEAL_SIGMA**2 / 2, APPEAL_SIGMA, len(catalog)))
        similar = _similar_lists(slot=slot, prices=prices, lat=lat, lon=lon, beds=beds)
        published_day = (np.asarray(catalog.published, dtype=np.float64) - start) / SECONDS_PER_DAY
        published_day = np.nan_to_num(published_day, nan=-np.inf).astype(np.float32)
        return cls(start, prices, prices.astype(np.float32), lat, lon, beds, published_day, kind, slot, appeal,
                   grids, similar)


def _places_filled(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """lat, lon (n,) with unknown places at their state's mean known place, else the catalogue's mean."""
    lat, lon = np.array(catalog.lat, dtype=np.float64), np.array(catalog.lon, dtype=np.float64)
    known = ~(np.isnan(lat) | np.isnan(lon))
    if known.all():
        return lat, lon
    if not known.any():
        return np.zeros(len(lat)), np.zeros(len(lon))
    states = np.asarray(catalog.states, dtype=object)
    for state in set(states[~known].tolist()):
        rows = (states == state) & ~known
        pool = (states == state) & known
        pool = pool if pool.any() else known
        lat[rows], lon[rows] = lat[pool].mean(), lon[pool].mean()
    return lat, lon


def _similar_lists(
    *, slot: np.ndarray, prices: np.ndarray, lat: np.ndarray, lon: np.ndarray, beds: np.ndarray,
) -> np.ndarray:
    """(n, SIMILAR_K) positions of each listing's nearest listings of its kind and offer by the distance
    √((km / 50)² + (Δ ln price / 0.25)² + Δbeds²), searched in the 3 × 3 cells of ``SIMILAR_CELL_DEGREES``
    around it (the whole slot where those hold too few); -1 padding."""
    similar = np.full((len(slot), SIMILAR_K), -1, dtype=np.int64)
    cells = (np.floor(lat / SIMILAR_CELL_DEGREES).astype(np.int64) * 10_000
             + np.floor(lon / SIMILAR_CELL_DEGREES).astype(np.int64))
    for code in np.unique(slot[slot >= 0]):
        members = np.flatnonzero(slot == code)
        by_cell = members[np.argsort(cells[members], kind="stable")]
        keys = cells[by_cell]
        for cell in np.unique(keys):
            sources = by_cell[np.searchsorted(keys, cell):np.searchsorted(keys, cell, side="right")]
            near = [by_cell[np.searchsorted(keys, cell + row * 10_000 - 1):
                            np.searchsorted(keys, cell + row * 10_000 + 1, side="right")] for row in (-1, 0, 1)]
            candidates = np.concatenate(near)
            if len(candidates) <= SIMILAR_K:
                candidates = members
            similar[sources] = _nearest(sources, candidates, prices=prices, lat=lat, lon=lon, beds=beds)
    return similar


def _nearest(
    sources: np.ndarray, candidates: np.ndarray, *, prices: np.ndarray, lat: np.ndarray, lon: np.ndarray,
    beds: np.ndarray,
) -> np.ndarray:
    if len(sources) > NEAREST_CHUNK:
        return np.vstack([
            _nearest(sources[begin:begin + NEAREST_CHUNK], candidates, prices=prices, lat=lat, lon=lon, beds=beds)
            for begin in range(0, len(sources), NEAREST_CHUNK)
        ])
    km_scale, price_scale, bed_scale = SIMILAR_SCALES
    km = haversine_km(lat[sources, None], lon[sources, None], lat[None, candidates], lon[None, candidates])
    price = np.log(prices[sources, None] / prices[None, candidates])
    bed = beds[sources, None] - beds[None, candidates]
    bed = np.where(np.isnan(bed), np.where(np.isnan(beds[sources, None]) & np.isnan(beds[None, candidates]), 0, 2), bed)
    distance = (km / km_scale) ** 2 + (price / price_scale) ** 2 + (bed / bed_scale) ** 2
    distance[sources[:, None] == candidates[None, :]] = np.inf
    k = min(SIMILAR_K, len(candidates))
    order = top_columns(-distance, k)
    picked = np.where(np.isfinite(np.take_along_axis(distance, order, axis=1)), candidates[order], -1)
    return np.pad(picked, ((0, 0), (0, SIMILAR_K - k)), constant_values=-1)


def top_columns(keys: np.ndarray, k: int) -> np.ndarray:
    """(r, ≤ k) column indices of each row's largest keys, largest first."""
    if keys.shape[1] > k:
        part = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(keys.shape[1]), keys.shape)
    order = np.argsort(-np.take_along_axis(keys, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)
