"""Alert mails: new matches of saved searches and price drops of favorites, one digest per user and run.

Every listing in a mail is recorded in ``AlertSent``, whose unique constraints let each alert go out once. The
rows are written in the transaction that sends the mail, before it commits: a failed send rolls them back (the
next run tries again), and a run racing this one blocks on the same rows and then gives up for that user.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal, cast
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from listings.filters import ListingFilter
from listings.models import (
    AlertSent,
    AlertSettings,
    AlertTopic,
    Favorite,
    Listing,
    Offer,
    PriceChange,
    SavedSearch,
    Status,
)
from listings.templatetags.listing_tags import money
from trustasset.links import site_url

logger = logging.getLogger(__name__)

ITEMS_PER_SECTION = 20
# A listing published in a transaction that commits after a run has a publish time before that run's
# watermark (bulk imports stamp the transaction's start). Looking back this far still finds it; the ones
# already mailed are skipped by their AlertSent rows.
WATERMARK_OVERLAP = timedelta(hours=1)
UNSUBSCRIBE_SALT = "listings.alerts.unsubscribe"

Scope = Literal["search", "price_drops", "all"]
SCOPES: tuple[Scope, ...] = ("search", "price_drops", "all")


@dataclass(frozen=True)
class AlertRun:
    """What one run mailed: digests, new matches and price drops (those behind "and N more" included)."""

    mails: int = 0
    matches: int = 0
    drops: int = 0

    def __add__(self, other: AlertRun) -> AlertRun:
        return AlertRun(
            mails=self.mails + other.mails, matches=self.matches + other.matches, drops=self.drops + other.drops
        )


@dataclass(frozen=True)
class SearchMatches:
    """New listings for one saved search, newest first: ``prices`` has all of them, ``listings`` the shown ones."""

    saved_search: SavedSearch
    prices: dict[int, Decimal]
    listings: list[Listing]

    @property
    def total(self) -> int:
        return len(self.prices)


@dataclass(frozen=True)
class PriceDrop:
    """A favorite now cheaper than ``was``, the price its user last heard of; ``change_ids`` are not yet mailed."""

    listing: Listing
    was: Decimal
    change_ids: list[int]


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link turns off: one saved search's alerts, price-drop alerts, or all of them."""

    user_id: int
    scope: Scope
    saved_search_id: int | None = None  # exactly when the scope is "search"

    def __post_init__(self) -> None:
        if (self.scope == "search") != (self.saved_search_id is not None):
            raise ValueError("A saved search's id goes with the scope 'search', and only with it.")


# Sending ---------------------------------------------------------------------------------------

def alerts_send(*, now: datetime | None = None) -> AlertRun:
    """Mail every user with something new one digest; safe to run twice (nothing is mailed twice).

    A failed send for one user does not hold up the others; the first such ``OSError`` is raised at the end,
    so the task retries the users it missed.
    """
    now = now or timezone.now()
    run = AlertRun()
    error: OSError | None = None
    for user in _alert_recipients():
        try:
            run += user_alerts_send(user=user, now=now)
        except OSError as exc:
            logger.exception("Alert mail to user %s failed", user.pk)
            error = error or exc
        except IntegrityError:
            # A concurrent run recorded the same alerts first, or a listing was deleted meanwhile: nothing
            # was mailed, and the next run sees the outcome.
            logger.warning("Alerts of user %s conflicted with a concurrent change; left to the next run", user.pk)
    if error is not None:
        raise error
    return run


def user_alerts_send(*, user: User, now: datetime) -> AlertRun:
    """Mail ``user`` one digest of the new matches and price drops since the last run, and record them.

    Nothing new: no mail, and the saved searches' watermarks still move to ``now``.
    """
    with transaction.atomic():
        # The lock makes a concurrent run for this user wait, then find everything already recorded.
        searches = list(
            SavedSearch.objects.select_for_update().filter(user=user, alerts_enabled=True).order_by("created_at", "id")
        )
        matches = _search_matches(user=user, searches=searches, now=now)
        drops = _price_drops(user=user, now=now) if price_drop_alerts_enabled(user_id=user.pk) else []
        SavedSearch.objects.filter(pk__in=[search.pk for search in searches]).update(last_alerted_at=now)
        if not matches and not drops:
            return AlertRun()
        _alerts_record(user=user, matches=matches, drops=drops, now=now)
        _digest(user=user, matches=matches, drops=drops).send()
    return AlertRun(mails=1, matches=sum(found.total for found in matches), drops=len(drops))


