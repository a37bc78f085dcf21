"""The interaction simulator on small hand-built catalogues whose right answers are known."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recommendations.ml.simulation.catalogue import Catalog
from recommendations.ml.simulation.people import ARCHETYPES
from recommendations.ml.simulation.sessions import PAGE_SIZE
from recommendations.ml.simulation.simulator import Simulation, simulate

START = 1_750_000_000.0
DAY = 86_400.0
AUSTIN, DALLAS, MIAMI = (30.27, -97.74), (32.78, -96.80), (25.77, -80.19)
BUYERS = ("first_time_buyer", "luxury_buyer", "family_buyer")


def catalog_of(rows: list[tuple[str, str, float, tuple[float, float], float]], *, published: np.ndarray | None = None,
               ) -> Catalog:
    """rows of (kind, offer, price, (lat, lon), beds); ids 1000, 1001, …; published 90 days before START."""
    kinds, offers, prices, places, beds = zip(*rows, strict=True)
    lat, lon = zip(*places, strict=True)
    count = len(rows)
    return Catalog(
        ids=np.arange(1000, 1000 + count), kinds=np.array(kinds, dtype=object), offers=np.array(offers, dtype=object),
        prices=np.array(prices), lat=np.array(lat), lon=np.array(lon), beds=np.array(beds),
        states=np.array(["TX"] * count, dtype=object),
        published=np.full(count, START - 90 * DAY) if published is None else published,
    )


def geometric(low: float, high: float, count: int) -> np.ndarray:
    return low * (high / low) ** (np.arange(count) / (count - 1))


def city_market(place: tuple[float, float]) -> list[tuple[str, str, float, tuple[float, float], float]]:
    """120 homes for sale ($150k–$900k), 60 rentals ($900–$3,500 a month), 60 cars ($5k–$60k)."""
    homes = [("home", "sale", price, place, 1 + index % 5) for index, price in enumerate(geometric(150e3, 900e3, 120))]
    rentals = [("home", "rent", price, place, 1 + index % 4) for index, price in enumerate(geometric(900, 3500, 60))]
    cars = [("car", "sale", price, place, np.nan) for price in geometric(5e3, 60e3, 60)]
    return homes + rentals + cars


@pytest.fixture(scope="module")
def market() -> Catalog:
    rows = city_market(AUSTIN) + city_market(DALLAS)
    published = np.full(len(rows), START - 90 * DAY)
    published[::10] = START + 12.5 * DAY  # every tenth listing comes on the market mid-period
    return catalog_of(rows, published=published)


@pytest.fixture(scope="module")
def month(market: Catalog) -> Simulation:
    return simulate(market, users=300, days=30, seed=3, start=START)


def archetype_of(simulation: Simulation) -> np.ndarray:
    """(m,) archetype of each event's person."""
    return np.array([person.archetype for person in simulation.people])[simulation.users]


def offers_of(simulation: Simulation, catalog: Catalog) -> np.ndarray:
    return catalog.offers[np.searchsorted(catalog.ids, simulation.listing_ids)]


def test_it_gives_the_same_people_and_events_for_the_same_seed(market: Catalog, month: Simulation) -> None:
    again = simulate(market, users=300, days=30, seed=3, start=START)
    other = simulate(market, users=300, days=30, seed=4, start=START)

    for name in ("users", "listing_ids", "events", "times", "sources", "positions"):
        np.testing.assert_array_equal(getattr(again, name), getattr(month, name))
    assert again.people == month.people
    assert other.people != month.people


def test_it_splits_people_over_every_archetype_by_its_share(month: Simulation) -> None:
    assert Counter(person.archetype for person in month.people) == {
        "first_time_buyer": 54, "luxury_buyer": 21, "family_buyer": 54, "renter": 60, "investor": 30,
        "car_shopper": 51, "hybrid_home_car": 30,
    }
    assert {archetype.name for archetype in ARCHETYPES} == {person.archetype for person in month.people}


def test_it_keeps_every_event_inside_the_period_and_after_publication(market: Catalog, month: Simulation) -> None:
    rows = np.searchsorted(market.ids, month.listing_ids)

    assert month.times.min() >= START
    assert month.times.max() < START + 30 * DAY
    assert bool(np.all(market.published[rows] <= month.times))
    assert bool(np.all(np.diff(month.users) >= 0))
    same_user = np.diff(month.users) == 0
    assert bool(np.all(np.diff(month.times)[same_user] >= 0))
    assert set(month.events.tolist()) == {"view", "search_click", "favorite", "unfavorite", "contact", "share"}


