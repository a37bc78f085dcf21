"""Interest profiles: who wants what lately, per user (or anonymous session) and kind.

A new interaction marks its actor stale and schedules one delayed refresh (later interactions in
the same window ride along); a read of a stale or outdated profile recomputes it on the spot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, QuerySet
from django.utils import timezone

from listings.models import Event, Interaction, Kind
from recommendations import conf
from recommendations.actors import Actor
from recommendations.ml.interest import interest_scores
from recommendations.ml.profiles import ANCHORS, profile_build
from recommendations.models import (
    ITEM_EMBEDDING_DIM,
    TEXT_EMBEDDING_DIM,
    Dismissal,
    FeedPreference,
    InterestProfile,
    ItemEmbedding,
    ProfileRefreshMark,
    TextEmbedding,
)
from registry.selectors import version_active
from trustasset.enqueue import task_enqueue

# Interest halves every 14 days, so a day-old profile is off by at most 5 %: recompute after that.
PROFILE_MAX_AGE = timedelta(days=1)
# Beyond this many of a person's latest interactions the decay leaves nothing worth reading.
HISTORY_LIMIT = 5000


def profile_mark_stale(*, actor: Actor) -> bool:
    """Note that ``actor`` has new interactions; the first note since their last refresh schedules one
    refresh ``FEED_PROFILE_DEBOUNCE_SECONDS`` later (after commit). True when it scheduled one."""
    # One statement on every interaction, racing writers included (get_or_create would take up to four).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO recommendations_profilerefreshmark (actor, marked_at) VALUES (%s, %s) "
            "ON CONFLICT (actor) DO NOTHING",
            [actor.key, timezone.now()],
        )
        created = cursor.rowcount == 1
    if created:
        task_enqueue("recommendations.tasks.profiles_refresh", user_id=actor.user_id,
                     session_key=actor.session_key, countdown=conf.profile_debounce_seconds())
    return created


@transaction.atomic
def profiles_refresh(*, actor: Actor, now: datetime | None = None) -> list[InterestProfile]:
    """Recompute the actor's profile of every kind, in one transaction with the removal of their mark.

    An interaction committed while this runs inserts a new mark once this commits (its insert waits on the
    deleted row), so the next read sees the actor stale again: nothing is lost. Profiles are derived data,
    so the commit does not wait for the disk; a crash at worst loses a refresh that the next read redoes.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
    ProfileRefreshMark.objects.filter(actor=actor.key).delete()
    return [profile_refresh(actor=actor, kind=kind, now=now) for kind in Kind.values]


def profile_refresh(*, actor: Actor, kind: str, now: datetime | None = None) -> InterestProfile:
    """Recompute and store the actor's profile of ``kind`` from their latest interactions."""
    now = now or timezone.now()
    history = Interaction.objects.filter(**actor.lookup, listing__kind=kind, created_at__lte=now).exclude(
        event=Event.IMPRESSION
    )
    rows = list(history.order_by("-created_at").values_list(
        "listing_id", "event", "created_at", "listing__offer", "listing__price")[:HISTORY_LIMIT])
    interest = interest_scores(
        np.array([row[0] for row in rows], dtype=np.int64),
        np.array([row[1] for row in rows], dtype=object),
        np.array([row[2].timestamp() for row in rows]),
        now=now.timestamp(), weights=conf.event_weights(), half_life_days=conf.half_life_days(),
    )
    version = version_active(kind=kind)
    ids = interest.listing_ids.tolist()
    facts = {row[0]: (row[3], row[4]) for row in rows}
    # The history as a subquery, not as a long list of ids in the statement.
    seen = history.order_by().values("listing_id")
    built = profile_build(
        scores=interest.scores,
        offers=np.array([facts[pk][0] for pk in ids], dtype=object),
        prices=np.array([float(facts[pk][1]) for pk in ids]),
        item_vectors=_vectors(ItemEmbedding.objects.filter(version=version, listing_id__in=seen), ids,
                              ITEM_EMBEDDING_DIM) if version else None,
        text_vectors=_vectors(TextEmbedding.objects.filter(listing_id__in=seen), ids, TEXT_EMBEDDING_DIM),
        threshold=conf.intent_threshold(),
    )
    order = np.argsort(-interest.scores, kind="stable")[:ANCHORS]
    values = {
        "version": version if built.item_centroid is not None else None,
        "item_centroid": built.item_centroid,
        "text_centroid": built.text_centroid,
        "target_price_sale": _money(built.target_prices["sale"]),
        "target_price_rent": _money(built.target_prices["rent"]),
        "sale_weight": built.sale_weight,
        "rent_weight": built.rent_weight,
        "intent": built.intent,
        "listings": len(interest),
        "interactions": len(rows),
        "anchors": [[ids[row], round(float(interest.scores[row]), 6)] for row in order],
        "computed_at": now,
    }
    profile, _ = InterestProfile.objects.update_or_create(**_identity(actor), kind=kind, defaults=values)
    return profile


