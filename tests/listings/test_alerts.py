"""Alert mails: new matches of saved searches and price drops of favorites, and unsubscribing from them."""

from __future__ import annotations

import importlib
import re
import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from listings import alerts
from listings.alerts import AlertRun, Unsubscribe, alerts_send, unsubscribe_url
from listings.models import AlertSent, AlertSettings, AlertTopic, Listing, PriceChange, SavedSearch, Status
from listings.tasks import alerts_send as alerts_send_task
from tests.factories import (
    AlertSettingsFactory,
    CarFactory,
    FavoriteFactory,
    HomeFactory,
    SavedSearchFactory,
    UserFactory,
)

alerts_schedule = importlib.import_module("listings.migrations.0003_alerts_beat_schedule")

pytestmark = pytest.mark.django_db

SITE = "https://trustasset.test"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def ponce_search(buyer: User) -> SavedSearch:
    return SavedSearchFactory(user=buyer, name="Homes in Ponce", filters={"kind": "home", "city": "Ponce"})


def price_change(listing: Listing, to: int) -> PriceChange:
    """What listing_update writes when a seller changes the price."""
    change = PriceChange.objects.create(listing=listing, old_price=listing.price, new_price=Decimal(to))
    listing.price = Decimal(to)
    listing.save(update_fields=["price"])
    return change


def later(minutes: int) -> AlertRun:
    return alerts_send(now=timezone.now() + timedelta(minutes=minutes))


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def search_url(unsubscribe: Unsubscribe) -> str:
    return unsubscribe_url(unsubscribe=unsubscribe).removeprefix(SITE)


# New matches -----------------------------------------------------------------------------------

def test_it_mails_a_new_matching_listing_once(buyer: User, seller: User, ponce_search: SavedSearch) -> None:
    home = HomeFactory(title="Cozy house in Ponce", price=Decimal(120_000), seller=seller)

    first = alerts_send()
    second = later(15)

    assert first == AlertRun(mails=1, matches=1, drops=0)
    assert second == AlertRun()
    assert subjects() == ["1 new match on TrustAsset"]
    assert mail.outbox[0].to == ["buyer@example.com"]
    assert f"Cozy house in Ponce — $120,000\n{SITE}/listings/{home.pk}/\n" in mail.outbox[0].body
    assert list(AlertSent.objects.values_list("user_id", "listing_id", "topic", "saved_search_id", "price")) == [
        (buyer.pk, home.pk, AlertTopic.MATCH, ponce_search.pk, Decimal("120000.00"))
    ]


def test_it_moves_the_watermark_of_each_alerting_search(ponce_search: SavedSearch) -> None:
    now = timezone.now() + timedelta(minutes=5)

    alerts_send(now=now)

    ponce_search.refresh_from_db()
    assert ponce_search.last_alerted_at == now
    assert mail.outbox == []


def test_it_does_not_mail_a_listing_that_does_not_match(ponce_search: SavedSearch) -> None:
    HomeFactory(city="San Juan", zip_code="00901")
    CarFactory(city="Ponce")

    assert alerts_send() == AlertRun()
    assert mail.outbox == []


def test_it_does_not_mail_the_users_own_listing(buyer: User, ponce_search: SavedSearch) -> None:
    HomeFactory(seller=buyer)

    assert alerts_send() == AlertRun()
    assert mail.outbox == []


def test_it_does_not_mail_listings_that_are_not_active(ponce_search: SavedSearch) -> None:
    HomeFactory(status=Status.DRAFT, published_at=None)
    HomeFactory(status=Status.PENDING)
    HomeFactory(status=Status.WITHDRAWN)

    assert alerts_send() == AlertRun()


def test_it_does_not_mail_listings_published_before_the_search_was_saved(ponce_search: SavedSearch) -> None:
    HomeFactory(published_at=ponce_search.created_at - timedelta(minutes=1))

    assert alerts_send() == AlertRun()


