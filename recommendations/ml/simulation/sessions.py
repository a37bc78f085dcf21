"""Sessions and what happens in them: each searches one kind and offer, a page of results in an order
that favours new listings, results opened by how well they fit, similar listings opened from them, and
the favorites, contacts, shares and unfavorites that follow. Pure numpy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from recommendations.ml.events import CONTACT, FAVORITE, SEARCH_CLICK, SHARE, UNFAVORITE, VIEW
from recommendations.ml.simulation.catalogue import SECONDS_PER_DAY, SIMILAR_K, Listings, top_columns
from recommendations.ml.simulation.people import People, listing_fit

SEARCH, SIMILAR = "search", "similar"  # where a view came from

PAGE_SIZE = 20
MIN_PAGE = 5  # a price band leaving fewer results is cleared, as a person would
MAX_PRICE_FILTER = (0.85, 1.05, 1.35)  # probability a session sets a maximum price, range × budget
MIN_PRICE_FILTER = (0.5, 0.5, 0.85)
SEARCH_FRESH_BOOST = 2.0  # a listing published now is 3× as likely on a page as an old one
SEARCH_FRESH_HALF_LIFE_DAYS = 7.0
OPEN_FLOOR, OPEN_GAIN = 0.02, 0.55  # open probability = (floor + gain × fit) × appeal × position factor
POSITION_DECAY = 0.04  # position factor 1 / (1 + decay × position)
SIMILAR_MAX = 2
SIMILAR_OPEN_GAIN = 0.35
SHARE_RATE = 0.03  # × fit
UNFAVORITE_RATE = 0.3  # × (1 - fit), 0.5–10 days after the favorite
SESSION_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 2, 2, 2, 2, 3, 4, 5, 6, 6, 4, 2], dtype=float)
CHUNK_SESSIONS = 5_000  # sessions whose result pages are drawn at once


@dataclass
class Sessions:
    """One row per session (s,): ``user``, ``time`` seconds since the epoch, ``slot``, and the price band
    ``low``/``high`` USD (0 / inf: none)."""

    user: np.ndarray
    time: np.ndarray
    slot: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def draw(cls, people: People, *, days: int, start: float, rng: np.random.Generator) -> Sessions:
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


def browse(sessions: Sessions, *, people: People, listings: Listings, rng: np.random.Generator) -> dict[str, Any]:
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
    sessions: Sessions, rows: np.ndarray, *, people: People, listings: Listings, rng: np.random.Generator,
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
    page = top_columns(keys, PAGE_SIZE)
    on_page = np.take_along_axis(keys, page, axis=1) > 0
    session, position = np.nonzero(on_page)
    listing = candidates[session, page[session, position]]
    who, where = user[session], slot[session]
    fit = listing_fit(people, listings, users=who, slots=where, positions=listing)
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


def _similar_opens(
    opened: dict[str, np.ndarray], *, people: People, listings: Listings, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Up to ``SIMILAR_MAX`` similar listings opened from each opened result, while its page is open."""
    neighbours = listings.similar[opened["listing"]]
    safe = np.maximum(neighbours, 0)
    day = ((opened["time"] - listings.start) / SECONDS_PER_DAY).astype(np.float32)[:, None]
    visible = (neighbours >= 0) & (listings.published_day[safe] <= day)
    users = np.repeat(opened["user"][:, None], SIMILAR_K, axis=1)
    slots = np.repeat(opened["slot"][:, None], SIMILAR_K, axis=1)
    fit = listing_fit(people, listings, users=users, slots=slots, positions=safe)
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


def reactions(
    views: dict[str, np.ndarray], *, people: People, end: float, rng: np.random.Generator,
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