def test_it_records_an_opened_result_as_a_view_and_a_search_click_like_the_site(month: Simulation) -> None:
    clicks = np.flatnonzero(month.events == "search_click")
    views = month.events == "view"

    assert bool(np.all((month.positions[clicks] >= 1) & (month.positions[clicks] <= PAGE_SIZE)))
    assert set(month.sources[views].tolist()) == {"search", "similar"}
    assert set(month.sources[~views].tolist()) == {""}
    assert int(np.sum(month.sources == "search")) == len(clicks)
    # Each click directly follows its view, a millisecond later.
    opened = clicks - 1
    assert set(month.sources[opened].tolist()) == {"search"}
    np.testing.assert_array_equal(month.listing_ids[opened], month.listing_ids[clicks])
    np.testing.assert_array_equal(month.users[opened], month.users[clicks])
    np.testing.assert_allclose(month.times[clicks] - month.times[opened], 0.001, atol=1e-5)


def test_it_keeps_renters_on_rentals_buyers_on_sales_and_investors_in_between(
    market: Catalog, month: Simulation,
) -> None:
    archetypes, offers = archetype_of(month), offers_of(month, market)
    drifted = np.array([person.drifted for person in month.people])[month.users]

    def sale_share(rows: np.ndarray) -> float:
        return float(np.mean(offers[rows] == "sale"))

    assert sale_share((archetypes == "renter") & ~drifted) <= 0.05
    assert sale_share(np.isin(archetypes, BUYERS)) >= 0.9
    assert 0.3 <= sale_share(archetypes == "investor") <= 0.7
    intents = Counter((person.archetype, tuple(person.intents.items())) for person in month.people
                      if not person.drifted)
    assert set(intents) == {
        ("first_time_buyer", (("home", "buyer"),)), ("luxury_buyer", (("home", "buyer"),)),
        ("family_buyer", (("home", "buyer"),)), ("renter", (("home", "renter"),)),
        ("investor", (("home", "hybrid"),)), ("car_shopper", (("car", "buyer"),)),
        ("hybrid_home_car", (("home", "buyer"), ("car", "buyer"))),
    }


def test_it_keeps_car_shoppers_on_cars_and_splits_hybrids_between_homes_and_cars(
    market: Catalog, month: Simulation,
) -> None:
    archetypes = archetype_of(month)
    kinds = market.kinds[np.searchsorted(market.ids, month.listing_ids)]

    assert set(kinds[archetypes == "car_shopper"].tolist()) == {"car"}
    assert 0.45 <= float(np.mean(kinds[archetypes == "hybrid_home_car"] == "home")) <= 0.75


def test_it_turns_drifted_renters_into_buyers_early_enough_to_see_it(market: Catalog, month: Simulation) -> None:
    drifted = [index for index, person in enumerate(month.people) if person.drifted]
    rows = np.isin(month.users, drifted)
    last_third = rows & (month.times >= START + 20 * DAY)
    drift_days = np.array([person.latent.get("drift_day", 0) for person in month.people])
    before = rows & (month.times < START + drift_days[month.users] * DAY)

    assert 6 <= len(drifted) <= 16  # 18 % of 60 renters, within two standard deviations
    assert {month.people[index].archetype for index in drifted} == {"renter"}
    assert {tuple(month.people[index].intents.items()) for index in drifted} == {(("home", "buyer"),)}
    assert all(1 <= month.people[index].latent["drift_day"] < 20 for index in drifted)
    assert float(np.mean(offers_of(month, market)[last_third] == "sale")) >= 0.9
    assert float(np.mean(offers_of(month, market)[before] == "rent")) >= 0.9


