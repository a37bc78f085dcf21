"""Writes for seller-requested descriptions: request, draft (in a worker), accept, discard.

The listing's description changes only when its seller (or an admin) accepts a draft; the text it
replaces is kept as a ``DescriptionRevision``.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from descriptions import conf
from descriptions.drafting import draft_write
from descriptions.facts import ListingFacts
from descriptions.models import IN_FLIGHT, DescriptionRequest, DescriptionRevision, RequestStatus, Tone
from descriptions.selectors import description_facts, findings_as_data
from listings.models import Listing
from listings.services import listing_update
from registry import conf as registry_conf
from registry.artifacts import artifact_dir
from registry.models import Algorithm, ModelVersion, VersionStatus
from registry.services import version_activate
from trustasset import metrics
from trustasset.enqueue import task_enqueue

if TYPE_CHECKING:
    from descriptions.finetune import FinetuneReport


# A draft still queued or being written this long after it was asked for is lost (its worker died).
STALE_AFTER = timedelta(minutes=30)
DRAFTS_EDITOR_ONLY = "Only the listing's seller or an admin can ask for, see or use its drafts."


class DescriptionStateError(ValueError):
    """The request is not in a state that allows this (accepting a draft that is not ready, …)."""


def description_request_create(*, listing: Listing, by: User, tone: str) -> DescriptionRequest:
    """Queue a draft of ``listing``'s description in ``tone``; the worker starts once this commits.

    A listing has at most one draft in the making: asking again while one is queued or being written
    returns that one, unless it has been in the making for ``STALE_AFTER`` (its worker was lost): that
    one is marked failed and a new one queued.
    """
    listing.require_editor(by, refusal=DRAFTS_EDITOR_ONLY)
    if tone not in Tone.values:
        raise ValueError(f"Unknown tone {tone!r}: one of {', '.join(Tone.values)}.")
    DescriptionRequest.objects.filter(
        listing=listing, status__in=IN_FLIGHT, created_at__lt=timezone.now() - STALE_AFTER,
    ).update(status=RequestStatus.FAILED, finished_at=timezone.now(),
             error="This draft took too long (its worker was lost); a new one was asked for.")
    try:
        with transaction.atomic():
            request = DescriptionRequest.objects.create(listing=listing, requested_by=by, tone=tone)
    except IntegrityError:  # one is already in flight (the partial unique constraint)
        return DescriptionRequest.objects.get(listing=listing, status__in=IN_FLIGHT)
    _draft_schedule(request_id=request.pk)
    return request


def _draft_schedule(*, request_id: int) -> None:
    task_enqueue("descriptions.tasks.description_draft", request_id)


def description_draft(*, request_id: int) -> DescriptionRequest | None:
    """Write the draft of a queued (or interrupted) request and make it ready; a request in any other
    state, or gone, is left as it is, so running this twice is harmless. The listing is not changed."""
    with transaction.atomic():
        request = (DescriptionRequest.objects.select_for_update().select_related("listing")
                   .filter(pk=request_id, status__in=IN_FLIGHT).first())
        if request is None:
            return DescriptionRequest.objects.filter(pk=request_id).first()
        request.status = RequestStatus.RUNNING
        request.started_at = timezone.now()
        request.attempts = F("attempts") + 1
        request.save(update_fields=["status", "started_at", "attempts"])
    engine = conf.engine_current()
    draft = draft_write(description_facts(listing=request.listing), tone=request.tone, seed=request_id,
                        engine=engine, max_tries=conf.max_tries())
    metrics.description_draft_observe(engine=engine.name, written_by=draft.engine, findings=len(draft.findings))
    # A request discarded while it was being written stays discarded.
    DescriptionRequest.objects.filter(pk=request_id, status=RequestStatus.RUNNING).update(
        status=RequestStatus.READY, draft=draft.text, engine=draft.engine, note=draft.note,
        findings=findings_as_data(draft.findings), error="", finished_at=timezone.now(),
    )
    return DescriptionRequest.objects.get(pk=request_id)


def description_request_fail(*, request_id: int, error: str) -> None:
    """Mark a request that could not be drafted failed, with ``error`` for the seller."""
    DescriptionRequest.objects.filter(pk=request_id, status__in=IN_FLIGHT).update(
        status=RequestStatus.FAILED, error=error, finished_at=timezone.now(),
    )


@transaction.atomic
def description_accept(*, request: DescriptionRequest, by: User, text: str | None = None) -> DescriptionRequest:
    """Make the ready draft (or ``text``, the seller's edit of it) the listing's description; the
    description it replaces goes to the listing's history."""
    request.listing.require_editor(by, refusal=DRAFTS_EDITOR_ONLY)
    locked = _locked(request, allowed=(RequestStatus.READY,), action="accepted")
    accepted = (locked.draft if text is None else text).strip()
    if not accepted:
        raise DescriptionStateError("An empty description cannot be accepted.")
    listing = Listing.objects.select_for_update().get(pk=locked.listing_id)
    if listing.description:
        DescriptionRevision.objects.create(listing=listing, description=listing.description, replaced_by=by,
                                           request=locked)
    listing_update(listing=listing, data={"description": accepted}, by=by)
    return _decide(locked, status=RequestStatus.ACCEPTED, accepted_text=accepted)


@transaction.atomic
def description_discard(*, request: DescriptionRequest, by: User) -> DescriptionRequest:
    """Throw a draft away (also one still being written: the worker's result is then ignored)."""
    request.listing.require_editor(by, refusal=DRAFTS_EDITOR_ONLY)
    locked = _locked(request, allowed=(*IN_FLIGHT, RequestStatus.READY, RequestStatus.FAILED), action="discarded")
    return _decide(locked, status=RequestStatus.DISCARDED)


def _locked(request: DescriptionRequest, *, allowed: tuple[str, ...], action: str) -> DescriptionRequest:
    locked = DescriptionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in allowed:
        raise DescriptionStateError(f"This draft is {locked.get_status_display().lower()}; it cannot be {action}.")
    return locked


def _decide(request: DescriptionRequest, *, status: str, accepted_text: str = "") -> DescriptionRequest:
    request.status = status
    request.decided_at = timezone.now()
    request.accepted_text = accepted_text
    request.save(update_fields=["status", "decided_at", "accepted_text"])
    return request



def describer_pairs_accepted() -> list[tuple[ListingFacts, str]]:
    """Training pairs from what sellers accepted: each accepted request's listing facts (as they are now)
    and the text accepted, oldest first."""
    accepted = (DescriptionRequest.objects.filter(status=RequestStatus.ACCEPTED).exclude(accepted_text="")
                .select_related("listing").order_by("decided_at", "pk"))
    return [(description_facts(listing=request.listing), request.accepted_text) for request in accepted]


def describer_version_record(*, report: FinetuneReport, params: dict[str, object]) -> ModelVersion:
    """Copy the trained adapter into the models directory as a new LoRA version and activate it unless it
    makes the fact-check pass rate of validation drafts worse (then it stays ready, for an admin to judge)."""
    version = ModelVersion.objects.create(kind="all", algorithm=Algorithm.LORA, params=params,
                                          metrics=report.as_json())
    directory = artifact_dir(version=version)
    shutil.copytree(report.adapter_dir, directory)
    version.artifact_path = str(directory.relative_to(registry_conf.models_dir()))
    version.status = VersionStatus.READY
    version.save(update_fields=["artifact_path", "status"])
    if report.pass_rate_after >= report.pass_rate_before:
        version_activate(version=version)
    return version
