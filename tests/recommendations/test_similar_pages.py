"""Similar listings on the detail page and at /api/listings/{id}/similar/: stored lists, live neighbours, limits."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from listings.models import Interaction, Listing, ListingPhoto, Status
from listings.services import listing_photo_add, listings_set_status
from recommendations.models import NeighbourList
from registry.models import ModelVersion
from tests.factories import CarFactory, HomeFactory
from tests.recommendations.conftest import _embed

pytestmark = pytest.mark.django_db

SIMILAR_LINK = re.compile(r'href="/listings/(\d+)/\?from=similar"')
REASON = re.compile(r'<p class="similar-reason">([^<]*)</p>')


def _version(*, kind: str = "home", active: bool = True) -> ModelVersion:
    return ModelVersion.objects.create(kind=kind, algorithm="autoencoder", status="ready", active=active)


def _stored(version: ModelVersion, source: Listing, ranked: list[tuple[Listing, float]]) -> NeighbourList:
    return NeighbourList.objects.create(
        version=version, source=source, target_ids=[target.pk for target, _ in ranked],
        scores=[score for _, score in ranked], refreshed_at=timezone.now(),
    )


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("front.png", buffer.getvalue(), content_type="image/png")


def _photo(listing: Listing) -> None:
    ListingPhoto.objects.create(listing=listing, image=_png(), position=1)


def _shown(response: Any) -> list[tuple[int, str]]:
    """(listing id, reason) of each card in the page's similar section, in page order."""
    content = response.content.decode()
    return list(zip([int(pk) for pk in SIMILAR_LINK.findall(content)], REASON.findall(content), strict=True))


@pytest.fixture
def homes(db) -> dict[str, Listing]:
    """A home in Ponce and five others: three recommendable, one sold, one withdrawn."""
    return {
        "source": HomeFactory(title="Source house"),
        "near_price": HomeFactory(title="Near price", price=Decimal(160_000)),
        "san_juan": HomeFactory(title="San Juan house", city="San Juan", lat=None, lon=None, bed=4,
                                bath=Decimal(3)),
        "cheaper": HomeFactory(title="Cheaper house", price=Decimal(120_000), bed=2, bath=Decimal(1),
                               status=Status.PENDING),
        "sold": HomeFactory(title="Sold house", status=Status.SOLD),
        "withdrawn": HomeFactory(title="Withdrawn house", status=Status.WITHDRAWN),
    }


@pytest.fixture
def stored(homes: dict[str, Listing]) -> NeighbourList:
    return _stored(_version(), homes["source"], [
        (homes["san_juan"], 0.9), (homes["sold"], 0.85), (homes["near_price"], 0.8),
        (homes["withdrawn"], 0.75), (homes["cheaper"], 0.7),
    ])


# The detail page -------------------------------------------------------------------------------

def test_it_shows_the_stored_similar_homes_in_order_with_their_reasons(
    client: Client, homes: dict[str, Listing], stored: NeighbourList
) -> None:
    response = client.get(homes["source"].get_absolute_url())

    assert response.status_code == 200
    assert '<h2 id="similar-heading">Similar homes</h2>' in response.content.decode()
    assert _shown(response) == [
        (homes["san_juan"].pk, "same state · 4 bd · 3 ba · same price"),
        (homes["near_price"].pk, "same city · 3 bd · 2 ba · price within 7 %"),
        (homes["cheaper"].pk, "same city · 2 bd · 1 ba · price within 20 %"),
    ]
    assert [(item.listing.pk, item.score) for item in response.context["similar_section"].items] == [
        (homes["san_juan"].pk, 0.9), (homes["near_price"].pk, 0.8), (homes["cheaper"].pk, 0.7),
    ]


def test_it_shows_at_most_eight_similar_listings(client: Client) -> None:
    source = HomeFactory()
    others = HomeFactory.create_batch(10)
    _stored(_version(), source, [(other, 1 - index / 100) for index, other in enumerate(others)])

    response = client.get(source.get_absolute_url())

    assert [pk for pk, _ in _shown(response)] == [other.pk for other in others[:8]]


def test_it_titles_the_section_by_kind(client: Client) -> None:
    source, other = CarFactory(), CarFactory()
    _stored(_version(kind="car"), source, [(other, 0.5)])

    response = client.get(source.get_absolute_url())

    assert '<h2 id="similar-heading">Similar cars</h2>' in response.content.decode()
    assert _shown(response) == [(other.pk, "same city · same model · 2016 · same price")]


