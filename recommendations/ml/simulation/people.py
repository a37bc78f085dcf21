"""The simulated people: archetypes, and per person a centre, per kind and offer a budget, a radius and a
pool of listings they can find, and how well each listing fits them. Pure numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommendations.ml.geo import haversine_km
from recommendations.ml.profiles import BUYER, HYBRID, RENT, RENTER, SALE
from recommendations.ml.simulation.catalogue import (
    CAR,
    HOME,
    KINDS,
    KM_PER_DEGREE,
    MAX_RADIUS_KM,
    OFFERS,
    Listings,
    slot_index,
)

POOL_SIZE = 400  # listings one person's searches of one kind and offer can return
MIN_LOCAL = 20  # listings around the centre needed to price a budget; fewer: the area doubles
MIN_POOL = 40  # listings in the widest price band a search area must hold; fewer: the area doubles
POOL_PRICE_RATIO = 3.0  # nobody looks beyond budget / 3 … budget × 3
PRICE_SIGMA = 0.25  # price fit 0.61 at ±25 % of budget (in log), 0.02 at twice or half
BED_FITS = (1.0, 0.5, 0.15)  # bedrooms in range, one off, further off
NO_BED_FIT = 0.3  # lots and homes without a bedroom count
DRIFT_WINDOW = 2 / 3  # drifting people switch at a day in the first two thirds of the period
ACTIVITY_SIGMA, PROPENSITY_SIGMA = 0.5, 0.3  # person-to-person spread (lognormal, mean kept)


@dataclass(frozen=True)
class Want:
    """What an archetype looks for in one kind. Budgets are drawn as a uniform quantile in the range
    of the prices of that kind and offer around the person; ``beds`` None: any."""

    kind: str
    weight: float  # share of the person's sessions in this kind
    sale_share: float  # share of this kind's sessions on listings for sale; the rest on rentals
    sale_budget: tuple[float, float]
    rent_budget: tuple[float, float]
    radius_km: float
    beds: tuple[int, int] | None = None


@dataclass(frozen=True)
class Archetype:
    """A kind of person: their share of the population, what they want, how often they come (sessions
    per day, the mean over people of the archetype) and how readily they favorite and contact (the
    probability on viewing a perfectly fitting listing; it falls with the square of the fit)."""

    name: str
    share: float
    wants: tuple[Want, ...]
    sessions_per_day: float
    favorite_rate: float
    contact_rate: float
    drift: float = 0.0  # probability of turning buyer during the period
    drift_sale_share: float = 0.95  # sale share of every want after drifting


# Budget ranges are quantiles of the local prices; radii in km; beds as (fewest, most).
ARCHETYPES = (
    Archetype("first_time_buyer", share=0.18, sessions_per_day=0.35, favorite_rate=0.25, contact_rate=0.06, wants=(
        Want(HOME, weight=1.0, sale_share=0.92, sale_budget=(0.05, 0.4), rent_budget=(0.1, 0.5), radius_km=40,
             beds=(1, 3)),
    )),
    Archetype("luxury_buyer", share=0.07, sessions_per_day=0.25, favorite_rate=0.3, contact_rate=0.08, wants=(
        Want(HOME, weight=1.0, sale_share=1.0, sale_budget=(0.85, 0.99), rent_budget=(0.8, 0.99), radius_km=60,
             beds=(3, 6)),
    )),
    Archetype("family_buyer", share=0.18, sessions_per_day=0.4, favorite_rate=0.3, contact_rate=0.07, wants=(
        Want(HOME, weight=1.0, sale_share=0.95, sale_budget=(0.35, 0.8), rent_budget=(0.4, 0.8), radius_km=45,
             beds=(3, 5)),
    )),
    # The sale budget is what a renter turning buyer looks for.
    Archetype("renter", share=0.2, sessions_per_day=0.45, favorite_rate=0.2, contact_rate=0.1, drift=0.18, wants=(
        Want(HOME, weight=1.0, sale_share=0.03, sale_budget=(0.05, 0.45), rent_budget=(0.1, 0.8), radius_km=30,
             beds=(1, 3)),
    )),
    # Investors weigh what they would buy against what it would rent for: half their sessions each.
    Archetype("investor", share=0.1, sessions_per_day=0.6, favorite_rate=0.15, contact_rate=0.05, wants=(
        Want(HOME, weight=1.0, sale_share=0.5, sale_budget=(0.05, 0.55), rent_budget=(0.05, 0.55), radius_km=80,
             beds=(2, 4)),
    )),
    Archetype("car_shopper", share=0.17, sessions_per_day=0.4, favorite_rate=0.2, contact_rate=0.08, wants=(
        Want(CAR, weight=1.0, sale_share=1.0, sale_budget=(0.05, 0.95), rent_budget=(0.05, 0.95), radius_km=80),
    )),
    Archetype("hybrid_home_car", share=0.1, sessions_per_day=0.45, favorite_rate=0.25, contact_rate=0.06, wants=(
        Want(HOME, weight=0.6, sale_share=0.95, sale_budget=(0.25, 0.7), rent_budget=(0.3, 0.7), radius_km=45,
             beds=(2, 4)),
        Want(CAR, weight=0.4, sale_share=1.0, sale_budget=(0.2, 0.7), rent_budget=(0.2, 0.7), radius_km=80),
    )),
)


def intent_of(sale_share: float) -> str:
    """The intent a share of sessions on listings for sale stands for: buyer from 0.8, renter to 0.2."""
    if sale_share >= 0.8:
        return BUYER
    if sale_share <= 0.2:
        return RENTER
    return HYBRID


@dataclass(frozen=True)
class SimulatedPerson:
    """Ground truth of one person: ``intents`` kind → buyer/renter/hybrid at the end of the period;
    ``latent`` (JSON-ready) their centre, activity, and per kind weight, sale share, bedrooms and per
    offer budget (USD) and radius (km); ``drift_day`` in it when they drifted."""

    archetype: str
    intents: dict[str, str]
    latent: dict[str, Any]
    drifted: bool


def _effective_share(share: float, *, kind: str, available: set[int]) -> float | None:
    """The sale share a catalogue allows: all sale without rentals, none without sales; None: neither."""
    has_sale, has_rent = slot_index(kind, SALE) in available, slot_index(kind, RENT) in available
    if not (has_sale or has_rent):
        return None
    return share if has_sale and has_rent else float(has_sale)


def serves(archetype: Archetype, available: set[int]) -> bool:
    """Whether every want can be met with its intended intent."""
    for want in archetype.wants:
        share = _effective_share(want.sale_share, kind=want.kind, available=available)
        if share is None or intent_of(share) != intent_of(want.sale_share):
            return False
    return True


@dataclass
class People:
    """Per person (U,): ``archetype`` index; ``lat``/``lon`` centre; per slot (U, 4): ``budget``,
    ``radius`` (km), ``pool_row`` into ``pools`` (-1: not searched); per want (U, 2): ``want_kind``
    (-1: none), ``want_weight``, ``sale_share`` before and ``drift_share`` after ``drift_day`` (-1: no
    drift); ``beds_low``/``beds_high`` (NaN: any); ``activity`` sessions per day; ``favorite_rate``,
    ``contact_rate``; ``pools`` (r, POOL_SIZE) listing positions, -1 padding."""

    archetype: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    budget: np.ndarray
    radius: np.ndarray
    pool_row: np.ndarray
    want_kind: np.ndarray
    want_weight: np.ndarray
    sale_share: np.ndarray
    drift_share: np.ndarray
    drift_day: np.ndarray
    beds_low: np.ndarray
    beds_high: np.ndarray
    activity: np.ndarray
    favorite_rate: np.ndarray
    contact_rate: np.ndarray
    pools: np.ndarray

    @classmethod
    def draw(
        cls, archetypes: list[Archetype], *, listings: Listings, users: int, days: int, rng: np.random.Generator,
    ) -> People:
        archetype = rng.permutation(np.repeat(np.arange(len(archetypes)), _apportion(
            np.array([archetype.share for archetype in archetypes]), users)))
        rates = np.array([[archetype.sessions_per_day, archetype.favorite_rate, archetype.contact_rate]
                          for archetype in archetypes])[archetype]
        rates *= np.column_stack([_spread(rng, sigma, users) for sigma in (ACTIVITY_SIGMA, PROPENSITY_SIGMA,
                                                                              PROPENSITY_SIGMA)])
        drift_day = _drift_days(archetype, archetypes=archetypes, available=listings.available, days=days, rng=rng)
        wants = _wants(archetype, archetypes=archetypes, available=listings.available)
        lat, lon = _centres(archetype, archetypes=archetypes, listings=listings, sale_share=wants["sale_share"],
                            rng=rng)
        budget, radius, pool_row, pools = _pools(archetype, archetypes=archetypes, listings=listings, lat=lat,
                                                 lon=lon, wants=wants, drift_day=drift_day, rng=rng)
        return cls(archetype, lat, lon, budget, radius, pool_row, wants["kind"], wants["weight"],
                   wants["sale_share"], wants["drift_share"], drift_day, wants["beds_low"], wants["beds_high"],
                   rates[:, 0], rates[:, 1], rates[:, 2], pools)

    def truth(self, archetypes: list[Archetype]) -> list[SimulatedPerson]:
        people = []
        for person, code in enumerate(self.archetype):
            drifted = bool(self.drift_day[person] >= 0)
            shares = self.drift_share[person] if drifted else self.sale_share[person]
            latent: dict[str, Any] = {
                "centre": {"lat": round(float(self.lat[person]), 5), "lon": round(float(self.lon[person]), 5)},
                "sessions_per_day": round(float(self.activity[person]), 4),
            }
            intents = {}
            for column, want in enumerate(archetypes[code].wants):
                intents[want.kind] = intent_of(shares[column])
                entry: dict[str, Any] = {"weight": float(self.want_weight[person, column]),
                                         "sale_share": float(self.sale_share[person, column])}
                if want.beds is not None:
                    entry["beds"] = list(want.beds)
                for offer in OFFERS:
                    slot = slot_index(want.kind, offer)
                    if self.pool_row[person, slot] >= 0:
                        entry[offer] = {"budget": round(float(self.budget[person, slot]), 2),
                                        "radius_km": round(float(self.radius[person, slot]), 1)}
                latent[want.kind] = entry
            if drifted:
                latent["drift_day"] = int(self.drift_day[person])
                latent["sale_share_after_drift"] = float(self.drift_share[person, 0])
            people.append(SimulatedPerson(archetypes[code].name, intents, latent, drifted))
        return people


def _drift_days(
    archetype: np.ndarray, *, archetypes: list[Archetype], available: set[int], days: int, rng: np.random.Generator,
) -> np.ndarray:
    """(U,) the day each person turns buyer, -1 for never: archetypes with a drift probability, in
    periods of at least 3 days, where everything they want is also for sale."""
    users = len(archetype)
    draw, day = rng.random(users), rng.integers(1, max(2, math.ceil(days * DRIFT_WINDOW)), users)
    chance = np.array([
        archetype.drift if days >= 3 and all(slot_index(want.kind, SALE) in available for want in archetype.wants)
        else 0.0 for archetype in archetypes
    ])
    return np.where(draw < chance[archetype], day, -1)


def _wants(archetype: np.ndarray, *, archetypes: list[Archetype], available: set[int]) -> dict[str, np.ndarray]:
    """Per person and want (U, 2): ``kind`` (-1: none), ``weight`` (rows sum to 1), ``sale_share`` and
    ``drift_share`` as the catalogue allows them; per person (U,): ``beds_low``, ``beds_high`` (NaN: any)."""
    table = {name: np.full((len(archetypes), 2), fill) for name, fill in
             (("kind", -1.0), ("weight", 0.0), ("sale_share", 0.0), ("drift_share", 0.0))}
    beds = np.full((len(archetypes), 2), np.nan)
    for code, chosen in enumerate(archetypes):
        for column, want in enumerate(chosen.wants):
            table["kind"][code, column], table["weight"][code, column] = KINDS.index(want.kind), want.weight
            for name, share in (("sale_share", want.sale_share), ("drift_share", chosen.drift_sale_share)):
                table[name][code, column] = _effective_share(share, kind=want.kind, available=available) or 0.0
            if want.beds is not None:
                beds[code] = want.beds
    table["weight"] /= table["weight"].sum(axis=1, keepdims=True)
    wants = {name: values[archetype] for name, values in table.items()}
    wants["kind"] = wants["kind"].astype(np.int64)
    wants["beds_low"], wants["beds_high"] = beds[archetype, 0], beds[archetype, 1]
    return wants


def _pools(
    archetype: np.ndarray, *, archetypes: list[Archetype], listings: Listings, lat: np.ndarray, lon: np.ndarray,
    wants: dict[str, np.ndarray], drift_day: np.ndarray, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per person and slot (U, 4): budget, radius and row in the pools (-1, NaN where the person never
    searches the slot), and the pools (r, POOL_SIZE) of listing positions, -1 padding."""
    users = len(archetype)
    budget, radius = np.full((users, 4), np.nan), np.full((users, 4), np.nan)
    pool_row = np.full((users, 4), -1)
    pools: list[np.ndarray] = []
    for person, code in enumerate(archetype):
        for column, want in enumerate(archetypes[code].wants):
            shares = [wants["sale_share"][person, column]]
            if drift_day[person] >= 0:
                shares.append(wants["drift_share"][person, column])
            for offer in (offer for offer in OFFERS if any(_uses(share, offer) for share in shares)):
                slot = slot_index(want.kind, offer)
                quantile = rng.uniform(*(want.sale_budget if offer == SALE else want.rent_budget))
                budget[person, slot], radius[person, slot], members = _search_area(
                    listings, slot=slot, lat=lat[person], lon=lon[person], radius_km=want.radius_km, quantile=quantile)
                if len(members) > POOL_SIZE:
                    members = np.sort(rng.choice(members, POOL_SIZE, replace=False))
                pool_row[person, slot] = len(pools)
                pools.append(np.pad(members, (0, POOL_SIZE - len(members)), constant_values=-1))
    return budget, radius, pool_row, np.vstack(pools)


