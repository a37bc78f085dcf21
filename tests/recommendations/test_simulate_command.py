"""``simulate_interactions`` on a small factory catalogue: users, ground truth and interactions written
once per seed, only on recommendable listings, and loud refusals."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from listings.models import Interaction, Listing, Offer, Status
from recommendations.models import SimulatedUser
from tests.factories import CarFactory, HomeFactory

pytestmark = pytest.mark.django_db

CITIES = [("Ponce", "PR", 18.01, -66.61), ("San Juan", "PR", 18.45, -66.06), ("Austin", "TX", 30.27, -97.74)]
# 20 people split by the archetype shares (largest remainders).
TWENTY = {"first_time_buyer": 4, "luxury_buyer": 1, "family_buyer": 4, "renter": 4, "investor": 2,
          "car_shopper": 3, "hybrid_home_car": 2}


@pytest.fixture
def catalogue() -> dict[str, list[Listing]]:
    """30 homes for sale, 12 rentals, 12 cars and a pending home (55 recommendable), all on the market
    for 90 days; a sold, a withdrawn and a draft home that nobody may see."""
    listed = timezone.now() - timedelta(days=90)
    shown = []
    for index in range(42):
        city, state, lat, lon = CITIES[index % len(CITIES)]
        rental = index >= 30
        shown.append(HomeFactory(
            city=city, state=state, lat=lat, lon=lon, bed=1 + index % 5, published_at=listed,
            offer=Offer.RENT if rental else Offer.SALE,
            price=Decimal(900 + 150 * (index - 30)) if rental else Decimal(80_000 + 13_000 * index),
        ))
    shown += [CarFactory(price=Decimal(5_000 + 2_500 * index), published_at=listed) for index in range(12)]
    shown.append(HomeFactory(status=Status.PENDING, published_at=listed))
    hidden = [HomeFactory(status=status, published_at=listed)
              for status in (Status.SOLD, Status.WITHDRAWN, Status.DRAFT)]
    return {"shown": shown, "hidden": hidden}


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate_interactions", *args, stdout=out)
    return out.getvalue()


def seed_users(seed: int) -> list[User]:
    users = User.objects.filter(username__startswith=f"sim-{seed}-")
    return sorted(users, key=lambda user: int(user.username.rsplit("-", 1)[1]))


def test_it_creates_the_users_with_their_ground_truth_and_interactions(catalogue: dict[str, list[Listing]]) -> None:
    began = timezone.now()

    output = simulate("--users", "20", "--days", "14", "--seed", "7")

    users = seed_users(7)
    assert [user.username for user in users] == [f"sim-7-{index}" for index in range(20)]
    assert [user.has_usable_password() for user in users] == [False] * 20
    truths = SimulatedUser.objects.filter(seed=7)
    assert Counter(truths.values_list("archetype", flat=True)) == TWENTY
    assert {truth.user_id for truth in truths} == {user.pk for user in users}
    assert {(truth.archetype, tuple(truth.intents.items())) for truth in truths
            if truth.archetype in ("car_shopper", "investor")} == {
        ("car_shopper", (("car", "buyer"),)), ("investor", (("home", "hybrid"),)),
    }
    interactions = Interaction.objects.filter(user__in=users)
    assert set(interactions.values_list("listing_id", flat=True)) <= {listing.pk for listing in catalogue["shown"]}
    assert Interaction.objects.filter(listing__in=catalogue["hidden"]).count() == 0
    assert interactions.filter(created_at__lt=began - timedelta(days=14)).count() == 0
    assert interactions.filter(created_at__gt=timezone.now()).count() == 0
    lines = output.splitlines()
    assert lines[0].startswith(f"Simulated 20 users over 14 days (seed 7, {began - timedelta(days=14):%Y-%m-%d}")
    assert lines[1:9] == ["Users per archetype:"] + [
        f"  {name:<20}{count:>10,}" for name, count in sorted(TWENTY.items(), key=lambda item: (-item[1], item[0]))
    ]
    per_event = Counter(interactions.values_list("event", flat=True))
    assert lines[9] == "Interactions per event:"
    assert sorted(lines[10:]) == sorted(f"  {event:<20}{count:>10,}" for event, count in per_event.items())


def test_it_records_where_views_came_from_and_where_clicks_were_on_the_page(
    catalogue: dict[str, list[Listing]],
) -> None:
    simulate("--users", "10", "--days", "7", "--seed", "3")

    interactions = Interaction.objects.filter(user__username__startswith="sim-3-")
    views = Counter(str(context) for context in interactions.filter(event="view").values_list("context", flat=True))
    positions = {context["position"] for context in
                 interactions.filter(event="search_click").values_list("context", flat=True)}
    assert views.keys() == {"{'from': 'search'}", "{'from': 'similar'}"}
    assert views["{'from': 'search'}"] == interactions.filter(event="search_click").count()
    assert positions <= set(range(1, 21))
    others = interactions.exclude(event__in=["view", "search_click"]).values_list("context", flat=True)
    assert [context for context in others if context != {}] == []


def test_it_refuses_to_simulate_a_seed_twice_and_replaces_it_on_request(
    catalogue: dict[str, list[Listing]],
) -> None:
    simulate("--users", "20", "--days", "14", "--seed", "7")
    simulate("--users", "5", "--days", "14", "--seed", "70")  # sim-70-… must survive replacing seed 7
    first = {user.pk for user in seed_users(7)}
    first_interactions = Interaction.objects.filter(user__in=first).count()

    with pytest.raises(CommandError, match=r"Seed 7 was already simulated \(20 users named sim-7-…\); replace"):
        simulate("--users", "20", "--days", "14", "--seed", "7")
    assert Interaction.objects.filter(user__in=first).count() == first_interactions

    simulate("--users", "12", "--days", "14", "--seed", "7", "--replace")

    second = {user.pk for user in seed_users(7)}
    assert (len(second), second & first) == (12, set())
    assert Interaction.objects.filter(user_id__in=first).count() == 0
    assert SimulatedUser.objects.filter(user_id__in=first).count() == 0
    assert SimulatedUser.objects.filter(seed=7).count() == 12
    assert len(seed_users(70)) == 5
    assert SimulatedUser.objects.filter(seed=70).count() == 5


def test_it_skips_a_seed_already_simulated_if_asked(catalogue: dict[str, list[Listing]]) -> None:
    simulate("--users", "6", "--days", "7", "--seed", "3", "--if-missing")
    before = Interaction.objects.count()

    output = simulate("--users", "9", "--days", "7", "--seed", "3", "--if-missing")

    assert output == "Simulated users of seed 3 exist; nothing to do.\n"
    assert (SimulatedUser.objects.filter(seed=3).count(), Interaction.objects.count()) == (6, before)


@pytest.mark.parametrize("args", [("--users", "0"), ("--days", "0"), ("--users", "-3"), ("--users", "many")])
def test_it_refuses_bad_numbers(catalogue: dict[str, list[Listing]], args: tuple[str, str]) -> None:
    with pytest.raises(CommandError):
        simulate(*args)
    assert User.objects.filter(username__startswith="sim-").count() == 0


def test_it_refuses_a_catalogue_without_recommendable_listings() -> None:
    HomeFactory(status=Status.SOLD)

    with pytest.raises(CommandError, match="There are no active or pending listings to browse"):
        simulate("--users", "5", "--days", "7")
    assert User.objects.filter(username__startswith="sim-").count() == 0