def test_it_ranks_a_listing_without_a_stored_list_by_its_live_neighbours(client: Client, settings: Any) -> None:
    # No text embeddings here, and every home is in Ponce, PR (place closeness 1, same state): each score is
    # 0.8 × 0.7 × the item cosine + 0.1 + 0.1.
    settings.SIMILAR_TEXT_WEIGHT = 0.3
    settings.SIMILAR_FACT_WEIGHTS = {"home": {"place": 0.1, "state": 0.1}}
    version = _version()
    source, closest, middle, orthogonal, other_kind = (
        HomeFactory(), HomeFactory(), HomeFactory(), HomeFactory(), CarFactory(),
    )
    _embed(version, source, 1.0, 0.0)
    _embed(version, orthogonal, 0.0, 1.0)
    _embed(version, middle, 1.0, 1.0)
    _embed(version, closest, 1.0, 0.1)
    _embed(version, other_kind, 1.0, 0.0)

    response = client.get(source.get_absolute_url())

    assert [(item.listing.pk, item.score) for item in response.context["similar_section"].items] == [
        (closest.pk, pytest.approx(0.56 / 1.01 ** 0.5 + 0.2)),
        (middle.pk, pytest.approx(0.56 / 2 ** 0.5 + 0.2)),
        (orthogonal.pk, pytest.approx(0.2)),
    ]
    assert [pk for pk, _ in _shown(response)] == [closest.pk, middle.pk, orthogonal.pk]


def test_it_hides_the_section_without_an_active_version(client: Client, homes: dict[str, Listing]) -> None:
    _stored(_version(active=False), homes["source"], [(homes["san_juan"], 0.9)])

    response = client.get(homes["source"].get_absolute_url())

    assert response.context["similar_section"].items == []
    assert "Similar homes" not in response.content.decode()


def test_it_shows_nothing_when_every_stored_neighbour_is_gone_rather_than_live_ones(
    client: Client, homes: dict[str, Listing]
) -> None:
    version = _version()
    _stored(version, homes["source"], [(homes["sold"], 0.9), (homes["withdrawn"], 0.8)])
    for listing, head in ((homes["source"], 1.0), (homes["near_price"], 0.9)):
        _embed(version, listing, head, 0.1)

    response = client.get(homes["source"].get_absolute_url())

    assert response.context["similar_section"].items == []


def test_it_hides_the_section_when_there_are_no_neighbours(client: Client, homes: dict[str, Listing]) -> None:
    _version()

    response = client.get(homes["source"].get_absolute_url())

    assert response.context["similar_section"].items == []
    assert 'class="similar"' not in response.content.decode()


def test_it_records_a_view_from_the_similar_section(client: Client, buyer: User) -> None:
    home = HomeFactory()
    client.force_login(buyer)

    client.get(home.get_absolute_url(), {"from": "similar"})

    assert list(Interaction.objects.values_list("event", "context")) == [("view", {"from": "similar"})]


def test_it_shows_the_detail_page_in_a_fixed_number_of_queries(
    client: Client, buyer: User, homes: dict[str, Listing], stored: NeighbourList, django_assert_num_queries: Any
) -> None:
    for listing in homes.values():
        _photo(listing)
    client.force_login(buyer)

    # session, user, the listing (with its seller, photos, price changes and the favorite check), the view,
    # its profile mark; then the similar section: the stored list with its listings and their photos
    with django_assert_num_queries(6):
        response = client.get(homes["source"].get_absolute_url())

    assert len(_shown(response)) == 3


# The kept section: rendered once, shown again while its list and listings are unchanged ---------

def _age(*listings: Listing) -> None:
    """Date the listings' last change an hour back: a section read within STAMP_MARGIN of a change to one of
    its listings is never shown again from the cache."""
    Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )


def _kept(client: Client, listing: Listing) -> Any:
    """Open ``listing``'s page twice: the first keeps its section, the second is the answer."""
    client.get(listing.get_absolute_url())
    return client.get(listing.get_absolute_url())


@pytest.fixture
def kept(client: Client, homes: dict[str, Listing], stored: NeighbourList) -> str:
    """The source's page, opened once with every listing an hour old: its section is kept. Its URL."""
    _age(*homes.values())
    url = homes["source"].get_absolute_url()
    client.get(url)
    return url


