from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from listings.models import Event, Interaction, Listing, PriceChange, Status, listing_range_errors
from listings.services import (
    interaction_record,
    listing_create,
    listing_publish,
    listing_update,
    listing_withdraw,
    listings_set_status,
)
from recommendations.ml.events import EVENTS
from tests.factories import CarFactory, HomeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_records_the_event_names_the_recommender_knows() -> None:
    assert Event.values == list(EVENTS)


def test_it_refuses_a_non_positive_price_in_the_database() -> None:
    listing = HomeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(price=0)


def test_it_keeps_source_and_external_id_unique() -> None:
    HomeFactory(source="realtor", external_id="abc")

    with pytest.raises(IntegrityError), transaction.atomic():
        HomeFactory(source="realtor", external_id="abc")
    assert CarFactory(source="craigslist", external_id="abc").external_id == "abc"


def test_it_refuses_an_interaction_without_user_or_session() -> None:
    listing = HomeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(listing=listing, event="view")


def test_it_names_every_value_outside_its_sane_range() -> None:
    errors = listing_range_errors(
        kind="home", offer="sale", price=Decimal(50), bed=33, bath=Decimal(35), house_size=1_450_112,
        acre_lot=100_000, year=1850, odometer=9_999_999,
    )

    assert errors == {
        "price": "Price $50 is outside the sane range $1,000–$500,000,000.",
        "bed": "33 bedrooms is impossible (0–20).",
        "bath": "35 bathrooms is impossible (0–20).",
        "house_size": "House size 1450112 sqft is impossible (100–100,000).",
        "acre_lot": "Lot of 100000 acres is impossible (0–50,000).",
        "year": f"Year 1850 is impossible (1900–{timezone.now().year + 1}).",
        "odometer": "Odometer 9,999,999 miles is impossible (0–1,000,000).",
    }


def test_it_states_monthly_ranges_for_rentals() -> None:
    assert listing_range_errors(kind="home", offer="rent", price=Decimal(2_000_000)) == {
        "price": "Price $2,000,000 per month is outside the sane range $50–$1,000,000 per month."
    }
    assert listing_range_errors(kind="home", offer="rent", price=Decimal(1_800)) == {}


def test_it_requires_make_model_and_year_for_a_car() -> None:
    car = CarFactory.build(make="", model="", year=None)

    with pytest.raises(ValidationError) as caught:
        car.full_clean()

    assert set(caught.value.message_dict) == {"make", "model", "year"}


def test_it_writes_the_price_history_on_every_price_change() -> None:
    seller = UserFactory()
    listing = HomeFactory(seller=seller, price=Decimal("150000"))

    listing_update(listing=listing, data={"price": Decimal("140000")}, by=seller)
    listing_update(listing=listing, data={"title": "Renamed"}, by=seller)
    listing_update(listing=listing, data={"price": Decimal("135000")}, by=seller)

    history = list(PriceChange.objects.filter(listing=listing).values_list("old_price", "new_price"))
    assert history == [(Decimal("150000.00"), Decimal("140000.00")), (Decimal("140000.00"), Decimal("135000.00"))]


def test_it_tells_whoever_may_not_change_a_listing_who_may() -> None:
    listing = HomeFactory(seller=UserFactory())

    listing.require_editor(listing.seller)
    listing.require_editor(UserFactory(is_staff=True))
    with pytest.raises(PermissionDenied) as refused:
        listing.require_editor(UserFactory())

    assert str(refused.value) == "Only the listing's seller or an admin can change it."


def test_it_lets_only_the_seller_or_staff_change_a_listing() -> None:
    listing = HomeFactory(price=Decimal("150000"))
    stranger = UserFactory()
    staff = UserFactory(is_staff=True)

    with pytest.raises(PermissionDenied):
        listing_update(listing=listing, data={"price": Decimal("1000")}, by=stranger)
    listing_withdraw(listing=listing, by=staff)

    listing.refresh_from_db()
    assert (listing.price, listing.status) == (Decimal("150000.00"), Status.WITHDRAWN)


def test_it_creates_drafts_and_publishes_them_with_a_date() -> None:
    seller = UserFactory()
    data = {"kind": "home", "offer": "rent", "title": "Sunny flat", "price": Decimal("1800"), "state": "PR"}

    listing = listing_create(seller=seller, data=data)
    assert (listing.status, listing.published_at) == (Status.DRAFT, None)

    listing_publish(listing=listing, by=seller)
    listing.refresh_from_db()
    assert listing.status == Status.ACTIVE
    assert listing.published_at is not None


def test_it_moderates_many_listings_and_counts_only_changes() -> None:
    active = HomeFactory(status=Status.ACTIVE)
    draft = HomeFactory(status=Status.DRAFT, published_at=None)

    changed = listings_set_status(listing_ids=[active.pk, draft.pk], status=Status.ACTIVE)

    draft.refresh_from_db()
    assert changed == 1
    assert draft.status == Status.ACTIVE
    assert draft.published_at is not None


def test_it_records_interactions_for_users_and_sessions_only() -> None:
    listing = HomeFactory()
    user = UserFactory()

    by_user = interaction_record(listing=listing, event="view", user=user, session_key="ignored")
    by_session = interaction_record(listing=listing.pk, event="view", session_key="s" * 32)
    nobody = interaction_record(listing=listing, event="view")

    assert (by_user.user_id, by_user.session_key) == (user.pk, "")
    assert (by_session.user_id, by_session.session_key) == (None, "s" * 32)
    assert nobody is None
    assert Interaction.objects.count() == 2


def test_it_finds_listings_by_words_in_the_generated_search_document() -> None:
    HomeFactory(title="Oceanfront villa", description="Private pool and dock", city="Rincon")
    HomeFactory(title="City condo", city="San Juan")

    found = Listing.objects.filter(search_document="pool").values_list("title", flat=True)

    assert list(found) == ["Oceanfront villa"]
