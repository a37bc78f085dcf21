"""The placeholder picture of a listing without photos."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from listings.models import Status
from tests.factories import CarFactory, HomeFactory

pytestmark = pytest.mark.django_db


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