def test_it_mails_a_listing_committed_late_with_a_publish_time_before_the_last_run(
    ponce_search: SavedSearch,
) -> None:
    last_run = timezone.now()
    SavedSearch.objects.filter(pk=ponce_search.pk).update(
        created_at=last_run - timedelta(days=1), last_alerted_at=last_run
    )
    late = HomeFactory(title="Imported in a long transaction", published_at=last_run - timedelta(minutes=20))
    HomeFactory(title="Seen two runs ago", published_at=last_run - timedelta(hours=2))

    run = alerts_send()

    assert run == AlertRun(mails=1, matches=1, drops=0)
    assert list(AlertSent.objects.values_list("listing_id", flat=True)) == [late.pk]


def test_it_lists_a_listing_two_searches_find_under_the_first_only(buyer: User) -> None:
    first = SavedSearchFactory(user=buyer, name="Homes in Ponce", filters={"kind": "home", "city": "Ponce"})
    SavedSearchFactory(user=buyer, name="Anything in Ponce", filters={"city": "Ponce"})
    home = HomeFactory(title="Cozy house in Ponce")

    run = alerts_send()

    assert run == AlertRun(mails=1, matches=1, drops=0)
    assert list(AlertSent.objects.values_list("listing_id", "saved_search_id")) == [(home.pk, first.pk)]
    assert "Anything in Ponce" not in mail.outbox[0].body


def test_it_caps_the_matches_per_search_and_links_the_rest(
    monkeypatch: pytest.MonkeyPatch, ponce_search: SavedSearch
) -> None:
    monkeypatch.setattr(alerts, "ITEMS_PER_SECTION", 2)
    saved_at = ponce_search.created_at
    for minutes, title in ((1, "Oldest"), (2, "Middle"), (3, "Newest")):
        HomeFactory(title=title, published_at=saved_at + timedelta(minutes=minutes))

    first = alerts_send(now=saved_at + timedelta(minutes=5))
    second = alerts_send(now=saved_at + timedelta(minutes=20))

    body = mail.outbox[0].body
    assert first == AlertRun(mails=1, matches=3, drops=0)
    assert second == AlertRun()
    assert subjects() == ["3 new matches on TrustAsset"]
    assert re.findall(r"^(\w+) — ", body, flags=re.MULTILINE) == ["Newest", "Middle"]
    assert f"…and 1 more: {SITE}/search/?city=Ponce&kind=home\n" in body
    assert AlertSent.objects.count() == 3


def test_it_skips_a_saved_search_with_alerts_off(ponce_search: SavedSearch) -> None:
    SavedSearch.objects.filter(pk=ponce_search.pk).update(alerts_enabled=False)
    HomeFactory()

    assert alerts_send() == AlertRun()
    assert mail.outbox == []
    assert AlertSent.objects.count() == 0


def test_it_mails_nobody_without_an_address(buyer: User, ponce_search: SavedSearch) -> None:
    User.objects.filter(pk=buyer.pk).update(email="")
    HomeFactory()

    assert alerts_send() == AlertRun()


# Price drops -----------------------------------------------------------------------------------

def test_it_mails_a_price_drop_on_a_favorite_once(buyer: User) -> None:
    home = FavoriteFactory(user=buyer, listing=HomeFactory(title="Cozy house in Ponce")).listing
    change = price_change(home, 140_000)

    first = alerts_send()
    second = later(15)

    assert first == AlertRun(mails=1, matches=0, drops=1)
    assert second == AlertRun()
    assert subjects() == ["1 price drop on TrustAsset"]
    assert f"Cozy house in Ponce — $140,000 (was $150,000)\n{SITE}/listings/{home.pk}/\n" in mail.outbox[0].body
    assert list(AlertSent.objects.values_list("listing_id", "topic", "price_change_id", "price")) == [
        (home.pk, AlertTopic.PRICE_DROP, change.pk, Decimal("140000.00"))
    ]


def test_it_does_not_mail_a_price_rise(buyer: User) -> None:
    home = FavoriteFactory(user=buyer).listing
    price_change(home, 160_000)

    assert alerts_send() == AlertRun()
    assert mail.outbox == []


