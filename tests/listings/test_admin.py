from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from listings.models import PriceChange, Status
from tests.factories import (
    FavoriteFactory,
    HomeFactory,
    InteractionFactory,
    SavedSearchFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["listing", "pricechange", "favorite", "savedsearch", "inquiry", "interaction"]


@pytest.mark.parametrize("model", MODELS)
def test_it_lists_and_searches_every_model(client, admin_user, model: str) -> None:
    FavoriteFactory()
    SavedSearchFactory()
    InteractionFactory()
    client.force_login(admin_user)

    listing_page = client.get(reverse(f"admin:listings_{model}_changelist"))
    search_page = client.get(reverse(f"admin:listings_{model}_changelist"), {"q": "ponce"})

    assert (listing_page.status_code, search_page.status_code) == (200, 200)


def test_it_publishes_and_withdraws_from_the_changelist(client, admin_user) -> None:
    draft = HomeFactory(status=Status.DRAFT, published_at=None)
    active = HomeFactory(status=Status.ACTIVE)
    client.force_login(admin_user)
    url = reverse("admin:listings_listing_changelist")

    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    client.post(url, {"action": "withdraw", "_selected_action": [active.pk]})

    draft.refresh_from_db()
    active.refresh_from_db()
    assert (draft.status, active.status) == (Status.ACTIVE, Status.WITHDRAWN)


def test_it_writes_the_price_history_when_an_admin_edits_the_price(client, admin_user) -> None:
    listing = HomeFactory(price=Decimal("150000"))
    client.force_login(admin_user)
    url = reverse("admin:listings_listing_change", args=[listing.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "price": "149000", "seller": listing.seller_id, "prev_sold_date": "",
        "published_at_0": listing.published_at.strftime("%Y-%m-%d"),
        "published_at_1": listing.published_at.strftime("%H:%M:%S"),
        "photos-TOTAL_FORMS": 0, "photos-INITIAL_FORMS": 0,
        "price_changes-TOTAL_FORMS": 0, "price_changes-INITIAL_FORMS": 0,
    })

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(PriceChange.objects.values_list("old_price", "new_price")) == [
        (Decimal("150000.00"), Decimal("149000.00"))
    ]