def test_it_shows_the_kept_section_again_after_one_small_check_instead_of_reading_the_list(
    client: Client, buyer: User, homes: dict[str, Listing], stored: NeighbourList, django_assert_num_queries: Any
) -> None:
    _age(*homes.values())
    client.force_login(buyer)
    first = client.get(homes["source"].get_absolute_url())

    # session, user, the listing, the view, its profile mark; then the check of the kept section's stamp
    with django_assert_num_queries(6) as queries:
        second = client.get(homes["source"].get_absolute_url())

    assert first.context["similar_section"].items is not None
    assert second.context["similar_section"].items is None  # from the cache
    assert not any("unnest" in query["sql"] for query in queries.captured_queries)  # the list is not read
    assert _shown(second) == _shown(first) == [
        (homes["san_juan"].pk, "same state · 4 bd · 3 ba · same price"),
        (homes["near_price"].pk, "same city · 3 bd · 2 ba · price within 7 %"),
        (homes["cheaper"].pk, "same city · 2 bd · 1 ba · price within 20 %"),
    ]


def test_it_drops_a_listing_sold_since_the_section_was_kept(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    listings_set_status(listing_ids=[homes["near_price"].pk], status=Status.SOLD)
    response = client.get(kept)

    assert response.context["similar_section"].items is not None
    assert [pk for pk, _ in _shown(response)] == [homes["san_juan"].pk, homes["cheaper"].pk]


def test_it_shows_a_skipped_listing_back_on_sale_since_the_section_was_kept(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    listings_set_status(listing_ids=[homes["withdrawn"].pk], status=Status.ACTIVE)
    response = client.get(kept)

    assert [pk for pk, _ in _shown(response)] == [
        homes["san_juan"].pk, homes["near_price"].pk, homes["withdrawn"].pk, homes["cheaper"].pk,
    ]


def test_it_shows_a_listing_edited_since_the_section_was_kept_as_it_is_now(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    near_price = homes["near_price"]
    near_price.price = Decimal(150_000)
    near_price.save()
    response = client.get(kept)

    assert _shown(response)[1] == (near_price.pk, "same city · 3 bd · 2 ba · same price")
    assert "$150,000" in response.content.decode()


def test_it_shows_a_photo_added_since_the_section_was_kept(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    san_juan = homes["san_juan"]

    photo = listing_photo_add(listing=san_juan, image=_png(), by=san_juan.seller)
    response = client.get(kept)

    assert f'<img src="{photo.image.url}" alt="" loading="lazy">' in response.content.decode()


def test_it_renders_afresh_after_a_refresh_changed_the_list(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    NeighbourList.objects.filter(pk=stored.pk).update(
        target_ids=[homes["cheaper"].pk, homes["san_juan"].pk], scores=[0.95, 0.9], refreshed_at=timezone.now()
    )
    response = client.get(kept)

    assert [pk for pk, _ in _shown(response)] == [homes["cheaper"].pk, homes["san_juan"].pk]


def test_it_renders_afresh_under_a_newly_activated_encoder(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, kept: str
) -> None:
    ModelVersion.objects.filter(pk=stored.version_id).update(active=False)
    newer = _version()
    NeighbourList.objects.create(version=newer, source=homes["source"], target_ids=[homes["near_price"].pk],
                                 scores=[0.5], refreshed_at=stored.refreshed_at)
    response = client.get(kept)

    assert [pk for pk, _ in _shown(response)] == [homes["near_price"].pk]


def test_it_does_not_show_again_a_section_read_right_after_a_change_to_one_of_its_listings(
    client: Client, homes: dict[str, Listing], stored: NeighbourList
) -> None:
    # The change might belong to a transaction that committed after the read: within STAMP_MARGIN of the
    # read, a change counts as later than it.
    _age(*homes.values())
    Listing.objects.filter(pk=homes["cheaper"].pk).update(updated_at=timezone.now() - timedelta(seconds=5))

    response = _kept(client, homes["source"])

    assert response.context["similar_section"].items is not None


def test_it_keeps_no_section_when_the_setting_is_zero(
    client: Client, homes: dict[str, Listing], stored: NeighbourList, settings: Any
) -> None:
    settings.SIMILAR_SECTION_CACHE_SECONDS = 0
    _age(*homes.values())

    response = _kept(client, homes["source"])

    assert response.context["similar_section"].items is not None
    assert len(_shown(response)) == 3


def test_it_keeps_no_section_from_live_neighbours(client: Client) -> None:
    version = _version()
    source, other = HomeFactory(), HomeFactory()
    _embed(version, source, 1.0, 0.0)
    _embed(version, other, 1.0, 0.5)
    _age(source, other)

    response = _kept(client, source)

    assert response.context["similar_section"].items is not None
    assert [pk for pk, _ in _shown(response)] == [other.pk]


# The API ---------------------------------------------------------------------------------------

def _similar_url(listing: Listing) -> str:
    return f"/api/listings/{listing.pk}/similar/"


def test_it_answers_the_stored_similar_listings_with_scores_and_reasons(
    api_client: APIClient, homes: dict[str, Listing], stored: NeighbourList
) -> None:
    response = api_client.get(_similar_url(homes["source"]))

    assert response.status_code == 200
    assert [(item["listing"]["id"], item["score"], item["reason"]) for item in response.json()["results"]] == [
        (homes["san_juan"].pk, 0.9, "same state · 4 bd · 3 ba · same price"),
        (homes["near_price"].pk, 0.8, "same city · 3 bd · 2 ba · price within 7 %"),
        (homes["cheaper"].pk, 0.7, "same city · 2 bd · 1 ba · price within 20 %"),
    ]


def test_it_answers_each_result_in_the_listing_shape(
    api_client: APIClient, homes: dict[str, Listing], stored: NeighbourList
) -> None:
    body = api_client.get(_similar_url(homes["source"]), {"limit": 1}).json()

    assert list(body) == ["results"]
    assert list(body["results"][0]) == ["listing", "score", "reason"]
    first = body["results"][0]["listing"]
    assert api_client.get(f"/api/listings/{first['id']}/").json() == first


def test_it_answers_ten_by_default_and_the_limit_asked_for(api_client: APIClient) -> None:
    source = HomeFactory()
    others = HomeFactory.create_batch(12)
    _stored(_version(), source, [(other, 1 - index / 100) for index, other in enumerate(others)])

    default = api_client.get(_similar_url(source)).json()["results"]
    two = api_client.get(_similar_url(source), {"limit": "2"}).json()["results"]

    assert [item["listing"]["id"] for item in default] == [other.pk for other in others[:10]]
    assert [item["listing"]["id"] for item in two] == [others[0].pk, others[1].pk]


@pytest.mark.parametrize(("limit", "error"), [
    ("0", "Ensure this value is greater than or equal to 1."),
    ("51", "Ensure this value is less than or equal to 50."),
    ("x", "A valid integer is required."),
])
def test_it_rejects_a_bad_limit(api_client: APIClient, limit: str, error: str) -> None:
    response = api_client.get(_similar_url(HomeFactory()), {"limit": limit})

    assert (response.status_code, response.json()) == (400, {"limit": [error]})


def test_it_answers_no_results_without_an_active_version(api_client: APIClient) -> None:
    response = api_client.get(_similar_url(HomeFactory()))

    assert (response.status_code, response.json()) == (200, {"results": []})


def test_it_answers_404_for_a_listing_the_caller_may_not_see(
    api_client: APIClient, seller: User, other_seller: User
) -> None:
    draft = HomeFactory(seller=seller, status=Status.DRAFT, published_at=None)

    anonymous = api_client.get(_similar_url(draft))
    api_client.force_authenticate(other_seller)
    someone_else = api_client.get(_similar_url(draft))
    api_client.force_authenticate(seller)
    own = api_client.get(_similar_url(draft))

    assert (anonymous.status_code, someone_else.status_code, own.status_code) == (404, 404, 200)
    assert api_client.get("/api/listings/999999/similar/").status_code == 404


def test_it_answers_in_a_fixed_number_of_queries(
    api_client: APIClient, homes: dict[str, Listing], stored: NeighbourList, django_assert_num_queries: Any
) -> None:
    for listing in homes.values():
        _photo(listing)

    # listing; the stored list with its listings, their sellers and photos
    with django_assert_num_queries(2):
        response = api_client.get(_similar_url(homes["source"]))

    assert len(response.json()["results"]) == 3


def test_it_documents_the_endpoint(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/listings/{id}/similar/"]["get"]
    assert [(parameter["name"], parameter["in"]) for parameter in operation["parameters"]] == [
        ("id", "path"), ("limit", "query"),
    ]
    assert sorted(operation["responses"]) == ["200", "400", "404"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SimilarOutput",
    }
