"""Description requests end to end: who may ask, the worker's draft, accept (with history), discard,
failures, and the API and pages over them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import Retry
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from descriptions import conf, services, tasks
from descriptions.checks import description_check
from descriptions.engines.template import TemplateEngine
from descriptions.models import DescriptionRequest, DescriptionRevision, RequestStatus
from descriptions.selectors import description_facts
from listings.models import Listing
from tests.factories import HomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(seller: User) -> Listing:
    return HomeFactory(seller=seller, title="12 Oak St", description="Sunny corner house.", bed=3, house_size=1500)


@pytest.fixture
def ask(django_capture_on_commit_callbacks: Any) -> Any:
    """``services.description_request_create`` whose commit runs the worker's task (eager Celery)."""
    def asking(**kwargs: Any) -> DescriptionRequest:
        with django_capture_on_commit_callbacks(execute=True):
            return services.description_request_create(**kwargs)
    return asking


@pytest.fixture
def committing(django_capture_on_commit_callbacks: Any) -> Any:
    """A context in which the on-commit callbacks of page and API requests run (the worker's task)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class WrongBeds:
    """An LLM stand-in that always claims five bedrooms."""

    name = "llm"

    def __init__(self) -> None:
        self.seeds: list[int] = []

    def draft(self, facts: Any, *, tone: str, seed: int) -> str:
        self.seeds.append(seed)
        return "A lovely home with 5 bedrooms."


def test_it_drafts_in_the_worker_without_touching_the_listing(home: Listing, seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="warm")

    request.refresh_from_db()  # eager Celery in tests: the task ran when the request committed
    expected = TemplateEngine().draft(description_facts(listing=home), tone="warm", seed=request.pk)
    assert (request.status, request.engine, request.draft, request.findings, request.attempts) == (
        RequestStatus.READY, "template", expected, [], 1,
    )
    home.refresh_from_db()
    assert home.description == "Sunny corner house."


def test_it_lets_only_the_seller_or_an_admin_ask(home: Listing, buyer: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied, match="Only the listing's seller or an admin"):
        services.description_request_create(listing=home, by=buyer, tone="concise")

    assert services.description_request_create(listing=home, by=admin_user, tone="concise").listing_id == home.pk


def test_it_keeps_one_draft_in_the_making_per_listing(home: Listing, seller: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "_draft_schedule", lambda **kwargs: None)  # nobody drafts: it stays queued

    first = services.description_request_create(listing=home, by=seller, tone="warm")
    second = services.description_request_create(listing=home, by=seller, tone="premium")

    assert second.pk == first.pk
    assert DescriptionRequest.objects.count() == 1


def test_drafting_twice_changes_nothing(home: Listing, seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="concise")
    request.refresh_from_db()

    again = services.description_draft(request_id=request.pk)

    assert again is not None
    assert (again.status, again.draft, again.attempts) == (RequestStatus.READY, request.draft, 1)


def test_it_accepts_a_draft_and_keeps_the_old_description(home: Listing, seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="concise")
    request.refresh_from_db()

    services.description_accept(request=request, by=seller)

    home.refresh_from_db()
    request.refresh_from_db()
    assert home.description == request.draft == request.accepted_text
    assert request.status == RequestStatus.ACCEPTED
    assert list(DescriptionRevision.objects.values_list("listing_id", "description", "replaced_by_id", "request_id")) == [
        (home.pk, "Sunny corner house.", seller.pk, request.pk),
    ]


def test_it_accepts_the_sellers_edit_of_the_draft(home: Listing, seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="concise")

    services.description_accept(request=request, by=seller, text="  My own words.  ")

    home.refresh_from_db()
    assert home.description == "My own words."


def test_it_refuses_to_accept_twice_or_a_discarded_draft(home: Listing, seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="concise")
    services.description_discard(request=request, by=seller)

    with pytest.raises(services.DescriptionStateError, match=r"This draft is discarded; it cannot be accepted\."):
        services.description_accept(request=request, by=seller)
    home.refresh_from_db()
    assert home.description == "Sunny corner house."


def test_a_draft_discarded_while_being_written_stays_discarded(
    home: Listing, seller: User, monkeypatch: Any, ask: Any
) -> None:
    monkeypatch.setattr(services, "_draft_schedule", lambda **kwargs: None)
    request = ask(listing=home, by=seller, tone="concise")

    class DiscardedMidway:
        name = "template"

        def draft(self, facts: Any, *, tone: str, seed: int) -> str:
            services.description_discard(request=request, by=seller)
            return "A house."

    monkeypatch.setattr(conf, "engine_current", DiscardedMidway)
    services.description_draft(request_id=request.pk)

    request.refresh_from_db()
    assert (request.status, request.draft) == (RequestStatus.DISCARDED, "")


def test_it_replaces_llm_drafts_that_keep_failing_the_fact_check(
    home: Listing, seller: User, monkeypatch: Any, ask: Any) -> None:
    llm = WrongBeds()
    monkeypatch.setattr(conf, "engine_current", lambda: llm)

    request = ask(listing=home, by=seller, tone="warm")

    request.refresh_from_db()
    assert llm.seeds == [request.pk, request.pk + 1, request.pk + 2]  # DESCRIPTION_MAX_TRIES = 3
    assert (request.engine, request.findings) == ("template", [])
    assert request.note == ("The llm engine's 3 drafts each stated something the listing does not hold (or said "
                            "nothing about it); this draft is written from the listing's facts by our template "
                            "instead.")
    assert description_check(request.draft, description_facts(listing=home)) == []


def test_it_retries_transient_errors_then_fails_with_a_reason(
    home: Listing, seller: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "_draft_schedule", lambda **kwargs: None)
    request = services.description_request_create(listing=home, by=seller, tone="warm")

    def unreachable(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "description_draft", unreachable)
    for retries in range(tasks.MAX_RETRIES):  # each try but the last asks to be retried, 5 s, 10 s, 20 s later
        with pytest.raises(Retry, match=f"Retry in {5 * 2 ** retries}s"):
            tasks.description_draft.apply(args=[request.pk], retries=retries, throw=True)
        request.refresh_from_db()
        assert request.status == RequestStatus.QUEUED

    tasks.description_draft.apply(args=[request.pk], retries=tasks.MAX_RETRIES, throw=True)

    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED
    assert request.error == ("We could not write a draft after 4 tries (OperationalError: server closed the "
                             "connection unexpectedly). Please ask again in a few minutes.")


def test_it_fails_at_once_on_an_error_that_a_retry_cannot_fix(
    home: Listing, seller: User, monkeypatch: Any, ask: Any) -> None:
    def broken(**kwargs: Any) -> None:
        raise KeyError("tone")

    monkeypatch.setattr(services, "description_draft", broken)
    request = ask(listing=home, by=seller, tone="warm")

    request.refresh_from_db()
    assert (request.status, request.error) == (
        RequestStatus.FAILED, "We could not write a draft (KeyError: 'tone'). Please ask again; we have been told.",
    )


# API


def test_the_api_queues_reads_and_accepts_a_draft(
    api_client: APIClient, home: Listing, seller: User, committing: Any
) -> None:
    api_client.force_authenticate(seller)

    with committing():
        created = api_client.post(f"/api/listings/{home.pk}/descriptions/", {"tone": "premium"}, format="json")

    assert created.status_code == 202
    request_id = created.json()["id"]
    assert created["Location"] == f"/api/descriptions/{request_id}/"
    shown = api_client.get(f"/api/descriptions/{request_id}/").json()
    assert (shown["status"], shown["tone"], shown["engine"], shown["findings"]) == ("ready", "premium", "template", [])
    accepted = api_client.post(f"/api/descriptions/{request_id}/accept/", {"text": "Edited."}, format="json")
    assert (accepted.status_code, accepted.json()["status"], accepted.json()["accepted_text"]) == (
        200, "accepted", "Edited.",
    )
    again = api_client.post(f"/api/descriptions/{request_id}/accept/", {}, format="json")
    assert (again.status_code, again.json()) == (409, {"detail": "This draft is accepted; it cannot be accepted."})
    listed = api_client.get(f"/api/listings/{home.pk}/descriptions/").json()
    assert [item["id"] for item in listed] == [request_id]


def test_the_api_answers_bad_input_with_field_errors(api_client: APIClient, home: Listing, seller: User) -> None:
    api_client.force_authenticate(seller)

    response = api_client.post(f"/api/listings/{home.pk}/descriptions/", {"tone": "shouty"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"tone": ['"shouty" is not a valid choice.']}
    assert not DescriptionRequest.objects.exists()


def test_the_api_keeps_others_out(api_client: APIClient, home: Listing, seller: User, other_seller: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="warm")
    api_client.force_authenticate(other_seller)

    assert api_client.post(f"/api/listings/{home.pk}/descriptions/", {}, format="json").status_code == 403
    assert api_client.get(f"/api/descriptions/{request.pk}/").status_code == 404
    assert api_client.post(f"/api/descriptions/{request.pk}/accept/", {}, format="json").status_code == 404
    assert api_client.post(f"/api/descriptions/{request.pk}/discard/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/descriptions/{request.pk}/").status_code == 403
    home.refresh_from_db()
    assert home.description == "Sunny corner house."


# Pages


def test_the_edit_page_offers_a_draft_and_warns_about_the_sellers_own_text(client: Client, seller: User) -> None:
    home = HomeFactory(seller=seller, bed=3, description="Four bedrooms, perfect for a young couple.")
    client.force_login(seller)

    page = client.get(f"/listings/{home.pk}/edit/").content.decode()

    assert "Write it for me" in page
    assert "data-description-warnings" in page
    assert "“Four bedrooms”: " in page


def test_the_panel_shows_the_draft_with_findings_marked_and_accepts_an_edit(
    client: Client, home: Listing, seller: User, committing: Any
) -> None:
    client.force_login(seller)
    with committing():
        client.post(f"/listings/{home.pk}/descriptions/", {"tone": "warm"}, HTTP_HX_REQUEST="true")
    request = DescriptionRequest.objects.get()
    DescriptionRequest.objects.filter(pk=request.pk).update(
        draft="Has <b>5</b> bedrooms.",
        findings=[{"kind": "fact", "start": 4, "end": 21, "span": "<b>5</b> bedrooms",
                   "message": "Says 5 bedrooms; the listing has 3."}],
    )

    panel = client.get(f"/descriptions/{request.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert ('Has <mark class="finding finding-fact" title="Says 5 bedrooms; the listing has 3.">&lt;b&gt;5&lt;/b&gt; '
            'bedrooms</mark>.') in panel
    response = client.post(f"/descriptions/{request.pk}/accept/", {"text": "Three bedrooms by the sea."},
                           HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    home.refresh_from_db()
    assert home.description == "Three bedrooms by the sea."


def test_the_panel_is_not_found_for_others(client: Client, home: Listing, seller: User, buyer: User, ask: Any) -> None:
    request = ask(listing=home, by=seller, tone="warm")
    client.force_login(buyer)

    assert client.get(f"/descriptions/{request.pk}/").status_code == 404
    assert client.post(f"/descriptions/{request.pk}/accept/", {"text": "Mine now"}).status_code == 404
    assert client.post(f"/listings/{home.pk}/descriptions/", {"tone": "warm"}).status_code == 404


def test_it_replaces_a_draft_whose_worker_was_lost(home: Listing, seller: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "_draft_schedule", lambda **kwargs: None)
    lost = services.description_request_create(listing=home, by=seller, tone="warm")
    DescriptionRequest.objects.filter(pk=lost.pk).update(status=RequestStatus.RUNNING,
                                                         created_at=timezone.now() - timedelta(minutes=31))

    fresh = services.description_request_create(listing=home, by=seller, tone="warm")

    lost.refresh_from_db()
    assert fresh.pk != lost.pk
    assert (lost.status, lost.error) == (
        RequestStatus.FAILED, "This draft took too long (its worker was lost); a new one was asked for.",
    )
    assert fresh.status == RequestStatus.QUEUED