def test_it_views_listings_in_the_persons_city_priced_near_their_budget() -> None:
    # Two cities 1,600 km apart with the same 200 homes for sale, $50k to $5M evenly in log price:
    # whatever the budget, half the catalogue lies at least a quarter of that range (ln 100 / 4 = 1.15) away.
    homes = geometric(50e3, 5e6, 200)
    catalog = catalog_of([("home", "sale", price, place, 3) for place in (AUSTIN, MIAMI) for price in homes])
    simulation = simulate(catalog, users=60, days=30, seed=5, start=START)
    viewed = simulation.events == "view"
    rows = np.searchsorted(catalog.ids, simulation.listing_ids)

    gaps, catalogue_gaps, home_city = [], [], []
    for index, person in enumerate(simulation.people):
        mine = viewed & (simulation.users == index)
        budget = person.latent["home"]["sale"]["budget"]
        gaps.extend(np.abs(np.log(catalog.prices[rows[mine]] / budget)).tolist())
        catalogue_gaps.append(float(np.median(np.abs(np.log(homes / budget)))))
        nearer_austin = abs(person.latent["centre"]["lon"] - AUSTIN[1]) < abs(person.latent["centre"]["lon"] - MIAMI[1])
        home_city.extend((catalog.lon[rows[mine]] == (AUSTIN if nearer_austin else MIAMI)[1]).tolist())

    assert min(catalogue_gaps) >= 1.15
    assert float(np.median(gaps)) <= 0.2
    assert np.mean(home_city) == 1.0


def test_it_views_only_the_price_tier_of_the_budget() -> None:
    # 100 homes at $100k and 100 at $1M: a first-time buyer's budget (a 5–40 % quantile) is $100k,
    # a luxury buyer's (85–99 %) $1M, and the other tier is outside anyone's price band.
    catalog = catalog_of([("home", "sale", price, AUSTIN, 3) for price in [100e3] * 100 + [1e6] * 100])
    simulation = simulate(catalog, users=40, days=20, seed=6, start=START)
    prices = catalog.prices[np.searchsorted(catalog.ids, simulation.listing_ids)]
    archetypes = archetype_of(simulation)

    budgets = {(person.archetype, person.latent["home"]["sale"]["budget"]) for person in simulation.people
               if person.archetype != "family_buyer"}
    assert budgets == {("first_time_buyer", 100e3), ("luxury_buyer", 1e6)}
    assert set(prices[archetypes == "first_time_buyer"].tolist()) == {100e3}
    assert set(prices[archetypes == "luxury_buyer"].tolist()) == {1e6}


def test_it_favours_the_bedrooms_a_family_wants() -> None:
    # 40 homes each of 1–5 bedrooms at one price: 60 % of the catalogue has the 3–5 a family wants.
    catalog = catalog_of([("home", "sale", 300e3, AUSTIN, 1 + index % 5) for index in range(200)])
    simulation = simulate(catalog, users=60, days=30, seed=7, start=START)
    beds = catalog.beds[np.searchsorted(catalog.ids, simulation.listing_ids)]
    views = simulation.events == "view"

    assert float(np.mean(beds[views & (archetype_of(simulation) == "family_buyer")] >= 3)) >= 0.75
    assert float(np.mean(beds[views & (archetype_of(simulation) == "first_time_buyer")] <= 3)) >= 0.75


def test_it_leaves_out_archetypes_the_catalogue_cannot_serve() -> None:
    cars = catalog_of([("car", "sale", price, AUSTIN, np.nan) for price in geometric(5e3, 60e3, 50)])

    simulation = simulate(cars, users=12, days=7, seed=1, start=START)

    assert Counter(person.archetype for person in simulation.people) == {"car_shopper": 12}


def test_it_places_listings_without_coordinates_at_their_states_mean() -> None:
    rows = [("home", "sale", price, AUSTIN, 3) for price in geometric(100e3, 400e3, 60)]
    catalog = catalog_of(rows)
    unknown = Catalog(**{**catalog.__dict__, "lat": np.where(np.arange(60) % 2, np.nan, catalog.lat)})

    simulation = simulate(unknown, users=20, days=14, seed=2, start=START)
    viewed = np.searchsorted(catalog.ids, simulation.listing_ids[simulation.events == "view"])

    # Placed in Austin, they are inside every search radius, which therefore never widens.
    assert {person.latent["home"]["sale"]["radius_km"] for person in simulation.people} == {40.0, 45.0, 60.0}
    assert 0.35 <= float(np.mean(viewed % 2 == 1)) <= 0.65


@pytest.mark.parametrize(("users", "days", "message"), [
    (0, 30, "at least one user"), (10, 0, "at least one day"),
])
def test_it_refuses_no_users_or_no_days(market: Catalog, users: int, days: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(market, users=users, days=days, seed=1, start=START)


def test_it_refuses_an_empty_catalogue() -> None:
    empty = Catalog(*(np.zeros(0) for _ in range(9)))

    with pytest.raises(ValueError, match="catalogue is empty"):
        simulate(empty, users=10, days=30, seed=1, start=START)