def price_drop_alerts_enabled(*, user_id: int) -> bool:
    return not AlertSettings.objects.filter(user_id=user_id, price_drops=False).exists()


def _alert_recipients() -> QuerySet[User]:
    """Users who may have something to hear about: alerting saved searches, or a dropped favorite."""
    searching = SavedSearch.objects.filter(alerts_enabled=True).values("user_id")
    watching = (
        Favorite.objects.filter(
            listing__status=Status.ACTIVE,
            listing__price_changes__new_price__lt=F("listing__price_changes__old_price"),
            listing__price_changes__changed_at__gt=F("created_at"),
        )
        .exclude(user__alert_settings__price_drops=False)
        .values("user_id")
    )
    return (
        User.objects.filter(Q(pk__in=searching) | Q(pk__in=watching), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _search_matches(*, user: User, searches: list[SavedSearch], now: datetime) -> list[SearchMatches]:
    """The saved searches with new listings; a listing several of them find is under the first only."""
    taken: set[int] = set()
    found = []
    for search in searches:
        prices = {pk: price for pk, price in _new_listing_prices(user=user, search=search, now=now) if pk not in taken}
        if not prices:
            continue
        taken.update(prices)
        shown = list(prices)[:ITEMS_PER_SECTION]
        listings = Listing.objects.in_bulk(shown)
        found.append(SearchMatches(saved_search=search, prices=prices, listings=[listings[pk] for pk in shown]))
    return found


def _new_listing_prices(*, user: User, search: SavedSearch, now: datetime) -> list[tuple[int, Decimal]]:
    """(id, price) of the active listings first seen since the search's watermark, matching it, newest first.

    Never the user's own listings, nor any already mailed to them.
    """
    since = search.created_at if search.last_alerted_at is None else search.last_alerted_at - WATERMARK_OVERLAP
    # Spelled out rather than Coalesce(published_at, created_at) so the published_at index stays usable.
    first_seen = Q(published_at__gt=since, published_at__lte=now) | Q(
        published_at__isnull=True, created_at__gt=since, created_at__lte=now
    )
    queryset = (
        Listing.objects.filter(first_seen, status=Status.ACTIVE)
        .exclude(seller=user)
        .exclude(Exists(AlertSent.objects.filter(user=user, topic=AlertTopic.MATCH, listing=OuterRef("pk"))))
    )
    listing_filter = ListingFilter(data=search.filters, queryset=queryset)
    if not listing_filter.is_valid():
        logger.warning("Saved search %s has filters the search page refuses: %s", search.pk, listing_filter.errors)
        return []
    return list(listing_filter.qs.values_list("pk", "price"))


def _price_drops(*, user: User, now: datetime) -> list[PriceDrop]:
    """Favorites whose price fell since they were favorited and is still below what ``user`` last heard of.

    A drop reversed before the run (or a fall that only undoes a rise) is not news, so it is not mailed.
    Most recently changed first.
    """
    pending = (
        PriceChange.objects.filter(
            new_price__lt=F("old_price"),
            changed_at__lte=now,
            listing__status=Status.ACTIVE,
            # In one filter() call, both conditions are on the same favorite.
            listing__favorites__user=user,
            changed_at__gt=F("listing__favorites__created_at"),
        )
        .exclude(listing__seller=user)
        .exclude(Exists(AlertSent.objects.filter(user=user, topic=AlertTopic.PRICE_DROP, price_change=OuterRef("pk"))))
        .order_by("-changed_at", "-id")
        .values_list("listing_id", "pk")
    )
    change_ids: dict[int, list[int]] = defaultdict(list)
    for listing_id, change_id in pending:
        change_ids[listing_id].append(change_id)
    if not change_ids:
        return []
    heard = _prices_last_heard(user=user, listing_ids=list(change_ids))
    listings = Listing.objects.in_bulk(list(change_ids))
    return [
        PriceDrop(listing=listings[listing_id], was=heard[listing_id], change_ids=ids)
        for listing_id, ids in change_ids.items()
        if listings[listing_id].price < heard[listing_id]
    ]


def _prices_last_heard(*, user: User, listing_ids: list[int]) -> dict[int, Decimal]:
    """Per favorited listing, the price ``user`` last heard of: the last drop alert's since favoriting, else the
    price when favorited (the old price of the first change after it; the listings given all have one)."""
    favorited = (
        PriceChange.objects.filter(
            listing_id__in=listing_ids,
            listing__favorites__user=user,
            changed_at__gt=F("listing__favorites__created_at"),
        )
        .order_by("listing_id", "changed_at", "id")
        .distinct("listing_id")
        .values_list("listing_id", "old_price")
    )
    alerted = (
        AlertSent.objects.filter(
            user=user,
            topic=AlertTopic.PRICE_DROP,
            listing_id__in=listing_ids,
            listing__favorites__user=user,
            sent_at__gt=F("listing__favorites__created_at"),
        )
        .order_by("listing_id", "-sent_at", "-id")
        .distinct("listing_id")
        .values_list("listing_id", "price")
    )
    return dict(favorited) | dict(alerted)


def _alerts_record(*, user: User, matches: list[SearchMatches], drops: list[PriceDrop], now: datetime) -> None:
    """One row per listing matched (shown or behind "and N more") and per price change mailed."""
    rows = [
        AlertSent(
            user=user, listing_id=listing_id, topic=AlertTopic.MATCH, saved_search=found.saved_search,
            price=price, sent_at=now,
        )
        for found in matches
        for listing_id, price in found.prices.items()
    ]
    rows += [
        AlertSent(
            user=user, listing=drop.listing, topic=AlertTopic.PRICE_DROP, price_change_id=change_id,
            price=drop.listing.price, sent_at=now,
        )
        for drop in drops
        for change_id in drop.change_ids
    ]
    AlertSent.objects.bulk_create(rows)


# The mail --------------------------------------------------------------------------------------

def _digest(*, user: User, matches: list[SearchMatches], drops: list[PriceDrop]) -> EmailMessage:
    stop_all = unsubscribe_url(unsubscribe=Unsubscribe(user_id=user.pk, scope="all"))
    lines = [f"Hello {user.get_username()},", ""]
    for found in matches:
        lines += _matches_section(user=user, found=found)
    if drops:
        lines += _drops_section(user=user, drops=drops)
    lines += ["--", f"Stop all alert mails from TrustAsset: {stop_all}"]
    return EmailMessage(
        subject=digest_subject(matches=sum(found.total for found in matches), drops=len(drops)),
        body="\n".join(lines) + "\n",
        to=[user.email],
        headers={"List-Unsubscribe": f"<{stop_all}>"},
    )


def digest_subject(*, matches: int, drops: int) -> str:
    """``3 new matches and 1 price drop on TrustAsset``; parts with a count of 0 are left out."""
    parts = []
    if matches:
        parts.append(_plural(matches, "new match", "new matches"))
    if drops:
        parts.append(_plural(drops, "price drop", "price drops"))
    return f"{' and '.join(parts)} on TrustAsset"


def _matches_section(*, user: User, found: SearchMatches) -> list[str]:
    search = found.saved_search
    lines = [f"{_plural(found.total, 'new match', 'new matches')} for your saved search “{search.name}”:", ""]
    for listing in found.listings:
        lines += [f"{listing.title} — {_price(listing.price, offer=listing.offer)}", site_url(listing.get_absolute_url()), ""]
    more = found.total - len(found.listings)
    if more:
        search_path = f"{reverse('listing_search')}?{urlencode(sorted(search.filters.items()))}"
        lines += [f"…and {more} more: {site_url(search_path)}", ""]
    stop = Unsubscribe(user_id=user.pk, scope="search", saved_search_id=search.pk)
    return [*lines, f"Stop alerts for “{search.name}”: {unsubscribe_url(unsubscribe=stop)}", "", ""]


def _drops_section(*, user: User, drops: list[PriceDrop]) -> list[str]:
    lines = [f"{_plural(len(drops), 'price drop', 'price drops')} on your favorites:", ""]
    for drop in drops[:ITEMS_PER_SECTION]:
        listing = drop.listing
        now_text, was_text = _price(listing.price, offer=listing.offer), _price(drop.was, offer=listing.offer)
        lines += [f"{listing.title} — {now_text} (was {was_text})", site_url(listing.get_absolute_url()), ""]
    more = len(drops) - ITEMS_PER_SECTION
    if more > 0:
        lines += [f"…and {more} more: {site_url(reverse('favorites'))}", ""]
    stop = Unsubscribe(user_id=user.pk, scope="price_drops")
    return [*lines, f"Stop price-drop alerts: {unsubscribe_url(unsubscribe=stop)}", "", ""]


def _price(amount: Decimal, *, offer: str) -> str:
    return f"{money(amount)}/mo" if offer == Offer.RENT else money(amount)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# Unsubscribing ---------------------------------------------------------------------------------

def unsubscribe_url(*, unsubscribe: Unsubscribe) -> str:
    """An absolute link that turns the alerts off without logging in.

    The signed token never expires: people unsubscribe from mails they read months later.
    """
    payload: dict[str, int | str] = {"u": unsubscribe.user_id, "scope": unsubscribe.scope}
    if unsubscribe.saved_search_id is not None:
        payload["s"] = unsubscribe.saved_search_id
    # No timestamp: the links never expire, and the same alert gets the same link.
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(payload)
    return site_url(reverse("alerts_unsubscribe", args=[token]))


def unsubscribe_load(*, token: str) -> Unsubscribe:
    """What a token from ``unsubscribe_url`` turns off; ``signing.BadSignature`` when we did not make it."""
    payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    if not isinstance(payload, dict) or payload.get("scope") not in SCOPES or not isinstance(payload.get("u"), int):
        raise signing.BadSignature("The unsubscribe token does not say what to turn off.")
    saved_search_id = payload.get("s")
    try:
        return Unsubscribe(
            user_id=payload["u"], scope=cast(Scope, payload["scope"]),
            saved_search_id=saved_search_id if isinstance(saved_search_id, int) else None,
        )
    except ValueError as error:
        raise signing.BadSignature(str(error)) from error


def unsubscribe_describe(*, unsubscribe: Unsubscribe) -> str | None:
    """What the link turns off, in words for its page; None when its user or saved search is gone."""
    if unsubscribe.saved_search_id is not None:
        name = (
            SavedSearch.objects.filter(pk=unsubscribe.saved_search_id, user_id=unsubscribe.user_id)
            .values_list("name", flat=True)
            .first()
        )
        return None if name is None else f"alerts of new listings for your saved search “{name}”"
    if not User.objects.filter(pk=unsubscribe.user_id).exists():
        return None
    if unsubscribe.scope == "price_drops":
        return "alerts of price drops on your favorites"
    return "all alert mails: new listings for your saved searches and price drops on your favorites"


@transaction.atomic
def alerts_unsubscribe(*, unsubscribe: Unsubscribe) -> None:
    """Turn off what the link names; turning off what is already off, or gone, does nothing."""
    searches = SavedSearch.objects.filter(user_id=unsubscribe.user_id)
    if unsubscribe.saved_search_id is not None:
        searches.filter(pk=unsubscribe.saved_search_id).update(alerts_enabled=False)
        return
    if unsubscribe.scope == "all":
        searches.update(alerts_enabled=False)
    if User.objects.filter(pk=unsubscribe.user_id).exists():
        AlertSettings.objects.update_or_create(user_id=unsubscribe.user_id, defaults={"price_drops": False})
