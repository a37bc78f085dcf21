"""Interest profiles: refreshes debounced per actor, and a stale profile recomputed on read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from listings.models import Event, Interaction, Listing
from listings.services import interaction_record
from recommendations.actors import Actor
from recommendations.models import ProfileRefreshMark
from recommendations.services import profiles
from tests.recommendations.conftest import _view

pytestmark = pytest.mark.django_db


def test_it_debounces_profile_refreshes(buyer: User, homes: dict[str, Listing], django_capture_on_commit_callbacks: Any
                                        ) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _view(buyer, homes["viewed"])
        _view(buyer, homes["near"])
        interaction_record(listing=homes["far"], event=Event.IMPRESSION, user=buyer)

    assert (len(callbacks), list(ProfileRefreshMark.objects.values_list("actor", flat=True))) == (
        1, [f"user:{buyer.pk}"]
    )
    refreshed = profiles.profiles_refresh(actor=Actor(user_id=buyer.pk))
    assert [(profile.kind, profile.listings) for profile in refreshed] == [("home", 2), ("car", 0)]
    assert not ProfileRefreshMark.objects.exists()


def test_it_recomputes_a_stale_profile_on_read(buyer: User, homes: dict[str, Listing]) -> None:
    actor = Actor(user_id=buyer.pk)
    _view(buyer, homes["viewed"])
    first = profiles.profile_current(actor=actor, kind="home")
    assert (first.listings, ProfileRefreshMark.objects.exists()) == (1, False)

    _view(buyer, homes["pricey"])
    # Both views at one time, so their interest is equal whatever time passed between them on a busy machine.
    Interaction.objects.filter(user=buyer).update(created_at=timezone.now() - timedelta(hours=1))
    second = profiles.profile_current(actor=actor, kind="home")

    assert (second.pk, second.listings, second.target_price_sale) == (first.pk, 2, Decimal(375_000))
