"""Simulated users browsing the catalogue, written as real users and interactions for offline evaluation.

Users are named ``sim-<seed>-<n>`` (n from 0, the person index of ``recommendations.ml.simulation.simulator``), have
unusable passwords, and each has a ``SimulatedUser`` row with their archetype, final intent per kind and
latent preferences: the ground truth the evaluation compares recommendations with.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from listings.models import Interaction, Listing
from recommendations.ml.events import SEARCH_CLICK, VIEW
from recommendations.ml.simulation.catalogue import Catalog
from recommendations.ml.simulation.simulator import Simulation, simulate
from recommendations.models import RECOMMENDABLE_STATUSES, SimulatedUser

WRITE_BATCH = 5000
_CATALOG_FIELDS = ("id", "kind", "offer", "price", "lat", "lon", "bed", "state", "published")


class SimulationError(Exception):
    """The simulation cannot run as asked; the message says why and what to do."""


@dataclass(frozen=True)
class SimulationResult:
    """What one run wrote: ``archetypes`` name → users, ``interactions`` event → rows, over [start, end)."""

    users: int
    archetypes: dict[str, int]
    interactions: dict[str, int]
    start: datetime
    end: datetime

    @property
    def interactions_total(self) -> int:
        return sum(self.interactions.values())


def simulated_username(*, seed: int, index: int) -> str:
    return f"{_username_prefix(seed)}{index}"


def _username_prefix(seed: int) -> str:
    return f"sim-{seed}-"


@transaction.atomic
def interactions_simulate(
    *, users: int, days: int, seed: int, now: datetime | None = None, replace: bool = False,
) -> SimulationResult:
    """Simulate ``users`` people browsing the recommendable (active or pending) listings for the ``days``
    days up to ``now`` (default: now), and write them, their interactions and their ground truth.

    A seed is simulated once: a second run raises SimulationError unless ``replace``, which first deletes
    that seed's users (and with them their interactions). No recommendable listings: SimulationError.
    """
    if users <= 0 or days <= 0:
        raise SimulationError(f"Simulate at least one user over at least one day (got {users} users, {days} days).")
    end = now or timezone.now()
    if timezone.is_naive(end):
        raise SimulationError("The simulation's end must be a timezone-aware datetime.")
    earlier = _seed_users(seed=seed)
    if earlier.exists():
        if not replace:
            raise SimulationError(
                f"Seed {seed} was already simulated ({earlier.count()} users named sim-{seed}-…); "
                "replace them (--replace) or pick another seed."
            )
        earlier.delete()
    catalog = _catalog_load()
    if not len(catalog):
        raise SimulationError("There are no active or pending listings to browse; generate or import listings first.")
    start = end - timedelta(days=days)
    try:
        simulation = simulate(catalog, users=users, days=days, seed=seed, start=start.timestamp())
    except ValueError as error:
        raise SimulationError(str(error)) from error
    user_ids = _users_create(seed=seed, count=users, joined=start)
    _interactions_write(simulation=simulation, user_ids=user_ids)
    SimulatedUser.objects.bulk_create([
        SimulatedUser(user_id=user_id, archetype=person.archetype, intents=person.intents, latent=person.latent,
                      drifted=person.drifted, seed=seed)
        for user_id, person in zip(user_ids.tolist(), simulation.people, strict=True)
    ], batch_size=WRITE_BATCH)
    events, counts = np.unique(simulation.events.astype(str), return_counts=True)
    return SimulationResult(
        users=users, archetypes=dict(Counter(person.archetype for person in simulation.people)),
        interactions=dict(zip(events.tolist(), counts.tolist(), strict=True)), start=start, end=end,
    )


def _seed_users(*, seed: int) -> QuerySet[User]:
    return User.objects.filter(username__startswith=_username_prefix(seed))


def _catalog_load() -> Catalog:
    """The recommendable listings as a Catalog, by id; publication falls back to creation."""
    rows = (
        Listing.objects.filter(status__in=RECOMMENDABLE_STATUSES)
        .annotate(published=Coalesce(F("published_at"), F("created_at")))
        .order_by("id").values_list(*_CATALOG_FIELDS).iterator(chunk_size=20_000)
    )
    frame = pd.DataFrame.from_records(rows, columns=list(_CATALOG_FIELDS))
    published = pd.to_datetime(frame["published"], utc=True)
    return Catalog(
        ids=frame["id"].to_numpy(dtype=np.int64),
        kinds=frame["kind"].to_numpy(dtype=object),
        offers=frame["offer"].to_numpy(dtype=object),
        prices=pd.to_numeric(frame["price"]).to_numpy(dtype=np.float64),
        lat=pd.to_numeric(frame["lat"]).to_numpy(dtype=np.float64),
        lon=pd.to_numeric(frame["lon"]).to_numpy(dtype=np.float64),
        beds=pd.to_numeric(frame["bed"]).to_numpy(dtype=np.float64),
        states=frame["state"].to_numpy(dtype=object),
        published=((published - pd.Timestamp(0, tz="UTC")).dt.total_seconds()).to_numpy(dtype=np.float64),
    )


def _users_create(*, seed: int, count: int, joined: datetime) -> np.ndarray:
    """(count,) ids of the new users ``sim-<seed>-0`` … in person order."""
    users = [User(username=simulated_username(seed=seed, index=index), password=make_password(None),
                  date_joined=joined) for index in range(count)]
    try:
        with transaction.atomic():
            created = User.objects.bulk_create(users, batch_size=WRITE_BATCH)
    except IntegrityError as error:
        raise SimulationError(f"Users named sim-{seed}-… appeared meanwhile (another run of seed {seed}?).") from error
    return np.array([user.pk for user in created], dtype=np.int64)


def _interactions_write(*, simulation: Simulation, user_ids: np.ndarray) -> None:
    """Interaction rows for every simulated event, with the context the site records (where a view came
    from, a search click's position), ``WRITE_BATCH`` rows at a time."""
    for begin in range(0, len(simulation), WRITE_BATCH):
        rows = slice(begin, begin + WRITE_BATCH)
        moments = pd.to_datetime(simulation.times[rows], unit="s", utc=True).to_pydatetime()
        columns = zip(user_ids[simulation.users[rows]].tolist(), simulation.listing_ids[rows].tolist(),
                      simulation.events[rows].tolist(), moments.tolist(), simulation.sources[rows].tolist(),
                      simulation.positions[rows].tolist(), strict=True)
        Interaction.objects.bulk_create([
            Interaction(user_id=user_id, listing_id=listing_id, event=event, created_at=moment,
                        context=_context(event=event, source=source, position=position))
            for user_id, listing_id, event, moment, source, position in columns
        ])


def _context(*, event: str, source: str, position: int) -> dict[str, Any]:
    if event == VIEW and source:
        return {"from": source}
    if event == SEARCH_CLICK:
        return {"position": position}
    return {}
