"""The personalized feed: candidates around the person's centroid, ranked, diversified and explained.

People without a usable profile (anonymous, new, or no trained encoder yet) get what is popular
this week blended with new listings; their first interaction personalizes the next feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import zip_longest
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Case, FloatField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Extract
from django.utils import timezone
from pgvector.django import CosineDistance, VectorField

from listings.models import Event, Interaction, Kind, Listing, Offer, Status
from recommendations import conf
from recommendations.actors import Actor
from recommendations.ml.hybrid import hybrid_scores, sequence_affinity, sequence_led
from recommendations.ml.ids import positions_in
from recommendations.ml.interest import CANCELLATIONS
from recommendations.ml.profiles import HYBRID, INTENT_OFFERS
from recommendations.ml.ranking import Items, anchors_pick, diversify, feed_scores
from recommendations.models import (
    Dismissal,
    FeedPreference,
    InterestProfile,
    ItemEmbedding,
    TextEmbedding,
)
from recommendations.reasons import feed_reason
from recommendations.selectors import listings_for_output
from recommendations.services.profiles import profile_current
from recommendations.services.sequence_store import BLEND_WEIGHT, sequence_model
from registry.models import Algorithm
from registry.selectors import version_active
from trustasset import metrics

# Candidates per feed: six per item asked for, within these bounds (the HNSW search list is as long).
# At 1M listings the search costs 2.7 ms for 60 and 5 ms for 100.
CANDIDATES_PER_ITEM = 6
CANDIDATES_MIN = 60
CANDIDATES_MAX = 300
MAX_LIMIT = 50
NEW_DAYS = 7
# A "because you viewed X" names X only when the item really resembles it.
ANCHOR_MIN_COSINE = 0.8
# The next-item model adds up to half as many candidates as the centroid search finds.
SEQUENCE_SHARE_OF_CANDIDATES = 2


@dataclass(frozen=True)
class FeedItem:
    listing: Listing
    score: float
    reason: str


@dataclass(frozen=True)
class Feed:
    kind: str
    profile: dict[str, Any]
    items: list[FeedItem]


@dataclass(frozen=True)
class _Ranked:
    listing_id: int
    score: float
    reason: str


def feed_build(*, actor: Actor | None, kind: str, limit: int = 10, now: datetime | None = None) -> Feed:
    """Up to ``limit`` active listings of ``kind`` for ``actor``, best first, each with a reason.

    Never shows the actor's own listings, ones they dismissed, or ones they already interacted with.
    Without an actor (an anonymous client without a session) the feed is popular and new listings.
    """
    now = now or timezone.now()
    limit = max(0, min(limit, MAX_LIMIT))
    if actor is None:
        ranked = _popular_and_new(actor=None, kind=kind, excluded=[], limit=limit, now=now)
        return Feed(kind=kind, profile=profile_summary(kind=kind, profile=None, preference=None, intent=""),
                    items=_items(ranked))
    preference = (
        FeedPreference.objects.filter(user_id=actor.user_id, kind=kind).first() if actor.user_id else None
    )
    profile = profile_current(actor=actor, kind=kind, now=now)
    intent = (preference.intent if preference and preference.intent else profile.intent) or HYBRID
    excluded = _excluded(actor=actor)
    ranked = []
    if profile.item_centroid is not None and profile.version_id is not None and limit:
        ranked = _personalized(actor=actor, kind=kind, profile=profile, preference=preference, intent=intent,
                               excluded=excluded, limit=limit, now=now)
    if len(ranked) < limit:
        ranked += _popular_and_new(actor=actor, kind=kind, excluded=[*excluded, [item.listing_id for item in ranked]],
                                   limit=limit - len(ranked), now=now)
    return Feed(kind=kind, profile=profile_summary(kind=kind, profile=profile, preference=preference, intent=intent),
                items=_items(ranked))


def profile_summary(
    *, kind: str, profile: InterestProfile | None, preference: FeedPreference | None, intent: str
) -> dict[str, Any]:
    """What the feed knows about the person in one kind (the API's ``profile`` object)."""
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    inferred = profile.intent if profile else ""
    chosen = preference.intent if preference else ""
    return {
        "kind": kind,
        "personalized": profile is not None and profile.item_centroid is not None,
        "intent": intent if inferred or chosen else None,
        "intent_source": "yours" if chosen else ("inferred" if inferred else None),
        "target_price": {
            "sale": number(profile.target_price_sale) if profile else None,
            "rent": number(profile.target_price_rent) if profile else None,
        },
        "budget": {
            "sale": number(preference.budget_sale) if preference else None,
            "rent": number(preference.budget_rent) if preference else None,
        },
        "listings": profile.listings if profile else 0,
        "computed_at": profile.computed_at.isoformat() if profile else None,
    }


def _items(ranked: list[_Ranked]) -> list[FeedItem]:
    listings = listings_for_output([item.listing_id for item in ranked], statuses=(Status.ACTIVE,))
    return [FeedItem(listings[item.listing_id], item.score, item.reason) for item in ranked
            if item.listing_id in listings]


def feed_shelves(*, actor: Actor | None, limit: int) -> list[Feed]:
    """The home page's feeds, impressions logged: every kind a signed-in user has not switched off, and
    for an anonymous visitor only the kinds their history personalizes ("Recommended for you")."""
    if actor is None:
        return []
    switched_off = set(
        FeedPreference.objects.filter(user_id=actor.user_id, enabled=False).values_list("kind", flat=True)
    ) if actor.user_id is not None else set()
    shelves = []
    for kind in Kind.values:
        if kind in switched_off:
            continue
        feed = feed_build(actor=actor, kind=kind, limit=limit)
        if feed.items and (actor.user_id is not None or feed.profile["personalized"]):
            impressions_record(actor=actor, listing_ids=[item.listing.pk for item in feed.items], slot="home")
            shelves.append(feed)
    return shelves


@transaction.atomic
def impressions_record(*, actor: Actor, listing_ids: list[int], slot: str) -> int:
    """Log what was shown (and where) as impression interactions; they never count as interest.

    Committed without waiting for the disk: a crash may lose the last moments' impressions, which no
    one misses, and every feed request saves a WAL flush.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
    Interaction.objects.bulk_create([
        Interaction(user_id=actor.user_id, session_key=actor.session_key, listing_id=listing_id,
                    event=Event.IMPRESSION, context={"slot": slot, "position": position})
        for position, listing_id in enumerate(listing_ids, start=1)
    ])
    metrics.recommendations_served(slot=f"feed_{slot}", count=len(listing_ids))  # feed_home, feed_api
    return len(listing_ids)


def _excluded(*, actor: Actor) -> list[QuerySet[Any]]:
    """Subqueries of listing ids the actor must not be shown again: ones they interacted with (impressions
    aside) and ones they dismissed. Kept in SQL: a long history would otherwise travel as a long id list."""
    seen = Interaction.objects.filter(**actor.lookup).exclude(event=Event.IMPRESSION).order_by().values("listing_id")
    if actor.user_id is None:
        return [seen]
    return [seen, Dismissal.objects.filter(user_id=actor.user_id).order_by().values("listing_id")]


def _personalized(
    *, actor: Actor, kind: str, profile: InterestProfile, preference: FeedPreference | None, intent: str,
    excluded: list[QuerySet[Any]], limit: int, now: datetime,
) -> list[_Ranked]:
    count = min(max(CANDIDATES_PER_ITEM * limit, CANDIDATES_MIN), CANDIDATES_MAX)
    sequence = _sequence_opinion(actor=actor, kind=kind)
    search = _CandidateSearch(actor=actor, kind=kind, version_id=profile.version_id, offers=INTENT_OFFERS[intent],
                              excluded=excluded)
    rows = search.nearest(profile.item_centroid, count=count)
    if sequence is not None:
        # What the person is likely to look at next, wherever it lies from their centroid.
        found = {row[0] for row in rows}
        rows += [row for row in search.among(sequence.top(count // SEQUENCE_SHARE_OF_CANDIDATES, skip=found))
                 if row[0] not in found]
    if not rows:
        return []
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    dimensions = len(profile.text_centroid) if profile.text_centroid is not None else 0
    texts = dict(TextEmbedding.objects.filter(listing_id__in=ids.tolist()).values_list("listing_id", "vector")
                 ) if dimensions else {}
    items = Items(
        ids=ids,
        item_vectors=np.array([row[1] for row in rows], dtype=np.float64),
        text_vectors=np.array([texts.get(pk, np.zeros(dimensions)) for pk in ids.tolist()]) if dimensions else None,
        prices=np.array([float(row[2]) for row in rows]),
        offers=np.array([row[3] for row in rows], dtype=object),
        age_days=np.array([(now.timestamp() - row[4]) / 86_400 for row in rows]),
        coordinates=np.array([(row[5], row[6]) for row in rows], dtype=np.float64),
    )
    anchors = _anchors(profile=profile)
    budgets: dict[str, Decimal | None] = {offer: preference.budget(offer) if preference else None for offer in Offer.values}
    targets: dict[str, Decimal | None] = {
        Offer.SALE: budgets[Offer.SALE] or profile.target_price_sale,
        Offer.RENT: budgets[Offer.RENT] or profile.target_price_rent,
    }
    settings = conf.ranking_settings()
    scores = feed_scores(
        items, item_centroid=np.asarray(profile.item_centroid), text_centroid=_array(profile.text_centroid),
        target_prices={offer: None if value is None else float(value) for offer, value in targets.items()},
        intent=intent, places=anchors.places, settings=settings,
    )
    final, led = scores.score, np.zeros(len(ids), dtype=bool)
    if sequence is not None:
        affinity = sequence.affinity(ids)
        final = hybrid_scores(content=scores.score, affinity=affinity, weight=sequence.weight)
        led = sequence_led(content=scores.score, affinity=affinity, weight=sequence.weight)
    picked = diversify(final, items.item_vectors, limit=limit, diversity=settings.diversity)
    ranked = []
    for row, anchor in zip(picked.tolist(), anchors.titles_for(items.item_vectors[picked]), strict=True):
        offer = str(items.offers[row])
        target = targets[offer]
        ranked.append(_Ranked(int(ids[row]), float(final[row]), feed_reason(
            viewed_next_after=sequence.last_title if sequence is not None and led[row] else None,
            anchor_title=anchor,
            target_price=None if target is None else float(target),
            budget_is_set=budgets[offer] is not None,
            per_month=offer == Offer.RENT,
            price_fits=bool(scores.price_fit[row] >= settings.price_decay),
            is_new=bool(items.age_days[row] <= NEW_DAYS),
        )))
    return ranked


@dataclass(frozen=True)
class _CandidateSearch:
    """Active listings of ``kind`` the actor may be shown (offers of their intent, nothing excluded, not
    their own) with an item embedding of ``version_id``, as rows (id, vector, price, offer, published at in
    epoch seconds, lat, lon)."""

    actor: Actor
    kind: str
    version_id: int | None
    offers: tuple[str, ...]
    excluded: list[QuerySet[Any]]

    def _queryset(self) -> QuerySet[Any]:
        queryset = ItemEmbedding.objects.filter(
            version_id=self.version_id, listing__kind=self.kind, listing__status=Status.ACTIVE,
            listing__offer__in=self.offers,
        )
        for ids in self.excluded:
            queryset = queryset.exclude(listing_id__in=ids)
        if self.actor.user_id is not None:
            queryset = queryset.exclude(listing__seller_id=self.actor.user_id)
        published = Extract(Coalesce("listing__published_at", "listing__created_at"), "epoch")
        return queryset.annotate(published=Cast(published, FloatField()))

    def _rows(self, queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
        return list(queryset.values_list("listing_id", "vector", "listing__price", "listing__offer", "published",
                                         "listing__lat", "listing__lon"))

    def nearest(self, centroid: Any, *, count: int) -> list[tuple[Any, ...]]:
        """The ``count`` nearest to ``centroid`` by HNSW; iterative scans keep the filters from starving
        the search."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = {count:d}")
            return self._rows(self._queryset().order_by(CosineDistance("vector", centroid))[:count])

    def among(self, listing_ids: list[int]) -> list[tuple[Any, ...]]:
        """Those of ``listing_ids`` that qualify, in no particular order."""
        if not listing_ids:
            return []
        return self._rows(self._queryset().filter(listing_id__in=listing_ids).order_by())


