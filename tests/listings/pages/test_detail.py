"""The listing detail page: recorded views and clicks, facts, price history, photos, visibility."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from listings.models import Interaction, PriceChange, Status
from tests.factories import CarFactory, HomeFactory
from tests.listings.conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_it_records_one_view_for_a_signed_in_user(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.get(home.get_absolute_url())

    assert response.status_code == 200
    assert list(Interaction.objects.values_list("user_id", "session_key", "listing_id", "event", "context")) == [
        (buyer.pk, "", home.pk, "view", {}),
    ]


def test_it_records_views_of_an_anonymous_visitor_under_one_session(client: Client) -> None:
    home = HomeFactory()

    client.get(home.get_absolute_url())
    client.get(home.get_absolute_url())

    session_key = client.session.session_key
    assert session_key
    assert list(Interaction.objects.values_list("user_id", "session_key", "event")) == [
        (None, session_key, "view"), (None, session_key, "view"),
    ]


def test_it_records_a_search_click_with_its_position(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    client.get(home.get_absolute_url(), {"from": "search", "pos": "3"})

    assert sorted(Interaction.objects.values_list("event", "context")) == [
        ("search_click", {"position": 3}), ("view", {"from": "search"}),
    ]


def test_it_records_a_search_click_of_an_anonymous_visitor(client: Client) -> None:
    home = HomeFactory()

    client.get(home.get_absolute_url(), {"from": "search", "pos": "not-a-number"})

    session_key = client.session.session_key
    assert sorted(Interaction.objects.values_list("session_key", "event", "context")) == [
        (session_key, "search_click", {}), (session_key, "view", {"from": "search"}),
    ]


def test_it_shows_the_facts_of_a_home(client: Client) -> None:
    home = HomeFactory(price=Decimal(150_000), bed=3, bath=Decimal("2.5"), house_size=1500, acre_lot=0.25)

    content = client.get(home.get_absolute_url()).content.decode()

    for label, value in [
        ("Bedrooms", "3"), ("Bathrooms", "2.5"), ("House size", "1,500 sqft"), ("Lot", "0.25 acres"),
        ("Price per sqft", "$100"), ("Previously sold", "—"),
    ]:
        assert f'<th scope="row">{label}</th><td>{value}</td>' in content
    assert "$150,000" in content


def test_it_shows_the_facts_of_a_car_and_a_monthly_price_for_rentals(client: Client) -> None:
    car = CarFactory(offer="rent", price=Decimal(450), cylinders="4 cylinders", paint_color="white")

    content = client.get(car.get_absolute_url()).content.decode()

    for label, value in [
        ("Year", "2016"), ("Make", "Ford"), ("Model", "Transit Connect"), ("Odometer", "104,340 miles"),
        ("Condition", "good"), ("Cylinders", "4 cylinders"), ("Fuel", "gas"), ("Transmission", "automatic"),
        ("Drive", "fwd"), ("Size", "—"), ("Body type", "van"), ("Paint color", "white"), ("Title status", "—"),
    ]:
        assert f'<th scope="row">{label}</th><td>{value}</td>' in content
    assert '<p class="detail-price">$450/mo</p>' in content


def test_it_escapes_what_sellers_write(client: Client) -> None:
    home = HomeFactory(title="<script>alert(1)</script>", description="<b>big</b> & bright")

    content = client.get(home.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;b&gt;big&lt;/b&gt; &amp; bright" in content


def test_it_draws_the_price_history_as_inline_svg(client: Client) -> None:
    home = HomeFactory(price=Decimal(140_000), published_at=timezone.now() - timedelta(days=30))
    PriceChange.objects.create(
        listing=home, old_price=Decimal(150_000), new_price=Decimal(140_000),
        changed_at=timezone.now() - timedelta(days=10),
    )

    content = client.get(home.get_absolute_url()).content.decode()

    assert '<figure class="price-chart">' in content
    assert "<polyline" in content
    assert "Asking price from $150,000 to $140,000" in content
    assert content.count('<circle class="marker"') == 2


def test_it_shows_photos_or_the_placeholder(client: Client) -> None:
    with_photo = HomeFactory()
    photo = with_photo.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))
    without = HomeFactory()

    assert f'src="{photo.image.url}"' in client.get(with_photo.get_absolute_url()).content.decode()
    assert f'src="/listings/{without.pk}/placeholder.svg?v=' in client.get(without.get_absolute_url()).content.decode()


def test_it_hides_a_draft_from_everyone_but_its_seller(client: Client, seller: User, buyer: User) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)

    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(buyer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(seller)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_it_shows_a_withdrawn_listing_to_staff(client: Client, admin_user: User) -> None:
    withdrawn = HomeFactory(status=Status.WITHDRAWN)
    client.force_login(admin_user)

    assert client.get(withdrawn.get_absolute_url()).status_code == 200


def test_it_answers_404_for_a_missing_listing(client: Client) -> None:
    assert client.get(reverse("listing_detail", args=[999_999])).status_code == 404


def test_it_opens_a_listing_in_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:
    home = HomeFactory()
    for _ in range(3):
        home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))
    PriceChange.objects.create(listing=home, old_price=Decimal(160_000), new_price=Decimal(150_000))

    # listing with its seller, photos and price changes; similar listings: a stored list (none), so the
    # active encoder (none); new session (key check, savepoint, insert, release), view, profile mark,
    # session saved again so its cookie is sent (savepoint, update, release)
    with django_assert_num_queries(12):
        response = client.get(home.get_absolute_url())
    assert response.status_code == 200

    # the session exists now: load it, listing, stored list, active encoder, view, profile mark
    with django_assert_num_queries(6):
        client.get(home.get_absolute_url())


def test_it_opens_a_listing_in_a_fixed_number_of_queries_when_signed_in(
    client: Client, buyer: User, django_assert_num_queries
) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    # session, user, listing (with its seller, photos, price changes and the favorite check), stored list
    # (none), active encoder, view, profile mark
    with django_assert_num_queries(7):
        client.get(home.get_absolute_url())

    # the same and the search click (and its profile mark)
    with django_assert_num_queries(9):
        client.get(home.get_absolute_url(), {"from": "search", "pos": "1"})
