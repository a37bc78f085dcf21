"""``evaluate_recommenders`` on a small trained catalogue: the documented JSON, exact metrics where the
answer is known, and loud failures."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from listings.models import Listing, Offer, Status
from recommendations.ml.autoencoder import DEFAULT_CONFIG
from recommendations.models import SimulatedUser
from recommendations.services import encoder
from tests.factories import CarFactory, HomeFactory, InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db

SMALL = dataclasses.replace(DEFAULT_CONFIG, max_epochs=3, batch_size=16)
CITIES = [("Ponce", "PR", 18.01, -66.61), ("San Juan", "PR", 18.45, -66.06), ("Miami", "FL", 25.77, -80.19),
          ("Austin", "TX", 30.27, -97.74)]
ALGORITHMS = {"random", "popularity", "itemknn", "content", "feed", "sasrec", "hybrid"}


@pytest.fixture
def catalogue() -> dict[str, list[Listing]]:
    """A home published just now (after every interaction), 20 assorted homes, 3 identical twins far from
    them, and a sold home, published two months ago: 24 recommendable."""
    late = HomeFactory()
    published_at = timezone.now() - timedelta(days=60)
    homes = []
    for index in range(20):
        city, state, lat, lon = CITIES[index % len(CITIES)]
        homes.append(HomeFactory(
            title=f"{2 + index % 3} bd house #{index} in {city}", city=city, state=state, lat=lat, lon=lon,
            price=Decimal(80_000 + 13_000 * index), bed=2 + index % 3, house_size=900 + 37 * index,
            acre_lot=0.1 + 0.01 * index, published_at=published_at,
        ))
    twins = [HomeFactory(title="Lakeside mansion", description="Ten bedrooms on the lake.", city="Duluth",
                         state="MN", lat=46.79, lon=-92.1, price=Decimal(2_500_000), bed=10, bath=Decimal(8),
                         house_size=9000, acre_lot=5.0, published_at=published_at) for _ in range(3)]
    sold = HomeFactory(status=Status.SOLD, published_at=published_at)
    return {"late": [late], "homes": homes, "twins": twins, "sold": [sold]}


@pytest.fixture
def trained(catalogue: dict[str, list[Listing]]) -> dict[str, list[Listing]]:
    encoder.encoder_retrain(kind="home", config=SMALL)
    return catalogue


def viewed(user: User, listings: list[Listing], *, event: str = "view") -> None:
    """One event per listing, an hour apart, ending a day ago."""
    start = timezone.now() - timedelta(days=1, hours=len(listings))
    for hour, listing in enumerate(listings):
        InteractionFactory(user=user, listing=listing, event=event, created_at=start + timedelta(hours=hour))


def evaluate(*args: str) -> dict:
    out = StringIO()
    call_command("evaluate_recommenders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_reports_the_documented_shape_over_users_with_two_listings(trained: dict[str, list[Listing]]) -> None:
    homes, twins = trained["homes"], trained["twins"]
    viewed(UserFactory(), [*twins])
    viewed(UserFactory(), homes[:3])
    viewed(UserFactory(), homes[3:4])  # one listing: nothing to hold out
    viewed(UserFactory(), homes[4:8], event="impression")  # impressions are not interest
    InteractionFactory(user=None, session_key="anonymous", listing=homes[9])
    InteractionFactory(user=None, session_key="anonymous", listing=homes[10])

    report = evaluate("--k", "5")

    assert set(report) == {"users", "items", "intent_accuracy", "algorithms"}
    assert (report["users"], report["items"], report["intent_accuracy"]) == (2, 24, None)
    assert set(report["algorithms"]) == ALGORITHMS
    for metrics in report["algorithms"].values():
        assert set(metrics) == {"hr@5", "ndcg@5", "precision@5", "recall@5", "mrr", "coverage"}
        assert all(isinstance(value, float) and 0 <= value <= 1 for value in metrics.values())


def test_it_finds_the_twin_of_what_a_user_viewed_first_by_content_and_feed(
    trained: dict[str, list[Listing]],
) -> None:
    homes, twins = trained["homes"], trained["twins"]
    twin_viewer = UserFactory()
    viewed(twin_viewer, twins)  # the third twin is held out
    one_listing = UserFactory()
    viewed(one_listing, homes[:1])
    SimulatedUser.objects.create(user=twin_viewer, archetype="buyer", intents={"home": "buyer", "car": "renter"},
                                 seed=1)
    SimulatedUser.objects.create(user=one_listing, archetype="renter", intents={"home": "renter"}, seed=1)

    report = evaluate("--kind", "home")

    exact = {"hr@10": 1.0, "ndcg@10": 1.0, "precision@10": 0.1, "recall@10": 1.0, "mrr": 1.0,
             "coverage": pytest.approx(10 / 24)}
    assert (report["users"], report["items"]) == (1, 24)
    assert report["algorithms"]["content"] == exact
    assert report["algorithms"]["feed"] == exact
    # One user cannot validate SASRec: the hybrid keeps the feed's ranking (blend weight 0).
    assert report["algorithms"]["hybrid"] == exact
    # Nobody else interacted: every other listing scores 0, ranked by id. The late listing (the lowest id)
    # is not ranked, as it was published after the held-out view: the twin comes 21st of 21.
    baseline = {"hr@10": 0.0, "ndcg@10": 0.0, "precision@10": 0.0, "recall@10": 0.0, "mrr": pytest.approx(1 / 21),
                "coverage": pytest.approx(10 / 24)}
    assert report["algorithms"]["popularity"] == baseline
    assert report["algorithms"]["itemknn"] == baseline
    # The buyer is inferred a buyer; the one who viewed a sale listing is not a renter. Cars are not evaluated.
    assert report["intent_accuracy"] == 0.5


def test_it_prints_a_table_with_novelty(trained: dict[str, list[Listing]]) -> None:
    viewed(UserFactory(), trained["twins"])
    out = StringIO()

    call_command("evaluate_recommenders", "--k", "3", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "users 1, items 24, intent accuracy n/a"
    assert lines[1].split() == ["algorithm", "hr@3", "ndcg@3", "precision@3", "recall@3", "mrr", "coverage", "novelty"]
    assert [line.split()[0] for line in lines[2:]] == ["random", "popularity", "itemknn", "content", "feed", "sasrec",
                                                       "hybrid"]
    assert lines[5].split()[1:6] == ["1.0000", "1.0000", "0.3333", "1.0000", "1.0000"]


def test_it_fails_without_an_active_encoder_for_a_kind_with_users(catalogue: dict[str, list[Listing]]) -> None:
    viewed(UserFactory(), catalogue["homes"][:2])

    with pytest.raises(CommandError, match="No active home encoder: run train_encoder --kind home first"):
        evaluate()


def test_it_fails_without_users_to_hold_out(trained: dict[str, list[Listing]]) -> None:
    viewed(UserFactory(), trained["homes"][:1])
    viewed(UserFactory(), [CarFactory(), CarFactory(offer=Offer.RENT)])

    with pytest.raises(CommandError, match="No signed-in user has interacted with two listings"):
        evaluate("--kind", "home")
