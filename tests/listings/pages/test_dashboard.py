"""The server-rendered pages: browsing, search, detail, buyers' actions and the seller dashboard."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from listings.models import (
    Favorite,
    Inquiry,
    Interaction,
    Listing,
    ListingPhoto,
    Offer,
    PriceChange,
    SavedSearch,
    Source,
    Status,
)
from listings.templatetags.listing_tags import key_facts, listing_card, money, number, price_chart_data
from tests.factories import CarFactory, FavoriteFactory, HomeFactory, SavedSearchFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(*, size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"].object_list]


@pytest.fixture
def signed_in(client: Client, seller: User) -> Client:
    client.force_login(seller)
    return client


@pytest.fixture
def catalog(db) -> dict[str, Listing]:
    """Five active listings published a day apart (oldest first), plus a draft and a withdrawn one."""
    now = timezone.now()
    listings = {
        "ponce_house": HomeFactory(
            title="Cozy house in Ponce", price=Decimal(120_000), bed=2, bath=Decimal(1), city="Ponce",
            zip_code="00731", published_at=now - timedelta(days=5),
        ),
        "ocean_house": HomeFactory(
            title="Ocean view house", description="Ocean breeze and ocean sunsets.", price=Decimal(350_000), bed=4,
            bath=Decimal(3), city="San Juan", zip_code="00901", published_at=now - timedelta(days=4),
        ),
        "san_juan_rental": HomeFactory(
            title="Apartment for rent", description="Ten minutes from the ocean.", offer="rent",
            price=Decimal(1_500), bed=3, bath=Decimal(2), city="San Juan", zip_code="00901",
            published_at=now - timedelta(days=3),
        ),
        "ford": CarFactory(title="2016 Ford Transit Connect", published_at=now - timedelta(days=2)),
        "toyota": CarFactory(
            title="2020 Toyota Corolla", make="Toyota", model="Corolla", year=2020, price=Decimal(18_000),
            city="Portland", zip_code="97201", published_at=now - timedelta(days=1),
        ),
        "draft": HomeFactory(title="Draft house", status=Status.DRAFT, published_at=None),
        "withdrawn": CarFactory(title="Withdrawn Ford", status=Status.WITHDRAWN),
    }
    return listings


# Home page -------------------------------------------------------------------------------------

def test_it_shows_the_newest_homes_and_cars(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [listing.title for listing in response.context["newest_homes"]] == [
        "Apartment for rent", "Ocean view house", "Cozy house in Ponce",
    ]
    assert [listing.title for listing in response.context["newest_cars"]] == [
        "2020 Toyota Corolla", "2016 Ford Transit Connect",
    ]
    assert f'href="{reverse("api_docs")}"' in response.content.decode()


def test_it_shows_the_home_page_in_a_fixed_number_of_queries(
    client: Client, catalog: dict[str, Listing], django_assert_num_queries
) -> None:
    with django_assert_num_queries(4):  # homes and their photos, cars and their photos
        client.get(reverse("home"))


# Search ----------------------------------------------------------------------------------------

def test_it_lists_active_listings_newest_first(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("listing_search"))

    assert response.status_code == 200
    assert titles(response) == [
        "2020 Toyota Corolla", "2016 Ford Transit Connect", "Apartment for rent", "Ocean view house",
        "Cozy house in Ponce",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "home"}, ["Apartment for rent", "Ocean view house", "Cozy house in Ponce"]),
        ({"kind": "car", "offer": "sale"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"offer": "rent"}, ["Apartment for rent"]),
        ({"price_min": "15000", "price_max": "20000"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"beds_min": "3"}, ["Apartment for rent", "Ocean view house"]),
        ({"baths_min": "2.5"}, ["Ocean view house"]),
        ({"make": "ford"}, ["2016 Ford Transit Connect"]),
        ({"model": "corol"}, ["2020 Toyota Corolla"]),
        ({"year_min": "2018"}, ["2020 Toyota Corolla"]),
        ({"year_max": "2017"}, ["2016 Ford Transit Connect"]),
        ({"city": "san juan"}, ["Apartment for rent", "Ocean view house"]),
        ({"state": "Puerto Rico"}, ["Apartment for rent", "Ocean view house", "Cozy house in Ponce"]),
        ({"state": "or"}, ["2020 Toyota Corolla", "2016 Ford Transit Connect"]),
        ({"zip_code": "97501"}, ["2016 Ford Transit Connect"]),
        ({"q": "ocean"}, ["Apartment for rent", "Ocean view house"]),
        ({"kind": "home", "city": "Ponce", "beds_min": "3"}, []),
    ],
)
def test_it_filters_search_results(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], expected: list[str]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort": "price_asc"}, [
            "Apartment for rent", "2016 Ford Transit Connect", "2020 Toyota Corolla", "Cozy house in Ponce",
            "Ocean view house",
        ]),
        ({"sort": "price_desc"}, [
            "Ocean view house", "Cozy house in Ponce", "2020 Toyota Corolla", "2016 Ford Transit Connect",
            "Apartment for rent",
        ]),
        ({"sort": "relevance", "q": "ocean"}, ["Ocean view house", "Apartment for rent"]),
        ({"sort": "newest", "q": "ocean"}, ["Apartment for rent", "Ocean view house"]),
    ],
)
def test_it_sorts_search_results(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], expected: list[str]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"price_min": "abc"}, {"price_min": ["Enter a number."]}),
        ({"beds_min": "99"}, {"beds_min": ["Ensure this value is less than or equal to 20."]}),
        ({"kind": "boat"}, {"kind": ["Select a valid choice. boat is not one of the available choices."]}),
        ({"year_min": "1800"}, {"year_min": ["Ensure this value is greater than or equal to 1900."]}),
        ({"sort": "cheapest"}, {"sort": ["Select a valid choice. cheapest is not one of the available choices."]}),
        ({"price_max": "1e999999"}, {"price_max": ["Ensure this value is less than or equal to 1e+50."]}),
        ({"q": "x" * 201}, {"q": ["Ensure this value has at most 200 characters (it has 201)."]}),
    ],
)
def test_it_shows_field_errors_for_bad_filters(
    client: Client, catalog: dict[str, Listing], query: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = client.get(reverse("listing_search"), query)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["page"] is None
    assert errors[next(iter(errors))][0] in response.content.decode()


def test_it_paginates_twenty_per_page_and_keeps_the_filters(client: Client) -> None:
    now = timezone.now()
    for index in range(25):
        HomeFactory(title=f"House {index:02d}", published_at=now - timedelta(minutes=index))
    CarFactory()

    first = client.get(reverse("listing_search"), {"kind": "home"})
    second = client.get(reverse("listing_search"), {"kind": "home", "page": "2"})

    assert titles(first) == [f"House {index:02d}" for index in range(20)]
    assert titles(second) == [f"House {index:02d}" for index in range(20, 25)]
    assert 'href="?kind=home&amp;page=2"' in first.content.decode()
    assert 'href="?kind=home&amp;page=1"' in second.content.decode()


def test_it_shows_the_last_page_for_a_page_number_past_the_end(client: Client, catalog: dict[str, Listing]) -> None:
    response = client.get(reverse("listing_search"), {"page": "99"})

    assert response.context["page"].number == 1
    assert len(titles(response)) == 5


def test_it_links_results_through_the_detail_page_with_their_position(
    client: Client, catalog: dict[str, Listing]
) -> None:
    response = client.get(reverse("listing_search"), {"kind": "car"})

    content = response.content.decode()
    assert f'href="/listings/{catalog["toyota"].pk}/?from=search&amp;pos=1"' in content
    assert f'href="/listings/{catalog["ford"].pk}/?from=search&amp;pos=2"' in content


def test_it_searches_in_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:
    for index in range(25):
        home = HomeFactory(title=f"House {index}")
        if index % 2:
            home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    with django_assert_num_queries(3):  # count, page, photos
        response = client.get(reverse("listing_search"), {"kind": "home", "page": "2"})

    assert len(titles(response)) == 5


def test_it_searches_in_a_fixed_number_of_queries_when_signed_in(
    signed_in: Client, catalog: dict[str, Listing], django_assert_num_queries
) -> None:
    with django_assert_num_queries(5):  # session, user, count, page, photos
        response = signed_in.get(reverse("listing_search"), {"kind": "home"})

    assert len(titles(response)) == 3


# Listing detail --------------------------------------------------------------------------------

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


# Placeholder picture ---------------------------------------------------------------------------

def test_it_serves_a_home_placeholder_svg_with_long_caching(client: Client) -> None:
    home = HomeFactory(bed=3, city="Ponce", state="PR")

    response = client.get(reverse("listing_placeholder", args=[home.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    content = response.content.decode()
    assert content.startswith("<svg")
    assert ">3 bd · Ponce, PR</text>" in content
    assert f"hsl({home.pk * 137 % 360}, 45%, 90%)" in content


def test_it_captions_a_car_placeholder_with_year_and_make(client: Client) -> None:
    car = CarFactory(year=2016, make="Ford")

    response = client.get(reverse("listing_placeholder", args=[car.pk]))

    assert ">2016 Ford</text>" in response.content.decode()


def test_it_escapes_the_placeholder_caption(client: Client) -> None:
    home = HomeFactory(city="<Ponce & Co>")

    content = client.get(reverse("listing_placeholder", args=[home.pk])).content.decode()

    assert "3 bd · &lt;Ponce &amp; Co&gt;, PR" in content


def test_it_hides_a_drafts_placeholder_from_others(client: Client) -> None:
    draft = HomeFactory(status=Status.DRAFT)

    assert client.get(reverse("listing_placeholder", args=[draft.pk])).status_code == 404


# Favorites -------------------------------------------------------------------------------------

def test_it_adds_and_removes_a_favorite(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)
    url = reverse("favorite_toggle", args=[home.pk])

    added = client.post(url, {"action": "add"})
    assert added.status_code == 302
    assert added["Location"] == home.get_absolute_url()
    assert list(Favorite.objects.values_list("user_id", "listing_id")) == [(buyer.pk, home.pk)]

    client.post(url, {"action": "remove"})
    assert Favorite.objects.count() == 0
    assert list(Interaction.objects.order_by("id").values_list("user_id", "event")) == [
        (buyer.pk, "favorite"), (buyer.pk, "unfavorite"),
    ]


def test_it_adds_a_favorite_once_when_posted_twice(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "add"})
    client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "add"})

    assert Favorite.objects.count() == 1
    assert list(Interaction.objects.values_list("event", flat=True)) == ["favorite"]


def test_it_swaps_the_favorite_button_for_htmx(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(
        reverse("favorite_toggle", args=[home.pk]), {"action": "add"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<form method="post"')
    assert '<input type="hidden" name="action" value="remove">' in content
    assert "♥ Saved to favorites" in content


def test_it_refuses_a_favorite_without_an_action(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(reverse("favorite_toggle", args=[home.pk]), {"action": "toggle"})

    assert response.status_code == 400
    assert Favorite.objects.count() == 0


def test_it_does_not_favorite_someone_elses_draft(client: Client, buyer: User) -> None:
    draft = HomeFactory(status=Status.DRAFT)
    client.force_login(buyer)

    assert client.post(reverse("favorite_toggle", args=[draft.pk]), {"action": "add"}).status_code == 404
    assert Favorite.objects.count() == 0


def test_it_lists_favorites_newest_first(client: Client, buyer: User) -> None:
    older, newer = HomeFactory(title="Older"), HomeFactory(title="Newer")
    FavoriteFactory(user=buyer, listing=older)
    FavoriteFactory(user=buyer, listing=newer)
    FavoriteFactory(listing=HomeFactory(title="Someone else's"))
    client.force_login(buyer)

    response = client.get(reverse("favorites"))

    assert titles(response) == ["Newer", "Older"]


def test_it_paginates_favorites(client: Client, buyer: User) -> None:
    for index in range(21):
        FavoriteFactory(user=buyer, listing=HomeFactory(title=f"House {index:02d}"))
    client.force_login(buyer)

    first = client.get(reverse("favorites"))
    second = client.get(reverse("favorites"), {"page": "2"})

    assert titles(first) == [f"House {index:02d}" for index in range(20, 0, -1)]
    assert titles(second) == ["House 00"]
    assert 'href="?page=2"' in first.content.decode()


# Contacting the seller -------------------------------------------------------------------------

def test_it_sends_an_inquiry_to_the_seller(
    client: Client, buyer: User, seller: User, django_capture_on_commit_callbacks
) -> None:
    home = HomeFactory(seller=seller, title="Blue house")
    client.force_login(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("listing_contact", args=[home.pk]),
            {"message": "Is it still available?", "reply_to": "buyer@example.com"},
        )

    assert response.status_code == 302
    assert response["Location"] == home.get_absolute_url()
    assert list(Inquiry.objects.values_list("listing_id", "sender_id", "message", "reply_to")) == [
        (home.pk, buyer.pk, "Is it still available?", "buyer@example.com"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["seller@example.com"]
    assert mail.outbox[0].subject == "Question about Blue house"
    assert list(Interaction.objects.values_list("user_id", "event")) == [(buyer.pk, "contact")]


def test_it_says_an_imported_listing_has_no_seller_to_contact(client: Client, buyer: User) -> None:
    imported = HomeFactory(seller=None, source=Source.REALTOR)
    client.force_login(buyer)

    page = client.get(imported.get_absolute_url()).content.decode()
    response = client.post(
        reverse("listing_contact", args=[imported.pk]), {"message": "Hello", "reply_to": "buyer@example.com"}
    )

    assert "imported from realtor.com; it has no seller on TrustAsset to contact" in page
    assert response.status_code == 200
    assert response.context["inquiry_form"].non_field_errors() == [
        "This listing was imported and has no seller on TrustAsset to contact.",
    ]
    assert Inquiry.objects.count() == 0
    assert mail.outbox == []


def test_it_refuses_an_empty_inquiry(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(reverse("listing_contact", args=[home.pk]), {"message": "", "reply_to": "not-an-email"})

    assert response.status_code == 200
    assert response.context["inquiry_form"].errors == {
        "message": ["This field is required."], "reply_to": ["Enter a valid email address."],
    }
    assert Inquiry.objects.count() == 0


def test_it_shows_a_refused_inquiry_again_escaped_with_its_errors(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    response = client.post(
        reverse("listing_contact", args=[home.pk]), {"message": "<b>Hi</b> & bye", "reply_to": 'x"><script>'}
    )

    content = response.content.decode()
    assert ('<textarea name="message" cols="40" rows="5" maxlength="4000" required id="id_message">\n'
            "&lt;b&gt;Hi&lt;/b&gt; &amp; bye</textarea>") in content
    assert 'name="reply_to" value="x&#34;&gt;&lt;script&gt;"' in content
    assert '<p class="field-error">Enter a valid email address.</p>' in content


def test_it_shows_the_contact_form_only_to_signed_in_buyers(client: Client, buyer: User, seller: User) -> None:
    home = HomeFactory(seller=seller)
    form = f'action="{reverse("listing_contact", args=[home.pk])}"'

    assert form not in client.get(home.get_absolute_url()).content.decode()
    client.force_login(buyer)
    assert form in client.get(home.get_absolute_url()).content.decode()
    client.force_login(seller)
    assert form not in client.get(home.get_absolute_url()).content.decode()


# Saved searches --------------------------------------------------------------------------------

def test_it_saves_the_current_search(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    response = client.post(
        reverse("saved_search_create"), {"name": "Ponce homes", "kind": "home", "city": "Ponce", "sort": "price_asc"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/search/?city=Ponce&kind=home"
    assert list(SavedSearch.objects.values_list("user_id", "name", "filters")) == [
        (buyer.pk, "Ponce homes", {"city": "Ponce", "kind": "home"}),
    ]


def test_it_offers_to_save_a_search_with_its_filters(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    content = client.get(reverse("listing_search"), {"kind": "home", "city": "Ponce", "page": "1"}).content.decode()

    assert f'action="{reverse("saved_search_create")}"' in content
    assert '<input type="hidden" name="city" value="Ponce">' in content
    assert '<input type="hidden" name="kind" value="home">' in content
    assert '<input type="hidden" name="page"' not in content


def test_it_refuses_to_save_a_search_without_a_name_or_filters(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    nameless = client.post(reverse("saved_search_create"), {"name": "", "kind": "home"})
    filterless = client.post(reverse("saved_search_create"), {"name": "Everything"})
    invalid = client.post(reverse("saved_search_create"), {"name": "Boats", "kind": "boat"})

    assert nameless.status_code == 200
    assert nameless.context["save_form"].errors == {"name": ["This field is required."]}
    assert filterless.context["save_form"].errors == {"__all__": ["Pick at least one filter before saving a search."]}
    assert invalid.context["form"].errors == {
        "kind": ["Select a valid choice. boat is not one of the available choices."],
    }
    assert SavedSearch.objects.count() == 0


def test_it_lists_saved_searches_with_links_that_run_them(
    client: Client, buyer: User, catalog: dict[str, Listing]
) -> None:
    SavedSearchFactory(user=buyer, name="Homes in Ponce", filters={"kind": "home", "city": "Ponce"})
    SavedSearchFactory(name="Someone else's")
    client.force_login(buyer)

    page = client.get(reverse("saved_searches"))
    run = client.get("/search/?city=Ponce&kind=home")

    assert [saved.name for saved in page.context["saved_searches"]] == ["Homes in Ponce"]
    assert 'href="/search/?city=Ponce&amp;kind=home"' in page.content.decode()
    assert titles(run) == ["Cozy house in Ponce"]


def test_it_deletes_a_saved_search(client: Client, buyer: User) -> None:
    saved = SavedSearchFactory(user=buyer)
    client.force_login(buyer)

    response = client.post(reverse("saved_search_delete", args=[saved.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("saved_searches")
    assert SavedSearch.objects.count() == 0


def test_it_does_not_delete_someone_elses_saved_search(client: Client, buyer: User) -> None:
    saved = SavedSearchFactory(user=UserFactory(username="someone"))
    client.force_login(buyer)

    response = client.post(reverse("saved_search_delete", args=[saved.pk]))

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


# Seller dashboard ------------------------------------------------------------------------------

HOME_FORM = {
    "kind": "home", "offer": "sale", "title": "Sunny house", "description": "Near the plaza.", "price": "185000",
    "city": "", "state": "Puerto Rico", "zip_code": "731", "bed": "3", "bath": "2", "house_size": "1400",
    "acre_lot": "0.2", "prev_sold_date": "2019-06-01", "publish_now": "on",
}
CAR_FORM = {
    "kind": "car", "offer": "sale", "title": "Reliable Civic", "price": "9500", "city": "Medford", "state": "or",
    "zip_code": "97501", "make": "Honda", "model": "Civic", "year": "2014", "odometer": "88000",
    "condition": "good", "fuel": "gas", "transmission": "manual",
}


def test_it_lists_only_the_sellers_own_listings_on_the_dashboard(signed_in: Client, seller: User) -> None:
    HomeFactory(seller=seller, title="Mine")
    HomeFactory(seller=seller, title="My draft", status=Status.DRAFT)
    HomeFactory(title="Not mine")

    response = signed_in.get(reverse("dashboard"))

    assert response.status_code == 200
    assert sorted(listing.title for listing in response.context["listings"]) == ["Mine", "My draft"]


def test_it_shows_the_dashboard_in_a_fixed_number_of_queries(
    signed_in: Client, seller: User, django_assert_num_queries
) -> None:
    for _ in range(5):
        HomeFactory(seller=seller).photos.create(
            image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png")
        )

    with django_assert_num_queries(4):  # session, user, listings, photos
        response = signed_in.get(reverse("dashboard"))

    assert len(response.context["listings"]) == 5


def test_it_shows_an_empty_listing_form_with_both_kinds_of_facts(signed_in: Client) -> None:
    response = signed_in.get(reverse("listing_create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<fieldset data-kind="home">' in content
    assert '<fieldset data-kind="car">' in content
    assert 'name="publish_now"' in content


def test_it_creates_and_publishes_a_home(signed_in: Client, seller: User) -> None:
    response = signed_in.post(reverse("listing_create"), {**HOME_FORM, "make": "Ford", "year": "not a year"})

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()
    assert (listing.seller, listing.kind, listing.status, listing.title, listing.price) == (
        seller, "home", "active", "Sunny house", Decimal(185_000),
    )
    assert (listing.city, listing.state, listing.zip_code) == ("Ponce", "PR", "00731")
    assert (listing.lat, listing.lon) == (18.0956, -66.6415)
    assert (listing.bed, listing.bath, listing.house_size) == (3, Decimal(2), 1400)
    assert (listing.make, listing.year) == ("", None)
    assert listing.published_at is not None


def test_it_creates_a_car_as_a_draft(signed_in: Client) -> None:
    signed_in.post(reverse("listing_create"), {**CAR_FORM, "bed": "3"})

    listing = Listing.objects.get()
    assert (listing.kind, listing.status, listing.published_at) == ("car", "draft", None)
    assert (listing.make, listing.model, listing.year, listing.odometer, listing.state) == (
        "Honda", "Civic", 2014, 88000, "OR",
    )
    assert listing.bed is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "5"}, {"price": ["Price $5 is outside the sane range $1,000–$500,000,000."]}),
        ({"bed": "25"}, {"bed": ["25 bedrooms is impossible (0–20)."]}),
        ({"state": "Narnia"}, {"state": ["Unknown state; use its name or two-letter code."]}),
        ({"zip_code": "97501"}, {"zip_code": ["ZIP code 97501 is in OR, not PR."]}),
        ({"price": "lots"}, {"price": ["Enter a number."]}),
    ],
)
def test_it_shows_field_errors_for_a_bad_home(
    signed_in: Client, changes: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = signed_in.post(reverse("listing_create"), {**HOME_FORM, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert errors[next(iter(errors))][0] in response.content.decode()
    assert Listing.objects.count() == 0


def test_it_requires_make_model_and_year_for_a_car(signed_in: Client) -> None:
    response = signed_in.post(reverse("listing_create"), {**CAR_FORM, "make": "", "model": "", "year": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "make": ["Required for a car."], "model": ["Required for a car."], "year": ["Required for a car."],
    }


def test_it_edits_a_listing_and_records_the_price_change(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(150_000))

    response = signed_in.post(
        reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "kind": "car", "price": "140000", "title": "Cheaper"}
    )

    home.refresh_from_db()
    assert response.status_code == 302
    assert (home.kind, home.title, home.price) == ("home", "Cheaper", Decimal(140_000))
    assert list(PriceChange.objects.values_list("listing_id", "old_price", "new_price")) == [
        (home.pk, Decimal(150_000), Decimal(140_000)),
    ]


def test_it_records_no_price_change_when_the_price_stays(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, price=Decimal(185_000))

    signed_in.post(reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "title": "New title"})

    home.refresh_from_db()
    assert home.title == "New title"
    assert PriceChange.objects.count() == 0


def test_it_shows_the_edit_form_with_the_current_values(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, title="Current title")

    response = signed_in.get(reverse("listing_edit", args=[home.pk]))

    assert response.status_code == 200
    assert 'value="Current title"' in response.content.decode()
    assert "publish_now" not in response.context["form"].fields


def test_it_publishes_and_withdraws_a_listing(signed_in: Client, seller: User) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)

    published = signed_in.post(reverse("listing_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert published["Location"] == reverse("dashboard")
    assert draft.status == "active"
    assert draft.published_at is not None

    signed_in.post(reverse("listing_withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "withdrawn"


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("listing_edit", "get", {}),
        ("listing_edit", "post", {**HOME_FORM, "price": "1000"}),
        ("listing_publish", "post", {}),
        ("listing_withdraw", "post", {}),
        ("listing_photo_upload", "get", {}),
    ],
)
def test_it_hides_a_listing_from_another_seller(
    client: Client, other_seller: User, name: str, method: str, data: dict[str, str]
) -> None:
    home = HomeFactory(price=Decimal(150_000))
    before = Listing.objects.values().get(pk=home.pk)
    client.force_login(other_seller)

    response = getattr(client, method)(reverse(name, args=[home.pk]), data)

    assert response.status_code == 404
    assert Listing.objects.values().get(pk=home.pk) == before
    assert PriceChange.objects.count() == 0


def test_it_refuses_a_photo_upload_by_another_seller(client: Client, other_seller: User) -> None:
    home = HomeFactory()
    client.force_login(other_seller)

    response = client.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", png_bytes(), content_type="image/png")},
    )

    assert response.status_code == 404
    assert ListingPhoto.objects.count() == 0


def test_it_lets_staff_edit_any_listing(client: Client, admin_user: User) -> None:
    home = HomeFactory(price=Decimal(150_000))
    client.force_login(admin_user)

    client.post(reverse("listing_edit", args=[home.pk]), {**HOME_FORM, "price": "151000"})

    home.refresh_from_db()
    assert home.price == Decimal(151_000)


@pytest.mark.parametrize(
    ("name", "method", "needs_listing"),
    [
        ("dashboard", "get", False),
        ("listing_create", "get", False),
        ("listing_create", "post", False),
        ("favorites", "get", False),
        ("saved_searches", "get", False),
        ("saved_search_create", "post", False),
        ("listing_edit", "get", True),
        ("listing_edit", "post", True),
        ("listing_publish", "post", True),
        ("listing_withdraw", "post", True),
        ("listing_photo_upload", "get", True),
        ("listing_photo_upload", "post", True),
        ("favorite_toggle", "post", True),
        ("listing_contact", "post", True),
    ],
)
def test_it_sends_anonymous_visitors_to_log_in(client: Client, name: str, method: str, needs_listing: bool) -> None:
    home = HomeFactory()
    url = reverse(name, args=[home.pk] if needs_listing else [])

    data = {"action": "add", "message": "Hi", **HOME_FORM} if method == "post" else None
    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert Listing.objects.count() == 1
    assert (Favorite.objects.count(), Inquiry.objects.count(), SavedSearch.objects.count()) == (0, 0, 0)


def test_it_sends_anonymous_visitors_to_log_in_to_delete(client: Client) -> None:
    saved = SavedSearchFactory()
    home = HomeFactory()
    photo = home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    for url in (
        reverse("saved_search_delete", args=[saved.pk]), reverse("listing_photo_delete", args=[home.pk, photo.pk]),
    ):
        response = client.post(url)
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert (SavedSearch.objects.count(), ListingPhoto.objects.count()) == (1, 1)


# Photos ----------------------------------------------------------------------------------------

def test_it_uploads_a_png_photo(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", png_bytes(size=(8, 6)), content_type="image/png")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("listing_photo_upload", args=[home.pk])
    photo = ListingPhoto.objects.get()
    assert (photo.listing_id, photo.width, photo.height, photo.position) == (home.pk, 8, 6, 1)
    assert photo.image.name.startswith(f"listings/{home.pk}/")
    assert photo.image.name.endswith(".png")


def test_it_refuses_a_file_that_is_not_an_image(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("front.png", b"#!/bin/sh\necho not a picture\n", content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": [
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
        ],
    }
    assert ListingPhoto.objects.count() == 0


def test_it_refuses_a_photo_over_the_size_limit(signed_in: Client, seller: User, settings) -> None:
    settings.PHOTO_MAX_BYTES = 100
    home = HomeFactory(seller=seller)
    image = png_bytes(size=(64, 64))

    response = signed_in.post(
        reverse("listing_photo_upload", args=[home.pk]),
        {"image": SimpleUploadedFile("big.png", image, content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "image": [f"The photo is {len(image)}\xa0bytes; the limit is 100\xa0bytes."],
    }
    assert ListingPhoto.objects.count() == 0


def test_it_deletes_a_photo(signed_in: Client, seller: User) -> None:
    home = HomeFactory(seller=seller)
    photo = home.photos.create(image=SimpleUploadedFile("front.png", png_bytes(), content_type="image/png"))

    response = signed_in.post(reverse("listing_photo_delete", args=[home.pk, photo.pk]))

    assert response.status_code == 302
    assert ListingPhoto.objects.count() == 0


def test_it_does_not_delete_another_listings_photo(signed_in: Client, seller: User) -> None:
    mine = HomeFactory(seller=seller)
    photo = HomeFactory().photos.create(image=SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))

    response = signed_in.post(reverse("listing_photo_delete", args=[mine.pk, photo.pk]))

    assert response.status_code == 404
    assert ListingPhoto.objects.count() == 1


# Presentation helpers --------------------------------------------------------------------------

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


def test_it_draws_a_step_chart_from_the_first_price_until_now() -> None:
    now = timezone.now()
    points = [(now - timedelta(days=20), Decimal(200)), (now - timedelta(days=10), Decimal(100))]

    chart = price_chart_data(points, "rent")

    # x runs 84..624 over the 20 days; y runs 16..188 over 90..210 (the prices with 10 % headroom)
    assert chart["polyline"] == "84.0,30.3 354.0,30.3 354.0,173.7 624.0,173.7"
    assert [marker["label"] for marker in chart["markers"]] == [
        f"{(now - timedelta(days=20)):%b} {(now - timedelta(days=20)).day}, {(now - timedelta(days=20)):%Y}: $200/mo",
        f"{(now - timedelta(days=10)):%b} {(now - timedelta(days=10)).day}, {(now - timedelta(days=10)):%Y}: $100/mo",
    ]
    assert (chart["high_label"], chart["low_label"]) == ("$200/mo", "$100/mo")


def test_it_draws_a_flat_line_for_a_price_that_never_changed() -> None:
    chart = price_chart_data([(timezone.now() - timedelta(days=3), Decimal(150_000))])

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