def test_it_mails_a_second_drop_again(buyer: User) -> None:
    home = FavoriteFactory(user=buyer, listing=HomeFactory(title="Cozy house in Ponce")).listing
    price_change(home, 140_000)
    alerts_send()
    price_change(home, 130_000)

    run = later(15)

    assert run == AlertRun(mails=1, matches=0, drops=1)
    assert subjects() == ["1 price drop on TrustAsset", "1 price drop on TrustAsset"]
    assert "Cozy house in Ponce — $130,000 (was $140,000)\n" in mail.outbox[1].body


def test_it_mails_two_drops_between_runs_as_one(buyer: User) -> None:
    home = FavoriteFactory(user=buyer, listing=HomeFactory(title="Cozy house in Ponce")).listing
    price_change(home, 140_000)
    price_change(home, 130_000)

    run = alerts_send()

    assert run == AlertRun(mails=1, matches=0, drops=1)
    assert "Cozy house in Ponce — $130,000 (was $150,000)\n" in mail.outbox[0].body
    assert AlertSent.objects.filter(topic=AlertTopic.PRICE_DROP).count() == 2


def test_it_does_not_mail_a_drop_reversed_before_the_run(buyer: User) -> None:
    home = FavoriteFactory(user=buyer).listing
    price_change(home, 140_000)
    price_change(home, 150_000)

    assert alerts_send() == AlertRun()
    assert mail.outbox == []


def test_it_does_not_mail_a_fall_that_only_undoes_a_rise_since_the_last_alert(buyer: User) -> None:
    home = FavoriteFactory(user=buyer).listing
    price_change(home, 140_000)
    alerts_send()
    price_change(home, 145_000)
    price_change(home, 142_000)

    assert later(15) == AlertRun()
    assert len(mail.outbox) == 1


def test_it_does_not_mail_a_drop_from_before_the_favorite(buyer: User) -> None:
    home = HomeFactory()
    change = price_change(home, 140_000)
    PriceChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - timedelta(days=1))
    FavoriteFactory(user=buyer, listing=home)

    assert alerts_send() == AlertRun()


def test_it_does_not_mail_a_drop_on_a_listing_no_longer_active(buyer: User) -> None:
    home = FavoriteFactory(user=buyer).listing
    price_change(home, 140_000)
    Listing.objects.filter(pk=home.pk).update(status=Status.SOLD)

    assert alerts_send() == AlertRun()


def test_it_skips_price_drops_when_they_are_switched_off(buyer: User) -> None:
    AlertSettingsFactory(user=buyer, price_drops=False)
    home = FavoriteFactory(user=buyer).listing
    price_change(home, 140_000)

    assert alerts_send() == AlertRun()
    assert mail.outbox == []
    assert AlertSent.objects.count() == 0


def test_it_shows_rent_prices_per_month(buyer: User) -> None:
    rental = FavoriteFactory(user=buyer, listing=HomeFactory(title="Flat", offer="rent", price=Decimal(1_500))).listing
    price_change(rental, 1_400)

    alerts_send()

    assert "Flat — $1,400/mo (was $1,500/mo)\n" in mail.outbox[0].body


# The digest ------------------------------------------------------------------------------------

