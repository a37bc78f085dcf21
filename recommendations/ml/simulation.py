"""The interaction simulator: synthetic people with known tastes browse the catalogue day by day.

Every person is drawn from an archetype (``ARCHETYPES``) and given a latent preference per kind: an
area (a centre and a radius), a budget per offer drawn as a quantile of the prices around them,
bedrooms for homes, and how their sessions split between listings for sale and for rent. Each day
they start a Poisson number of sessions. A session searches one kind and offer the way a person does
on the site: their area and a price band, a page of ``PAGE_SIZE`` results in an order that favours
new listings with noise (never sorted by fit). They open results with a probability that rises with
how well each listing fits them (a view and a search click, as the site records an open), open up to
two of its similar listings (nearest by price, place and bedrooms), and sometimes favorite, contact,
share, and later unfavorite. Some renters turn buyer at a random day in the first two thirds.

How well a listing fits a person is ``price × distance × bedrooms`` in [0, 1]: a Gaussian of
ln(price / budget) with spread ``PRICE_SIGMA``, a Gaussian of the haversine distance from their
centre with their radius as spread, and 1 / 0.5 / 0.15 for bedrooms in, one off, or further off
their range (``NO_BED_FIT`` for homes without a count; cars ignore it).

Pure numpy; the caller turns listings into a ``Catalog`` and the events back into rows. The same
seed gives the same people and events. Each person searches a fixed pool of at most ``POOL_SIZE``
listings of each kind and offer they want, found once through a grid index, so no step scans the
whole catalogue per person or per event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommendations.ml.events import CONTACT, FAVORITE, SEARCH_CLICK, SHARE, UNFAVORITE, VIEW
from recommendations.ml.geo import haversine_km
from recommendations.ml.profiles import BUYER, HYBRID, RENT, RENTER, SALE

SECONDS_PER_DAY = 86_400.0
KM_PER_DEGREE = 111.2
HOME, CAR = "home", "car"
KINDS = (HOME, CAR)
OFFERS = (SALE, RENT)
SEARCH, SIMILAR = "search", "similar"  # where a view came from

PAGE_SIZE = 20
POOL_SIZE = 400  # listings one person's searches of one kind and offer can return
MIN_LOCAL = 20  # listings around the centre needed to price a budget; fewer: the area doubles
MIN_POOL = 40  # listings in the widest price band a search area must hold; fewer: the area doubles
MAX_RADIUS_KM = 5_000.0  # at this radius the whole country is the area
POOL_PRICE_RATIO = 3.0  # nobody looks beyond budget / 3 … budget × 3
MIN_PAGE = 5  # a price band leaving fewer results is cleared, as a person would
MAX_PRICE_FILTER = (0.85, 1.05, 1.35)  # probability a session sets a maximum price, range × budget
MIN_PRICE_FILTER = (0.5, 0.5, 0.85)
SEARCH_FRESH_BOOST = 2.0  # a listing published now is 3× as likely on a page as an old one
SEARCH_FRESH_HALF_LIFE_DAYS = 7.0
PRICE_SIGMA = 0.25  # price fit 0.61 at ±25 % of budget (in log), 0.02 at twice or half
BED_FITS = (1.0, 0.5, 0.15)  # bedrooms in range, one off, further off
NO_BED_FIT = 0.3  # lots and homes without a bedroom count
OPEN_FLOOR, OPEN_GAIN = 0.02, 0.55  # open probability = (floor + gain × fit) × appeal × position factor
POSITION_DECAY = 0.04  # position factor 1 / (1 + decay × position)
APPEAL_SIGMA = 0.3  # per-listing appeal (photos, title), lognormal: what popularity can learn
SIMILAR_K = 6
SIMILAR_MAX = 2
SIMILAR_OPEN_GAIN = 0.35
SIMILAR_SCALES = (50.0, 0.25, 1.0)  # similarity distance units: km, ln price, bedrooms
SIMILAR_CELL_DEGREES = 1.0
NEAREST_CHUNK = 512  # sources per distance matrix
SHARE_RATE = 0.03  # × fit
UNFAVORITE_RATE = 0.3  # × (1 - fit), 0.5–10 days after the favorite
DRIFT_WINDOW = 2 / 3  # drifting people switch at a day in the first two thirds of the period
ACTIVITY_SIGMA, PROPENSITY_SIGMA = 0.5, 0.3  # person-to-person spread (lognormal, mean kept)
SESSION_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 2, 2, 2, 2, 3, 4, 5, 6, 6, 4, 2], dtype=float)
CHUNK_SESSIONS = 5_000  # sessions whose result pages are drawn at once
CELL_DEGREES = 0.5


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


@dataclass(frozen=True)
class SimulatedPerson:
    """Ground truth of one person: ``intents`` kind → buyer/renter/hybrid at the end of the period;
    ``latent`` (JSON-ready) their centre, activity, and per kind weight, sale share, bedrooms and per
    offer budget (USD) and radius (km); ``drift_day`` in it when they drifted."""

    archetype: str
    intents: dict[str, str]
    latent: dict[str, Any]
    drifted: bool


@dataclass(frozen=True)
class Simulation:
    """Events sorted by person, then time (m,): ``users`` person index into ``people``; ``listing_ids``;
    ``events`` event names; ``times`` seconds since the epoch, in [start, start + days × 86 400);
    ``sources`` "search"/"similar" for views, "" otherwise; ``positions`` the 1-based position on the
    result page for search clicks (as the site records them), -1 otherwise."""

    users: np.ndarray
    listing_ids: np.ndarray
    events: np.ndarray
    times: np.ndarray
    sources: np.ndarray
    positions: np.ndarray
    people: list[SimulatedPerson]

    def __len__(self) -> int:
        return len(self.users)


def simulate(
    catalog: Catalog, *, users: int, days: int, seed: int, start: float,
    archetypes: tuple[Archetype, ...] = ARCHETYPES,
) -> Simulation:
    """Simulate ``users`` people over ``days`` days from ``start`` (seconds since the epoch).

    Archetypes the catalogue cannot serve (renters without rentals, car shoppers without cars) are left
    out; the others split the people by their shares, at least one each when there are enough people.
    Raises ValueError for no people, no days, an empty catalogue, or one no archetype can use.
    """
    if users <= 0 or days <= 0:
        raise ValueError(f"Simulate at least one user over at least one day (got {users} users, {days} days).")
    if not len(catalog):
        raise ValueError("The catalogue is empty: there is nothing to browse.")
    rng = np.random.default_rng(seed)
    listings = _Listings.build(catalog, start=start, rng=rng)
    usable = [archetype for archetype in archetypes if _serves(archetype, listings.available)]
    if not usable:
        raise ValueError("No archetype can browse this catalogue (it has no homes or cars on offer).")
    people = _People.draw(usable, listings=listings, users=users, days=days, rng=rng)
    sessions = _Sessions.draw(people, days=days, start=start, rng=rng)
    views = _browse(sessions, people=people, listings=listings, rng=rng)
    events = _reactions(views, people=people, end=start + days * SECONDS_PER_DAY, rng=rng)
    return Simulation(
        users=events["user"], listing_ids=catalog.ids[events["listing"]], events=events["event"],
        times=events["time"], sources=events["source"], positions=events["position"],
        people=people.truth(usable),
    )


# --- the catalogue ---------------------------------------------------------------------------

def _slot(kind: str, offer: str) -> int:
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
class _Listings:
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
    def build(cls, catalog: Catalog, *, start: float, rng: np.random.Generator) -> _Listings:
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
    order = _top(-distance, k)
    picked = np.where(np.isfinite(np.take_along_axis(distance, order, axis=1)), candidates[order], -1)
    return np.pad(picked, ((0, 0), (0, SIMILAR_K - k)), constant_values=-1)


def _effective_share(share: float, *, kind: str, available: set[int]) -> float | None:
    """The sale share a catalogue allows: all sale without rentals, none without sales; None: neither."""
    has_sale, has_rent = _slot(kind, SALE) in available, _slot(kind, RENT) in available
    if not (has_sale or has_rent):
        return None
    return share if has_sale and has_rent else float(has_sale)


def _serves(archetype: Archetype, available: set[int]) -> bool:
    """Whether every want can be met with its intended intent."""
    for want in archetype.wants:
        share = _effective_share(want.sale_share, kind=want.kind, available=available)
        if share is None or intent_of(share) != intent_of(want.sale_share):
            return False
    return True


# --- the people ------------------------------------------------------------------------------

@dataclass
class _People:
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
        cls, archetypes: list[Archetype], *, listings: _Listings, users: int, days: int, rng: np.random.Generator,
    ) -> _People:
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
                    slot = _slot(want.kind, offer)
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
        archetype.drift if days >= 3 and all(_slot(want.kind, SALE) in available for want in archetype.wants)
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
    archetype: np.ndarray, *, archetypes: list[Archetype], listings: _Listings, lat: np.ndarray, lon: np.ndarray,
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
                slot = _slot(want.kind, offer)
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
    archetype: np.ndarray, *, archetypes: list[Archetype], listings: _Listings, sale_share: np.ndarray,
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
    listings: _Listings, *, slot: int, lat: float, lon: float, radius_km: float, quantile: float,
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


def _fit(people: _People, listings: _Listings, *, users: np.ndarray, slots: np.ndarray,
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


# --- sessions and what happens in them -------------------------------------------------------

@dataclass
class _Sessions:
    """One row per session (s,): ``user``, ``time`` seconds since the epoch, ``slot``, and the price band
    ``low``/``high`` USD (0 / inf: none)."""

    user: np.ndarray
    time: np.ndarray
    slot: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def draw(cls, people: _People, *, days: int, start: float, rng: np.random.Generator) -> _Sessions:
        users = len(people.archetype)
        counts = rng.poisson(np.repeat(people.activity[:, None], days, axis=1))
        idle = np.flatnonzero(counts.sum(axis=1) == 0)
        counts[idle, rng.integers(0, days, len(idle))] = 1  # everyone comes at least once
        cell = np.repeat(np.arange(users * days), counts.ravel())
        user, day = cell // days, cell % days
        hours = rng.choice(24, len(user), p=SESSION_HOURS / SESSION_HOURS.sum())
        time = start + day * SECONDS_PER_DAY + hours * 3600.0 + rng.uniform(0, 3600, len(user))
        second = (rng.random(len(user)) >= people.want_weight[user, 0]) & (people.want_kind[user, 1] >= 0)
        want = second.astype(np.int64)
        drifted = (people.drift_day[user] >= 0) & (day >= people.drift_day[user])
        share = np.where(drifted, people.drift_share[user, want], people.sale_share[user, want])
        slot = people.want_kind[user, want] * 2 + (rng.random(len(user)) >= share)
        budget = people.budget[user, slot]
        high = np.where(rng.random(len(user)) < MAX_PRICE_FILTER[0], budget * rng.uniform(*MAX_PRICE_FILTER[1:],
                                                                                          len(user)), np.inf)
        low = np.where(rng.random(len(user)) < MIN_PRICE_FILTER[0], budget * rng.uniform(*MIN_PRICE_FILTER[1:],
                                                                                         len(user)), 0.0)
        return cls(user, time, slot, low, high)


def _browse(sessions: _Sessions, *, people: _People, listings: _Listings, rng: np.random.Generator) -> dict[str, Any]:
    """Every view: search results opened (with their page position) and similar listings opened from them.
    Returns (v,) arrays ``user``, ``slot``, ``listing`` position, ``time``, ``fit``, ``source``, ``position``."""
    parts = [_search_chunk(sessions, np.arange(begin, min(begin + CHUNK_SESSIONS, len(sessions.user))),
                           people=people, listings=listings, rng=rng)
             for begin in range(0, len(sessions.user), CHUNK_SESSIONS)]
    opened = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    similar = _similar_opens(opened, people=people, listings=listings, rng=rng)
    views = {key: np.concatenate([opened[key], similar[key]]) for key in similar}
    return views


def _search_chunk(
    sessions: _Sessions, rows: np.ndarray, *, people: _People, listings: _Listings, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The result page of each session in ``rows`` and the results opened from it."""
    user, slot, time = sessions.user[rows], sessions.slot[rows], sessions.time[rows]
    candidates = people.pools[people.pool_row[user, slot]]
    safe = np.maximum(candidates, 0)
    published = listings.published_day[safe]
    day = ((time - listings.start) / SECONDS_PER_DAY).astype(np.float32)[:, None]
    visible = (candidates >= 0) & (published <= day)
    prices = listings.prices32[safe]
    shown = visible & (prices >= sessions.low[rows, None]) & (prices <= sessions.high[rows, None])
    thin = shown.sum(axis=1) < MIN_PAGE
    shown[thin] = visible[thin]
    # Weighted sampling without replacement: the largest weight / Exp(1) keys (Efraimidis–Spirakis).
    weight = 1 + SEARCH_FRESH_BOOST * np.exp2((published - day) / SEARCH_FRESH_HALF_LIFE_DAYS)
    exponential = np.maximum(rng.standard_exponential(shown.shape, dtype=np.float32), np.float32(1e-30))
    keys = np.where(shown, weight / exponential, -1.0)
    page = _top(keys, PAGE_SIZE)
    on_page = np.take_along_axis(keys, page, axis=1) > 0
    session, position = np.nonzero(on_page)
    listing = candidates[session, page[session, position]]
    who, where = user[session], slot[session]
    fit = _fit(people, listings, users=who, slots=where, positions=listing)
    chance = (OPEN_FLOOR + OPEN_GAIN * fit) * listings.appeal[listing] / (1 + POSITION_DECAY * position)
    draw = rng.random(len(listing))
    opened = draw < np.minimum(chance, 0.95)
    # A session opens at least the result that looked best to them (the largest chance / draw).
    best = np.full(len(rows), -1)
    order = np.lexsort((-(chance / np.maximum(draw, 1e-9)), session))
    first = np.ones(len(order), dtype=bool)
    first[1:] = session[order][1:] != session[order][:-1]
    best[session[order][first]] = order[first]
    missing = np.bincount(session[opened], minlength=len(rows)) == 0
    opened[best[missing & (best >= 0)]] = True
    # The person goes down the page, dwelling 40–150 s on each listing they open.
    keep = np.flatnonzero(opened)
    dwell = rng.uniform(40, 150, len(keep))
    elapsed = np.cumsum(dwell) - dwell
    session_start = np.searchsorted(session[keep], session[keep])  # keep is sorted by session, position
    elapsed -= elapsed[session_start]
    return {
        "user": who[keep], "slot": where[keep], "listing": listing[keep], "fit": fit[keep], "dwell": dwell,
        "time": time[session[keep]] + 15 + elapsed, "source": np.full(len(keep), SEARCH, dtype=object),
        "position": position[keep],
    }


