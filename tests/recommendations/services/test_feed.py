"""The personalized feed: ranking and reasons, exclusions, diversity, the next-item blend, preferences, cold start."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from listings.models import Event, Interaction, Listing
from listings.services import interaction_record
from recommendations.actors import Actor
from recommendations.models import FeedPreference
from recommendations.services import feed
from registry.models import ModelVersion
from tests.factories import HomeFactory, UserFactory
from tests.recommendations.conftest import MONTH_AGO, _embed, _ids, _view

pytestmark = pytest.mark.django_db


def test_it_ranks_by_similarity_and_price_and_explains_each_item(
    settings: Any, buyer: User, homes: dict[str, Listing]
) -> None:
    settings.FEED_DIVERSITY = 0.0
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10)

    assert [(item.listing.title, item.reason) for item in result.items] == [
        ("14 Oak St", "Because you viewed 12 Oak St · Near the ~$250k you have been viewing"),
        ("9 Hill Ave", "Because you viewed 12 Oak St"),
        ("1 Far Rd", "Near the ~$250k you have been viewing"),
    ]
    # cos((1, .05), (1, 0)) × 0.5 ** ((10k / 250k / 20 %)²) × (1 + 0.1 × 0.5 ** (30 / 7))
    expected = 1 / 1.0025 ** 0.5 * 0.5 ** 0.04 * (1 + 0.1 * 0.5 ** (30 / 7))
    assert [item.score for item in result.items] == [pytest.approx(expected), pytest.approx(0.0, abs=1e-6),
                                                     pytest.approx(0.0)]
    assert result.profile == {
        "kind": "home", "personalized": True, "intent": "buyer", "intent_source": "inferred",
        "target_price": {"sale": 250_000.0, "rent": None}, "budget": {"sale": None, "rent": None},
        "listings": 1, "computed_at": result.profile["computed_at"],
    }


def test_it_never_shows_seen_own_dismissed_sold_or_excluded_offers(buyer: User, homes: dict[str, Listing]) -> None:
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10)

    assert set(_ids(result)) == {homes["near"].pk, homes["far"].pk, homes["pricey"].pk}


def test_it_diversifies_the_page(buyer: User, homes: dict[str, Listing]) -> None:
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10)

    # "pricey" outscores "far" a little but is a near copy of "near": diversity puts "far" before it.
    assert _ids(result) == [homes["near"].pk, homes["far"].pk, homes["pricey"].pk]


def test_it_blends_in_what_people_looked_at_next_and_says_so(
    settings: Any, buyer: User, homes: dict[str, Listing], next_item_model: ModelVersion
) -> None:
    settings.FEED_DIVERSITY = 0.0
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=3)

    # 1 Far Rd: the model's favourite (affinity 1), content cosine 0: 0.6 × 1 + 0.4 × 0.
    first, second = result.items[:2]
    assert (first.listing.title, first.reason) == (
        "1 Far Rd", "People who viewed 12 Oak St next looked at this · Near the ~$250k you have been viewing",
    )
    assert first.score == pytest.approx(0.6)
    assert second.listing.title == "14 Oak St"


def test_it_reads_the_anonymous_sessions_sequence(
    settings: Any, homes: dict[str, Listing], next_item_model: ModelVersion
) -> None:
    settings.FEED_DIVERSITY = 0.0
    interaction_record(listing=homes["viewed"], event=Event.VIEW, session_key="anonymous-1")
    interaction_record(listing=homes["far"], event=Event.VIEW, session_key="anonymous-1")

    result = feed.feed_build(actor=Actor(session_key="anonymous-1"), kind="home", limit=1)

    assert [(item.listing.title, item.reason) for item in result.items] == [
        ("9 Hill Ave", "People who viewed 1 Far Rd next looked at this"),
    ]


def test_it_keeps_the_content_ranking_when_the_blend_weight_is_zero(
    settings: Any, buyer: User, homes: dict[str, Listing], next_item_model: ModelVersion
) -> None:
    settings.FEED_DIVERSITY = 0.0
    next_item_model.params = {"blend_weight": 0.0}
    next_item_model.save(update_fields=["params"])
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10)

    assert [item.listing.title for item in result.items] == ["14 Oak St", "9 Hill Ave", "1 Far Rd"]


def test_it_lets_the_users_budget_win_over_the_inferred_target(buyer: User, homes: dict[str, Listing]) -> None:
    FeedPreference.objects.create(user=buyer, kind="home", budget_sale=Decimal(500_000))
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=1)

    assert [(item.listing.title, item.reason) for item in result.items] == [
        ("9 Hill Ave", "Because you viewed 12 Oak St · Within your ~$500k budget"),
    ]
    assert result.profile["budget"] == {"sale": 500_000.0, "rent": None}


def test_it_lets_the_users_intent_win_over_the_inferred_one(buyer: User, homes: dict[str, Listing]) -> None:
    FeedPreference.objects.create(user=buyer, kind="home", intent="renter")
    _view(buyer, homes["viewed"])

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10)

    assert _ids(result) == [homes["rental"].pk]
    assert (result.profile["intent"], result.profile["intent_source"]) == ("renter", "yours")


def test_it_gives_newcomers_popular_and_new_listings(homes: dict[str, Listing], buyer: User) -> None:
    others = [UserFactory() for _ in range(3)]
    for user in others:
        Interaction.objects.create(user=user, listing=homes["far"], event=Event.VIEW)
    Interaction.objects.create(user=others[0], listing=homes["near"], event=Event.VIEW)
    Interaction.objects.create(user=others[0], listing=homes["near"], event=Event.IMPRESSION)
    Interaction.objects.create(user=others[0], listing=homes["pricey"], event=Event.VIEW,
                               created_at=timezone.now() - timedelta(days=8))
    fresh = HomeFactory(title="Just listed")

    result = feed.feed_build(actor=None, kind="home", limit=10)

    assert [(item.listing.title, item.reason) for item in result.items] == [
        ("1 Far Rd", "Popular this week"), ("Just listed", "New this week"), ("14 Oak St", "Popular this week"),
    ]
    assert result.profile["personalized"] is False
    assert fresh.pk in _ids(feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=10))


def test_toggling_a_favorite_does_not_make_a_listing_trending(homes: dict[str, Listing]) -> None:
    Interaction.objects.create(user=UserFactory(), listing=homes["far"], event=Event.VIEW)
    toggler = UserFactory()
    for _ in range(5):
        Interaction.objects.create(user=toggler, listing=homes["near"], event=Event.FAVORITE)
        Interaction.objects.create(user=toggler, listing=homes["near"], event=Event.UNFAVORITE)

    result = feed.feed_build(actor=None, kind="home", limit=10)

    assert [(item.listing.title, item.reason) for item in result.items] == [("1 Far Rd", "Popular this week")]


def test_it_prefers_listings_near_where_the_person_looks(
    settings: Any, version: ModelVersion, buyer: User
) -> None:
    settings.FEED_DIVERSITY = 0.0
    published = timezone.now() - MONTH_AGO
    viewed = HomeFactory(title="Ponce home", published_at=published)
    across_the_sea = HomeFactory(title="Miami twin", city="Miami", state="FL", lat=25.77, lon=-80.19,
                                 published_at=published)
    next_door = HomeFactory(title="Ponce twin", published_at=published)
    for listing in (viewed, across_the_sea, next_door):
        _embed(version, listing, 1, 0)
    _view(buyer, viewed)

    result = feed.feed_build(actor=Actor(user_id=buyer.pk), kind="home", limit=2)

    assert [item.listing.title for item in result.items] == ["Ponce twin", "Miami twin"]
    assert result.items[1].score == pytest.approx(0.0, abs=1e-12)