def _apportion(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole counts summing to ``total`` in proportion to ``shares`` (largest remainders), at least one
    each when ``total`` allows."""
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    if total >= len(shares):
        counts = np.maximum(counts, 1)
    while counts.sum() > total:
        counts[np.argmax(np.where(counts > 1, counts - raw, -np.inf))] -= 1
    counts[np.argsort(counts - raw, kind="stable")[: total - counts.sum()]] += 1
    return counts


def _spread(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    """Lognormal factors with mean 1."""
    return np.exp(rng.normal(-sigma**2 / 2, sigma, size))


def _uses(share: float, offer: str) -> bool:
    return share > 0 if offer == SALE else share < 1


def _centres(
    archetype: np.ndarray, *, archetypes: list[Archetype], listings: Listings, sale_share: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Each person lives by a random listing of their main kind and offer (so people are where listings
    are), a few km off it."""
    main = np.array([KINDS.index(archetypes[code].wants[0].kind) * 2 for code in archetype]) + (sale_share[:, 0] < 0.5)
    positions = np.empty(len(archetype), dtype=np.int64)
    for slot in np.unique(main):
        rows = np.flatnonzero(main == slot)
        positions[rows] = rng.choice(listings.grids[int(slot)].positions, len(rows))
    jitter = rng.normal(0, 5 / KM_PER_DEGREE, (len(archetype), 2))
    return np.clip(listings.lat[positions] + jitter[:, 0], -89.0, 89.0), listings.lon[positions] + jitter[:, 1]


def _search_area(
    listings: Listings, *, slot: int, lat: float, lon: float, radius_km: float, quantile: float,
) -> tuple[float, float, np.ndarray]:
    """(budget, radius km, positions): the budget is ``quantile`` of the prices within the radius, the
    positions those within it priced budget / 3 … budget × 3; the radius doubles until there are
    ``MIN_LOCAL`` listings to price and ``MIN_POOL`` in the band, as a person widens a thin search."""
    grid, radius = listings.grids[slot], radius_km
    while True:
        members = grid.within(lat, lon, radius)
        widest = radius >= MAX_RADIUS_KM
        if len(members) >= MIN_LOCAL or widest:
            budget = float(np.quantile(listings.prices[members], quantile))
            ratio = np.abs(np.log(listings.prices[members] / budget))
            band = members[ratio <= math.log(POOL_PRICE_RATIO)]
            if len(band) >= MIN_POOL or widest:
                return budget, radius, band if len(band) else members[[np.argmin(ratio)]]
        radius = min(radius * 2, MAX_RADIUS_KM)


def listing_fit(people: People, listings: Listings, *, users: np.ndarray, slots: np.ndarray,
         positions: np.ndarray) -> np.ndarray:
    """How well each listing fits each person, elementwise over same-shaped arrays, in [0, 1]."""
    price = np.exp(-0.5 * (np.log(listings.prices[positions] / people.budget[users, slots]) / PRICE_SIGMA) ** 2)
    km = haversine_km(people.lat[users], people.lon[users], listings.lat[positions], listings.lon[positions])
    distance = np.exp(-0.5 * (km / people.radius[users, slots]) ** 2)
    beds, low, high = listings.beds[positions], people.beds_low[users], people.beds_high[users]
    off = np.nan_to_num(np.maximum(low - beds, beds - high).clip(min=0), nan=0).astype(np.int64).clip(max=2)
    bed = np.where(np.isnan(beds), NO_BED_FIT, np.asarray(BED_FITS)[off])
    bed = np.where(np.isnan(low) | (listings.kind[positions] != 0), 1.0, bed)
    return price * distance * bed