def _top(keys: np.ndarray, k: int) -> np.ndarray:
    """(r, ≤ k) column indices of each row's largest keys, largest first."""
    if keys.shape[1] > k:
        part = np.argpartition(-keys, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(keys.shape[1]), keys.shape)
    order = np.argsort(-np.take_along_axis(keys, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _similar_opens(
    opened: dict[str, np.ndarray], *, people: _People, listings: _Listings, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Up to ``SIMILAR_MAX`` similar listings opened from each opened result, while its page is open."""
    neighbours = listings.similar[opened["listing"]]
    safe = np.maximum(neighbours, 0)
    day = ((opened["time"] - listings.start) / SECONDS_PER_DAY).astype(np.float32)[:, None]
    visible = (neighbours >= 0) & (listings.published_day[safe] <= day)
    users = np.repeat(opened["user"][:, None], SIMILAR_K, axis=1)
    slots = np.repeat(opened["slot"][:, None], SIMILAR_K, axis=1)
    fit = _fit(people, listings, users=users, slots=slots, positions=safe)
    rank = np.arange(SIMILAR_K)[None, :]
    chance = SIMILAR_OPEN_GAIN * fit * listings.appeal[safe] / (1 + 0.15 * rank)
    open_ = visible & (rng.random(neighbours.shape) < chance)
    open_ &= np.cumsum(open_, axis=1) <= SIMILAR_MAX
    parent, column = np.nonzero(open_)
    order_in_parent = np.cumsum(open_, axis=1)[parent, column]
    return {
        "user": opened["user"][parent], "slot": opened["slot"][parent], "listing": neighbours[parent, column],
        "fit": fit[parent, column], "dwell": opened["dwell"][parent] / 3,
        "time": opened["time"][parent] + opened["dwell"][parent] * order_in_parent / 3,
        "source": np.full(len(parent), SIMILAR, dtype=object), "position": np.full(len(parent), -1),
    }


def _reactions(
    views: dict[str, np.ndarray], *, people: _People, end: float, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """All events: views, their search clicks, and favorites, contacts, shares and unfavorites drawn per
    view from the fit; one favorite and one contact per person and listing (the first). Sorted by user,
    time; events at or after ``end`` are dropped."""
    count = len(views["user"])
    fit, user = views["fit"], views["user"]
    favorite = rng.random(count) < people.favorite_rate[user] * fit**2
    contact = rng.random(count) < people.contact_rate[user] * fit**2
    share = rng.random(count) < SHARE_RATE * fit
    offsets = rng.uniform(5, 25, count), rng.uniform(30, 80, count), rng.uniform(10, 40, count)
    favorite &= _first_per_pair(user, views["listing"], views["time"], favorite)
    contact &= _first_per_pair(user, views["listing"], views["time"], contact)
    unfavorite = favorite & (rng.random(count) < UNFAVORITE_RATE * (1 - fit))
    later = views["time"] + rng.uniform(0.5, 10, count) * SECONDS_PER_DAY
    clicks = views["source"] == SEARCH
    parts = [
        (np.ones(count, dtype=bool), VIEW, views["time"]),
        (clicks, SEARCH_CLICK, views["time"] + 0.001),  # the site logs the click right after the view
        (favorite, FAVORITE, views["time"] + offsets[0]),
        (contact, CONTACT, views["time"] + offsets[1]),
        (share, SHARE, views["time"] + offsets[2]),
        (unfavorite, UNFAVORITE, later),
    ]
    rows = np.concatenate([np.flatnonzero(mask) for mask, _, _ in parts])
    events = np.concatenate([np.full(int(mask.sum()), name, dtype=object) for mask, name, _ in parts])
    times = np.concatenate([moment[mask] for mask, _, moment in parts])
    sources = np.where(events == VIEW, views["source"][rows], "")
    positions = np.where(events == SEARCH_CLICK, views["position"][rows] + 1, -1)
    keep = times < end
    order = np.lexsort((times[keep], user[rows][keep]))
    return {
        "user": user[rows][keep][order], "listing": views["listing"][rows][keep][order],
        "event": events[keep][order], "time": times[keep][order],
        "source": sources[keep][order].astype(object), "position": positions[keep][order].astype(np.int64),
    }


def _first_per_pair(users: np.ndarray, listings: np.ndarray, times: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """(v,) bool: ``chosen`` rows that are the earliest chosen row of their (user, listing) pair."""
    rows = np.flatnonzero(chosen)
    order = rows[np.lexsort((times[rows], listings[rows], users[rows]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (users[order][1:] != users[order][:-1]) | (listings[order][1:] != listings[order][:-1])
    keep = np.zeros(len(chosen), dtype=bool)
    keep[order[first]] = True
    return keep
