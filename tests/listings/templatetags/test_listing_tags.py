"""The listing template tags: money, numbers, key facts, the price chart and cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from listings.models import Listing, Offer
from listings.templatetags import listing_tags
from listings.templatetags.listing_tags import key_facts, listing_card, money, number, price_chart_data
from tests.factories import CarFactory, HomeFactory
from tests.listings.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal(150_000), "$150,000"), (Decimal("99.50"), "$99.50"), (None, "")]
)
def test_it_formats_money(value: Decimal | None, expected: str) -> None:
    assert money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("2.0"), "2"), (Decimal("2.5"), "2.5"), (104_340, "104,340"), (0.25, "0.25")]
)
def test_it_formats_numbers_without_trailing_zeros(value: Decimal | float | int, expected: str) -> None:
    assert number(value) == expected


def test_it_sums_up_key_facts_of_homes_and_cars() -> None:
    home = HomeFactory.build(bed=3, bath=Decimal("2.0"), house_size=1500)
    car = CarFactory.build(year=2016, odometer=104_340, transmission="automatic")

    assert key_facts(home) == "3 bd · 2 ba · 1,500 sqft"
    assert key_facts(car) == "2016 · 104,340 mi · automatic"


CHART_NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def chart_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The chart's "until now" stopped at CHART_NOW."""
    monkeypatch.setattr(listing_tags.timezone, "now", lambda: CHART_NOW)
    return CHART_NOW


def test_it_draws_a_step_chart_from_the_first_price_until_now(chart_now: datetime) -> None:
    points = [(chart_now - timedelta(days=20), Decimal(200)), (chart_now - timedelta(days=10), Decimal(100))]

    chart = price_chart_data(points, "rent")

    # x runs 84..624 over the 20 days; y runs 16..188 over 90..210 (the prices with 10 % headroom)
    assert chart["polyline"] == "84.0,30.3 354.0,30.3 354.0,173.7 624.0,173.7"
    assert [marker["label"] for marker in chart["markers"]] == ["Nov 1, 2026: $200/mo", "Nov 11, 2026: $100/mo"]
    assert (chart["high_label"], chart["low_label"]) == ("$200/mo", "$100/mo")


def test_it_draws_a_flat_line_for_a_price_that_never_changed(chart_now: datetime) -> None:
    chart = price_chart_data([(chart_now - timedelta(days=3), Decimal(150_000))])

    assert chart["polyline"] == "84.0,102.0 624.0,102.0"
    assert chart["summary"] == "Asking price from $150,000 to $150,000"


def test_it_builds_a_card_with_its_photo_and_escaped_text(db) -> None:
    home = HomeFactory(title="Casa <b>grande</b> & patio", offer=Offer.RENT, price=Decimal(1250))
    photo = home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    card = listing_card(Listing.objects.prefetch_related("photos").get(pk=home.pk), came_from="similar")

    assert card == (
        '<article class="card">\n'
        f'  <a class="card-link" href="/listings/{home.pk}/?from=similar">\n'
        '    <div class="card-media">\n'
        f'      <img src="{photo.image.url}" alt="" loading="lazy">\n'
        '      <span class="badge badge-rent">For rent</span>\n'
        '    </div>\n'
        '    <div class="card-body">\n'
        '      <p class="card-price">$1,250/mo</p>\n'
        '      <h3 class="card-title">Casa &lt;b&gt;grande&lt;/b&gt; &amp; patio</h3>\n'
        '      <p class="card-facts">3 bd · 2 ba · 1,500 sqft</p>\n'
        '      <p class="card-place">Ponce, PR</p>\n'
        '    </div>\n'
        '  </a>\n'
        '</article>'
    )


def test_it_builds_a_card_with_a_placeholder_and_the_link_asked_for(db) -> None:
    car = CarFactory()

    card = listing_card(Listing.objects.prefetch_related("photos").get(pk=car.pk), "/listings/1/?from=search&pos=3")

    version = int(car.updated_at.timestamp())
    assert 'href="/listings/1/?from=search&amp;pos=3"' in card
    assert f'<img class="placeholder" src="/listings/{car.pk}/placeholder.svg?v={version}" alt="" loading="lazy">' in card
