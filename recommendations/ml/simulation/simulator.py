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

from dataclasses import dataclass

import numpy as np

from recommendations.ml.simulation.catalogue import SECONDS_PER_DAY, Catalog, Listings
from recommendations.ml.simulation.people import ARCHETYPES, Archetype, People, SimulatedPerson, serves
from recommendations.ml.simulation.sessions import Sessions, browse, reactions


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
    listings = Listings.build(catalog, start=start, rng=rng)
    usable = [archetype for archetype in archetypes if serves(archetype, listings.available)]
    if not usable:
        raise ValueError("No archetype can browse this catalogue (it has no homes or cars on offer).")
    people = People.draw(usable, listings=listings, users=users, days=days, rng=rng)
    sessions = Sessions.draw(people, days=days, start=start, rng=rng)
    views = browse(sessions, people=people, listings=listings, rng=rng)
    events = reactions(views, people=people, end=start + days * SECONDS_PER_DAY, rng=rng)
    return Simulation(
        users=events["user"], listing_ids=catalog.ids[events["listing"]], events=events["event"],
        times=events["time"], sources=events["source"], positions=events["position"],
        people=people.truth(usable),
    )