def test_it_sends_one_digest_per_user_with_both_sections(
    buyer: User, seller: User, ponce_search: SavedSearch
) -> None:
    SavedSearchFactory(user=UserFactory(username="other_buyer"), filters={"city": "Ponce"})
    home = HomeFactory(title="Cozy house in Ponce", price=Decimal(120_000), seller=seller)
    car = FavoriteFactory(user=buyer, listing=CarFactory(title="2016 Ford Transit Connect", seller=seller)).listing
    price_change(car, 14_000)
    search_stop = unsubscribe_url(unsubscribe=Unsubscribe(user_id=buyer.pk, scope="search",
                                                          saved_search_id=ponce_search.pk))
    drops_stop = unsubscribe_url(unsubscribe=Unsubscribe(user_id=buyer.pk, scope="price_drops"))
    all_stop = unsubscribe_url(unsubscribe=Unsubscribe(user_id=buyer.pk, scope="all"))

    run = alerts_send()

    message = mail.outbox[0]
    assert run == AlertRun(mails=2, matches=2, drops=1)
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["buyer@example.com"], "1 new match and 1 price drop on TrustAsset"),
        (["other_buyer@example.com"], "1 new match on TrustAsset"),
    ]
    assert message.body == (
        "Hello buyer,\n"
        "\n"
        "1 new match for your saved search “Homes in Ponce”:\n"
        "\n"
        "Cozy house in Ponce — $120,000\n"
        f"{SITE}/listings/{home.pk}/\n"
        "\n"
        f"Stop alerts for “Homes in Ponce”: {search_stop}\n"
        "\n"
        "\n"
        "1 price drop on your favorites:\n"
        "\n"
        "2016 Ford Transit Connect — $14,000 (was $15,573)\n"
        f"{SITE}/listings/{car.pk}/\n"
        "\n"
        f"Stop price-drop alerts: {drops_stop}\n"
        "\n"
        "\n"
        "--\n"
        f"Stop all alert mails from TrustAsset: {all_stop}\n"
    )
    assert message.extra_headers == {"List-Unsubscribe": f"<{all_stop}>"}
    assert all_stop.startswith(f"{SITE}/alerts/unsubscribe/")


def test_it_records_nothing_when_the_send_fails(
    monkeypatch: pytest.MonkeyPatch, ponce_search: SavedSearch
) -> None:
    HomeFactory()
    real_send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", lambda message, fail_silently=False: (_ for _ in ()).throw(
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    ))

    with pytest.raises(smtplib.SMTPServerDisconnected):
        alerts_send()
    ponce_search.refresh_from_db()
    failed = (AlertSent.objects.count(), ponce_search.last_alerted_at)
    monkeypatch.setattr(EmailMessage, "send", real_send)
    retried = alerts_send()

    assert failed == (0, None)
    assert retried == AlertRun(mails=1, matches=1, drops=0)


def test_it_mails_the_others_when_one_send_fails(monkeypatch: pytest.MonkeyPatch, buyer: User) -> None:
    SavedSearchFactory(user=buyer)
    SavedSearchFactory(user=UserFactory(username="other_buyer"))
    HomeFactory()
    real_send = EmailMessage.send

    def send_refusing_buyer(message: EmailMessage, fail_silently: bool = False) -> int:
        if message.to == ["buyer@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"buyer@example.com": (550, b"No such user")})
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send_refusing_buyer)

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        alerts_send()

    assert [message.to for message in mail.outbox] == [["other_buyer@example.com"]]
    assert list(AlertSent.objects.values_list("user__username", flat=True)) == ["other_buyer"]


def test_it_runs_as_a_task(ponce_search: SavedSearch) -> None:
    HomeFactory()

    alerts_send_task.delay()

    assert subjects() == ["1 new match on TrustAsset"]


def test_it_schedules_the_task_every_15_minutes() -> None:
    # A transactional test flushes migration-made rows from a reused test database: recreate them
    # the way the migration does (it is idempotent).
    alerts_schedule.schedule_create(apps, None)
    task = PeriodicTask.objects.select_related("crontab").get(name="Send alerts (every 15 minutes)")

    assert (task.task, task.enabled, task.args, task.kwargs) == ("listings.tasks.alerts_send", True, "[]", "{}")
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("*/15", "*", "UTC")


# Unsubscribing ---------------------------------------------------------------------------------