@dataclass(frozen=True)
class _SequenceOpinion:
    """The next-item model's view of one person: ``affinity_by_item`` over the items it learned
    (``item_ids``; any other listing is the content ranker's alone), the blend ``weight`` of its version,
    and the title of the last listing they looked at."""

    item_ids: np.ndarray
    affinity_by_item: np.ndarray
    weight: float
    last_title: str

    def affinity(self, listing_ids: np.ndarray) -> np.ndarray:
        """(q,) affinity of each listing; 0 for listings the model does not know (content alone)."""
        positions, found = positions_in(self.item_ids, listing_ids)
        return np.where(found, self.affinity_by_item[positions], 0.0)

    def top(self, count: int, *, skip: set[int]) -> list[int]:
        """Up to ``count`` listing ids the model expects most, best first, none of ``skip``, affinity > 0."""
        # Only the best few are looked at: a partial sort, never the whole vocabulary (a million at scale).
        wanted = min(count + len(skip), len(self.affinity_by_item))
        if not wanted:
            return []
        best = np.argpartition(-self.affinity_by_item, wanted - 1)[:wanted]
        order = best[np.argsort(-self.affinity_by_item[best], kind="stable")]
        chosen: list[int] = []
        for position in order.tolist():
            if len(chosen) == count or self.affinity_by_item[position] <= 0:
                break
            listing_id = int(self.item_ids[position])
            if listing_id not in skip:
                chosen.append(listing_id)
        return chosen


