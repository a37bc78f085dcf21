"""Contacting the seller from the detail page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from listings.models import Inquiry, Interaction, Source
from tests.factories import HomeFactory

pytestmark = pytest.mark.django_db


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
