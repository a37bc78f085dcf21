"""The personalized feed: profiles from interactions, ranking and reasons, exclusions, cold start, the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Event, Interaction, Listing, Offer, Status
from listings.services import interaction_record
from recommendations.actors import Actor
from recommendations.ml.sequence import SequenceConfig, sequence_train
from recommendations.models import (
    Dismissal,
    FeedPreference,
    InterestProfile,
    ItemEmbedding,
    ProfileRefreshMark,
)
from recommendations.services import feed, profiles, sequences
from registry.artifacts import artifact_dir
from registry.models import ModelVersion
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db

FEED_URL = "/api/feed/"
MONTH_AGO = timedelta(days=30)


def _embed(version: ModelVersion, listing: Listing, *head: float) -> None:
    ItemEmbedding.objects.create(version=version, listing=listing, vector=[*head, *[0.0] * (10 - len(head))],
                                 embedded_at=timezone.now())


@pytest.fixture
def version(db) -> ModelVersion:
    return ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True)


@pytest.fixture
def homes(version: ModelVersion, buyer: User) -> dict[str, Listing]:
    """A, which the buyer views, and candidates whose places in the feed are known by construction."""
    published = timezone.now() - MONTH_AGO
    made = {
        "viewed": HomeFactory(title="12 Oak St", price=Decimal(250_000), published_at=published),
        "near": HomeFactory(title="14 Oak St", price=Decimal(260_000), published_at=published),
        "far": HomeFactory(title="1 Far Rd", price=Decimal(250_000), published_at=published),
        "pricey": HomeFactory(title="9 Hill Ave", price=Decimal(500_000), published_at=published),
        "rental": HomeFactory(title="3 Rent Ln", offer=Offer.RENT, price=Decimal(2_000), published_at=published),
        "own": HomeFactory(title="Buyer's own", seller=buyer, published_at=published),
        "dismissed": HomeFactory(title="Dismissed", published_at=published),
        "sold": HomeFactory(title="Sold", status=Status.SOLD, published_at=published),
    }
    vectors = {"viewed": (1, 0), "near": (1, 0.05), "far": (0, 1), "pricey": (1, 0), "rental": (1, 0),
               "own": (1, 0), "dismissed": (1, 0), "sold": (1, 0)}
    for name, listing in made.items():
        _embed(version, listing, *vectors[name])
    Dismissal.objects.create(user=buyer, listing=made["dismissed"])
    return made


def _ids(result: feed.Feed) -> list[int]:
    return [item.listing.pk for item in result.items]


def _view(user: User, listing: Listing) -> None:
    interaction_record(listing=listing, event=Event.VIEW, user=user)


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


@pytest.fixture
def next_item_model(settings: Any, tmp_path: Any, homes: dict[str, Listing]) -> ModelVersion:
    """An active next-item model, blend weight 0.6, that learned "after 12 Oak St people open 1 Far Rd"
    (and "after 1 Far Rd, 9 Hill Ave"); 14 Oak St is in its vocabulary but nobody opened it in training."""
    settings.DATA_DIR = tmp_path
    viewed, far, pricey = homes["viewed"].pk, homes["far"].pk, homes["pricey"].pk
    item_ids = np.array(sorted(listing.pk for listing in homes.values()))
    model, _ = sequence_train([np.array([viewed, far, pricey])] * 20, item_ids=item_ids, config=SequenceConfig(
        max_length=5, hidden=16, blocks=1, heads=1, dropout=0.0, negatives=4, batch_size=8, learning_rate=1e-2,
        max_epochs=30, val_fraction=0.0, seed=1, device="cpu",
    ))
    version = ModelVersion.objects.create(kind="home", algorithm="sasrec", status="ready", active=True,
                                          params={"blend_weight": 0.6})
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True)
    model.save(directory / sequences.SEQUENCE_FILE)
    version.artifact_path = str(directory.relative_to(tmp_path / "models"))
    version.save(update_fields=["artifact_path"])
    return version


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


def test_it_personalizes_an_anonymous_session_from_its_first_view(homes: dict[str, Listing]) -> None:
    client = APIClient()
    client.get(homes["viewed"].get_absolute_url())

    body = client.get(FEED_URL, {"kind": "home", "limit": 1}).json()

    assert body["profile"]["personalized"] is True
    assert [item["listing"]["id"] for item in body["results"]] == [homes["near"].pk]


def test_it_gives_the_anonymous_history_to_the_account_signed_up(client: Client, homes: dict[str, Listing]) -> None:
    client.get(homes["viewed"].get_absolute_url())

    client.post("/accounts/signup/", {"username": "newbie", "email": "newbie@example.com",
                                      "password1": "a long enough secret 42", "password2": "a long enough secret 42"})

    newbie = User.objects.get(username="newbie")
    assert list(Interaction.objects.filter(listing=homes["viewed"]).values_list("user_id", "session_key")) == [
        (newbie.pk, "")
    ]
    result = feed.feed_build(actor=Actor(user_id=newbie.pk), kind="home", limit=1)
    assert _ids(result) == [homes["near"].pk]


def test_it_gives_the_anonymous_history_to_the_account_logged_in(client: Client, homes: dict[str, Listing]) -> None:
    UserFactory(username="returning")
    client.get(homes["viewed"].get_absolute_url())

    client.post("/accounts/login/", {"username": "returning", "password": "correct horse battery staple"})

    assert Interaction.objects.get(listing=homes["viewed"]).user.username == "returning"


def test_it_answers_the_feed_api_and_logs_impressions(
    api_client: APIClient, buyer: User, homes: dict[str, Listing]
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)

    body = api_client.get(FEED_URL, {"kind": "home", "limit": 2}).json()

    assert set(body) == {"profile", "results"}
    assert [(item["listing"]["title"], set(item)) for item in body["results"]] == [
        ("14 Oak St", {"listing", "score", "reason"}), ("1 Far Rd", {"listing", "score", "reason"}),
    ]
    assert list(Interaction.objects.filter(user=buyer, event=Event.IMPRESSION).order_by("id").values_list(
        "listing_id", "context")) == [
        (homes["near"].pk, {"slot": "api", "position": 1}), (homes["far"].pk, {"slot": "api", "position": 2}),
    ]
    # Impressions are not interest: they neither mark the profile stale nor hide what was shown.
    assert not ProfileRefreshMark.objects.exists()
    again = api_client.get(FEED_URL, {"kind": "home", "limit": 2}).json()
    assert [item["listing"]["id"] for item in again["results"]] == [homes["near"].pk, homes["far"].pk]


def test_it_never_answers_another_users_feed(api_client: APIClient, buyer: User, homes: dict[str, Listing]) -> None:
    _view(buyer, homes["viewed"])
    stranger = UserFactory(username="stranger")
    api_client.force_authenticate(stranger)

    body = api_client.get(FEED_URL, {"kind": "home", "user": buyer.pk, "user_id": buyer.pk}).json()

    assert body["profile"]["personalized"] is False
    assert body["profile"]["target_price"] == {"sale": None, "rent": None}
    assert InterestProfile.objects.filter(user=stranger, kind="home").values_list("listings", flat=True).get() == 0


@pytest.mark.parametrize(("params", "field"), [({"kind": "boat"}, "kind"), ({"limit": 0}, "limit"),
                                               ({"limit": 51}, "limit")])
def test_it_rejects_bad_feed_parameters(api_client: APIClient, params: dict[str, Any], field: str) -> None:
    response = api_client.get(FEED_URL, params)

    assert (response.status_code, list(response.json())) == (400, [field])


def test_it_debounces_profile_refreshes(buyer: User, homes: dict[str, Listing], django_capture_on_commit_callbacks: Any
                                        ) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _view(buyer, homes["viewed"])
        _view(buyer, homes["near"])
        interaction_record(listing=homes["far"], event=Event.IMPRESSION, user=buyer)

    assert (len(callbacks), list(ProfileRefreshMark.objects.values_list("actor", flat=True))) == (
        1, [f"user:{buyer.pk}"]
    )
    refreshed = profiles.profiles_refresh(actor=Actor(user_id=buyer.pk))
    assert [(profile.kind, profile.listings) for profile in refreshed] == [("home", 2), ("car", 0)]
    assert not ProfileRefreshMark.objects.exists()


def test_it_recomputes_a_stale_profile_on_read(buyer: User, homes: dict[str, Listing]) -> None:
    actor = Actor(user_id=buyer.pk)
    _view(buyer, homes["viewed"])
    first = profiles.profile_current(actor=actor, kind="home")
    assert (first.listings, ProfileRefreshMark.objects.exists()) == (1, False)

    _view(buyer, homes["pricey"])
    second = profiles.profile_current(actor=actor, kind="home")

    assert (second.pk, second.listings, second.target_price_sale) == (first.pk, 2, Decimal(375_000))


def test_it_shows_the_feed_on_the_home_page_with_reasons(client: Client, buyer: User, homes: dict[str, Listing]
                                                         ) -> None:
    _view(buyer, homes["viewed"])
    client.force_login(buyer)

    content = client.get("/").content.decode()

    assert "Recommended homes for you" in content
    assert "Because you viewed 12 Oak St · Near the ~$250k you have been viewing" in content
    assert Interaction.objects.filter(user=buyer, event=Event.IMPRESSION, context__slot="home").count() == 3


def test_it_shows_anonymous_visitors_a_feed_only_once_they_have_history(
    client: Client, homes: dict[str, Listing]
) -> None:
    assert "Recommended homes for you" not in client.get("/").content.decode()

    client.get(homes["viewed"].get_absolute_url())

    assert "Recommended homes for you" in client.get("/").content.decode()


def test_it_answers_the_feed_in_a_fixed_number_of_queries(
    api_client: APIClient, buyer: User, homes: dict[str, Listing], django_assert_num_queries: Any
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)
    api_client.get(FEED_URL)  # the profile is computed once

    # preferences, profile (+ its mark), next-item model version, savepoint, index settings, candidates,
    # release, anchors, listings with their sellers and photos, impressions (savepoint, asynchronous commit,
    # insert, release); two more (popular, new) only when candidates run short
    with django_assert_num_queries(13):
        api_client.get(FEED_URL, {"kind": "home", "limit": 3})
    with django_assert_num_queries(15):
        api_client.get(FEED_URL, {"kind": "home", "limit": 4})


def test_it_blends_the_next_item_model_in_two_more_queries(
    api_client: APIClient, buyer: User, homes: dict[str, Listing], next_item_model: ModelVersion,
    django_assert_num_queries: Any,
) -> None:
    _view(buyer, homes["viewed"])
    api_client.force_authenticate(buyer)
    api_client.get(FEED_URL)

    # the person's recent sequence, and the model's candidates that qualify
    with django_assert_num_queries(15):
        api_client.get(FEED_URL, {"kind": "home", "limit": 3})


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