def _sequence_opinion(*, actor: Actor, kind: str) -> _SequenceOpinion | None:
    """None without an active next-item model for ``kind``, a zero blend weight, or a recent history of
    listings the model knows (the current anonymous session counts: its interactions are the actor's)."""
    version = version_active(kind=kind, algorithm=Algorithm.SASREC)
    weight = float(version.params.get(BLEND_WEIGHT, 0.0)) if version is not None else 0.0
    if version is None or weight <= 0:
        return None
    model = sequence_model(version=version)
    recent = list(
        Interaction.objects.filter(**actor.lookup, listing__kind=kind).exclude(event=Event.IMPRESSION)
        .order_by("-created_at", "-id").values_list("listing_id", "listing__title")[: model.config.max_length]
    )[::-1]
    history = np.array([listing_id for listing_id, _ in recent], dtype=np.int64)
    if not len(history) or not model.known(history).any():
        return None
    logits = model.known_scores(history)
    affinity = sequence_affinity(logits, np.ones(len(logits), dtype=bool))
    return _SequenceOpinion(item_ids=model.known_item_ids, affinity_by_item=affinity, weight=weight,
                            last_title=recent[-1][1])


@dataclass(frozen=True)
class _Anchors:
    """The person's listings of highest interest: ``places`` (m, 2) where they are, and the titles and
    item vectors of those with an embedding, for "Because you viewed …"."""

    places: np.ndarray
    titles: list[str]
    vectors: np.ndarray

    def titles_for(self, vectors: np.ndarray) -> list[str | None]:
        """For each row of ``vectors``, the title of the anchor it most resembles, if it really does."""
        if not self.titles or not len(vectors):
            return [None] * len(vectors)
        best, similarity = anchors_pick(vectors, self.vectors)
        return [self.titles[index] if cosine >= ANCHOR_MIN_COSINE else None
                for index, cosine in zip(best.tolist(), similarity.tolist(), strict=True)]


