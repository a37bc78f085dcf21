"""Error answers: pages in the site's look for people (the layout with the signed-in user where Django
renders with the request, a standalone one where it does not), JSON ``{"detail": …}`` under /api/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import HomeFactory
from tests.trustasset.error_urls import REFUSAL

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_a_missing_listing_answers_404_in_the_sites_layout(client: Client, buyer: User) -> None:
    gone = HomeFactory()
    url = gone.get_absolute_url()
    gone.delete()
    client.force_login(buyer)

    response = client.get(url)

    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Page not found · TrustAsset</title>" in page
    assert '<span class="username">buyer</span>' in page  # the layout, rendered with the request
    assert f'href="{reverse("listing_search")}?kind=home">Browse homes</a>' in page


@pytest.mark.urls("tests.trustasset.error_urls")
def test_a_refused_page_answers_403_with_its_reason_escaped(client: Client, buyer: User) -> None:
    client.force_login(buyer)

    response = client.get("/refused/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Not allowed · TrustAsset</title>" in page
    assert "Only the &lt;b&gt;seller&lt;/b&gt; may open this. Nothing was changed." in page
    assert REFUSAL not in page
    assert '<span class="username">buyer</span>' in page


@pytest.mark.urls("tests.trustasset.error_urls")
def test_a_server_error_answers_the_standalone_500_page(buyer: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(buyer)

    response = client.get("/broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "<title>Something went wrong · TrustAsset</title>" in page
    assert "The error has been logged for us to fix." in page
    assert 'rel="stylesheet" href="/static/css/site.css"' in page
    assert "buyer" not in page  # rendered without the request: nothing that could fail again


@pytest.mark.urls("tests.trustasset.error_urls")
@pytest.mark.parametrize(("path", "status", "detail"), [
    ("/api/no-such-thing/", 404, "Not found."),
    ("/api/refused/", 403, "You do not have permission to perform this action."),
    ("/api/broken/", 500, "Server error: it has been logged; try again later."),
])
def test_an_error_under_the_api_answers_json(path: str, status: int, detail: str) -> None:
    response = Client(raise_request_exception=False).get(path)

    assert (response.status_code, response["Content-Type"], response.json()) == (status, JSON, {"detail": detail})


def test_a_request_for_another_host_answers_400(settings, client: Client) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]

    page = client.get(reverse("home"), HTTP_HOST="elsewhere.example")
    api = client.get(reverse("api_feed"), HTTP_HOST="elsewhere.example")

    assert page.status_code == 400
    assert "<title>Bad request · TrustAsset</title>" in page.content.decode()
    assert (api.status_code, api["Content-Type"], api.json()) == (400, JSON, {"detail": "Bad request."})


def test_a_form_sent_without_the_cookie_asks_for_cookies(buyer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)

    response = client.post(reverse("favorite_toggle", args=[HomeFactory().pk]), {"action": "add"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Form not accepted · TrustAsset</title>" in page
    assert "Allow cookies for this site" in page
    assert '<span class="username">buyer</span>' in page


def test_a_form_sent_without_its_token_asks_to_reload(buyer: User) -> None:
    listing = HomeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    client.get(listing.get_absolute_url())  # sets the CSRF cookie; the post below leaves out the token

    response = client.post(reverse("favorite_toggle", args=[listing.pk]), {"action": "add"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Go back, reload the page and send the form again." in page
    assert "Allow cookies" not in page