def profile_current(*, actor: Actor, kind: str, now: datetime | None = None) -> InterestProfile:
    """The actor's profile of ``kind``, recomputed first when it is missing, marked stale, older than a
    day, or made with an encoder that is no longer active."""
    now = now or timezone.now()
    profile = (
        InterestProfile.objects.filter(**_identity(actor), kind=kind)
        .select_related("version")
        .annotate(marked=Exists(ProfileRefreshMark.objects.filter(actor=actor.key)))
        .first()
    )
    if profile is None or profile.marked:
        # A mark covers every kind (and a first profile may have one): refresh them all and clear it.
        return {fresh.kind: fresh for fresh in profiles_refresh(actor=actor, now=now)}[kind]
    if profile.computed_at <= now - PROFILE_MAX_AGE or (profile.version is not None and not profile.version.active):
        return profile_refresh(actor=actor, kind=kind, now=now)
    return profile


@transaction.atomic
def interactions_adopt(*, session_key: str, user_id: int) -> int:
    """Give an anonymous session's history to the account it signed up or logged in to; returns rows moved."""
    if not session_key:
        return 0
    moved = Interaction.objects.filter(user__isnull=True, session_key=session_key).update(
        user_id=user_id, session_key=""
    )
    session = Actor(session_key=session_key)
    InterestProfile.objects.filter(**session.lookup).delete()
    ProfileRefreshMark.objects.filter(actor=session.key).delete()
    if moved:
        profile_mark_stale(actor=Actor(user_id=user_id))
    return moved


@transaction.atomic
def history_reset(*, user_id: int) -> int:
    """Forget what the user did (interactions and profiles); their settings and dismissals stay."""
    deleted, _ = Interaction.objects.filter(user_id=user_id).delete()
    InterestProfile.objects.filter(user_id=user_id).delete()
    ProfileRefreshMark.objects.filter(actor=Actor(user_id=user_id).key).delete()
    return deleted


def dismissal_add(*, user_id: int, listing_id: int) -> Dismissal:
    dismissal, _ = Dismissal.objects.get_or_create(user_id=user_id, listing_id=listing_id)
    return dismissal


def dismissal_remove(*, user_id: int, listing_id: int) -> bool:
    deleted, _ = Dismissal.objects.filter(user_id=user_id, listing_id=listing_id).delete()
    return deleted > 0


def preference_set(
    *, user_id: int, kind: str, enabled: bool, intent: str, budget_sale: Decimal | None, budget_rent: Decimal | None
) -> FeedPreference:
    preference, _ = FeedPreference.objects.update_or_create(user_id=user_id, kind=kind, defaults={
        "enabled": enabled, "intent": intent, "budget_sale": budget_sale, "budget_rent": budget_rent,
    })
    return preference


def _identity(actor: Actor) -> dict[str, Any]:
    if actor.user_id is not None:
        return {"user_id": actor.user_id}
    return {"user": None, "session_key": actor.session_key}


def _vectors(queryset: QuerySet[Any], ids: list[int], dimensions: int) -> np.ndarray:
    """Rows in ``ids`` order from ``queryset`` (which holds at least those listings); NaN rows for listings
    without an embedding."""
    found = dict(queryset.values_list("listing_id", "vector"))
    matrix = np.full((len(ids), dimensions), np.nan)
    for row, pk in enumerate(ids):
        if pk in found:
            matrix[row] = found[pk]
    return matrix


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.2f}")