def test_it_asks_before_unsubscribing_on_get(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    url = search_url(Unsubscribe(user_id=buyer.pk, scope="search", saved_search_id=ponce_search.pk))

    response = client.get(url)

    ponce_search.refresh_from_db()
    assert response.status_code == 200
    assert response.context["state"] == "confirm"
    assert "Stop receiving alerts of new listings for your saved search “Homes in Ponce”?" in response.content.decode()
    assert ponce_search.alerts_enabled is True


def test_it_unsubscribes_a_saved_search_on_post(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    other = SavedSearchFactory(user=buyer, name="Cars")
    url = search_url(Unsubscribe(user_id=buyer.pk, scope="search", saved_search_id=ponce_search.pk))

    response = client.post(url)

    assert response.status_code == 200
    assert response.context["state"] == "done"
    assert dict(SavedSearch.objects.values_list("pk", "alerts_enabled")) == {ponce_search.pk: False, other.pk: True}


def test_it_unsubscribes_price_drops_on_post(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    response = client.post(search_url(Unsubscribe(user_id=buyer.pk, scope="price_drops")))

    ponce_search.refresh_from_db()
    assert response.status_code == 200
    assert list(AlertSettings.objects.values_list("user_id", "price_drops")) == [(buyer.pk, False)]
    assert ponce_search.alerts_enabled is True


def test_it_unsubscribes_everything_from_the_list_unsubscribe_link(
    client: Client, buyer: User, ponce_search: SavedSearch
) -> None:
    HomeFactory()
    alerts_send()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").removeprefix(SITE)

    response = client.post(link)

    ponce_search.refresh_from_db()
    assert response.status_code == 200
    assert ponce_search.alerts_enabled is False
    assert AlertSettings.objects.get(user=buyer).price_drops is False


def test_it_unsubscribes_from_the_link_in_the_mail(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    HomeFactory()
    alerts_send()
    link = re.search(r"Stop alerts for “Homes in Ponce”: (\S+)", mail.outbox[0].body)
    assert link is not None

    response = client.post(link.group(1).removeprefix(SITE))

    ponce_search.refresh_from_db()
    assert response.status_code == 200
    assert ponce_search.alerts_enabled is False


def test_it_refuses_a_tampered_token(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    url = search_url(Unsubscribe(user_id=buyer.pk, scope="search", saved_search_id=ponce_search.pk))
    token = url.removeprefix("/alerts/unsubscribe/").removesuffix("/")
    tampered = reverse("alerts_unsubscribe", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])

    get = client.get(tampered)
    post = client.post(tampered)

    ponce_search.refresh_from_db()
    assert (get.status_code, post.status_code) == (400, 400)
    assert "This unsubscribe link is not valid" in post.content.decode()
    assert ponce_search.alerts_enabled is True


def test_it_refuses_a_token_signed_for_something_else(client: Client, buyer: User) -> None:
    from django.core import signing

    token = signing.dumps({"u": buyer.pk, "scope": "all"}, salt="some.other.purpose")

    response = client.get(reverse("alerts_unsubscribe", args=[token]))

    assert response.status_code == 400


def test_it_says_when_the_saved_search_is_gone(client: Client, buyer: User, ponce_search: SavedSearch) -> None:
    url = search_url(Unsubscribe(user_id=buyer.pk, scope="search", saved_search_id=ponce_search.pk))
    ponce_search.delete()

    response = client.post(url)

    assert response.status_code == 200
    assert response.context["state"] == "gone"


def test_it_needs_the_csrf_token_to_unsubscribe(buyer: User, ponce_search: SavedSearch) -> None:
    client = Client(enforce_csrf_checks=True)
    url = search_url(Unsubscribe(user_id=buyer.pk, scope="search", saved_search_id=ponce_search.pk))

    response = client.post(url)

    ponce_search.refresh_from_db()
    assert response.status_code == 403
    assert ponce_search.alerts_enabled is True


def test_it_shows_whether_alerts_are_on_in_saved_searches(client: Client, buyer: User) -> None:
    SavedSearchFactory(user=buyer, name="On")
    SavedSearchFactory(user=buyer, name="Off", alerts_enabled=False)
    client.force_login(buyer)

    content = client.get(reverse("saved_searches")).content.decode()

    assert re.findall(r"alerts (on|off)</p>", content) == ["off", "on"]