def _anchors(*, profile: InterestProfile) -> _Anchors:
    embedding = ItemEmbedding.objects.filter(version_id=profile.version_id, listing_id=OuterRef("pk"))
    rows = list(
        Listing.objects.filter(pk__in=[int(pair[0]) for pair in profile.anchors])
        .annotate(vector=Subquery(embedding.values("vector")[:1], output_field=VectorField()))
        .order_by("pk")
        .values_list("title", "lat", "lon", "vector")
    )
    places = np.array([(lat, lon) for _, lat, lon, _ in rows if lat is not None and lon is not None],
                      dtype=np.float64).reshape(-1, 2)
    embedded = [(title, vector) for title, _, _, vector in rows if vector is not None]
    return _Anchors(places=places, titles=[title for title, _ in embedded],
                    vectors=np.array([vector for _, vector in embedded], dtype=np.float64))


def _popular_and_new(
    *, actor: Actor | None, kind: str, excluded: list[QuerySet[Any] | list[int]], limit: int, now: datetime
) -> list[_Ranked]:
    """Trending (interaction-weighted, last ``FEED_TRENDING_DAYS``) interleaved with the newest listings."""
    if limit <= 0:
        return []
    since = now - timedelta(days=conf.trending_days())
    available = Q(listing__kind=kind, listing__status=Status.ACTIVE)
    if actor is not None and actor.user_id is not None:
        available &= ~Q(listing__seller_id=actor.user_id)
    event_weights = conf.event_weights()
    weights = [When(event=event, then=Value(weight)) for event, weight in event_weights.items() if weight > 0]
    # An unfavorite takes its favorite back, as in the interest scores: toggling cannot push a listing up.
    weights += [When(event=cancelling, then=Value(-event_weights.get(cancelled, 0.0)))
                for cancelling, cancelled in CANCELLATIONS.items()]
    recent = Interaction.objects.filter(available, created_at__gte=since, created_at__lte=now)
    newest_rows = Listing.objects.filter(kind=kind, status=Status.ACTIVE, published_at__gte=since)
    for ids in excluded:
        recent = recent.exclude(listing_id__in=ids)
        newest_rows = newest_rows.exclude(pk__in=ids)
    trending = list(
        recent
        .values("listing_id")
        .annotate(weight=Sum(Case(*weights, default=Value(0.0), output_field=FloatField())))
        .filter(weight__gt=0)
        .order_by("-weight", "listing_id")
        .values_list("listing_id", "weight")[:limit]
    )
    if actor is not None and actor.user_id is not None:
        newest_rows = newest_rows.exclude(seller_id=actor.user_id)
    newest = list(
        newest_rows.order_by("-published_at", "-pk").values_list("pk", "published_at")[:limit]
    )

    def freshness(published: datetime | None) -> float:
        age = (now - published).total_seconds() if published else 0.0  # never None: published_at >= since
        return 0.5 ** (age / 86_400 / NEW_DAYS)

    top = max((weight for _, weight in trending), default=1.0)
    new_ids = {pk for pk, _ in newest}
    popular = [_Ranked(pk, weight / top, "Popular this week" + (" · New this week" if pk in new_ids else ""))
               for pk, weight in trending]
    fresh = [_Ranked(pk, float(freshness(published)), "New this week") for pk, published in newest]
    blended: list[_Ranked] = []
    for pair in zip_longest(popular, fresh):
        for item in pair:
            if item is not None and item.listing_id not in {chosen.listing_id for chosen in blended}:
                blended.append(item)
    return blended[:limit]


def _array(value: Any) -> np.ndarray | None:
    return None if value is None else np.asarray(value, dtype=np.float64)
