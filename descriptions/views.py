"""The "Write it for me" panel: ask for a draft, watch it being written (htmx polling), review it with
its findings highlighted, then accept it (as is or edited) or discard it. Only the listing's seller or an
admin sees any of it; to others the listing and its requests do not exist (404).

htmx requests get the panel back; plain form posts are redirected to the listing's edit page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from descriptions import selectors, services
from descriptions.forms import DescriptionAcceptForm, DescriptionRequestForm
from descriptions.models import DescriptionRequest
from listings.models import Listing
from listings.views import editable_listing_or_404
from trustasset.http import AuthenticatedRequest, HtmxRequest


@login_required
@require_POST
def description_request_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    listing = editable_listing_or_404(request, pk)
    form = DescriptionRequestForm(request.POST)
    if form.is_valid():
        services.description_request_create(listing=listing, by=request.user, tone=form.cleaned_data["tone"])
    return _panel_or_edit_page(request, listing=listing, request_form=form)


@login_required
@require_safe
def description_request_panel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    return _panel(request, listing=found.listing, shown=found)


@login_required
@require_POST
def description_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    form = DescriptionAcceptForm(request.POST)
    if not form.is_valid():
        return _panel_or_edit_page(request, listing=found.listing, accept_form=form, shown=found)
    try:
        services.description_accept(request=found, by=request.user, text=form.cleaned_data["text"])
    except services.DescriptionStateError as error:
        messages.error(request, str(error))
        return _panel_or_edit_page(request, listing=found.listing)
    messages.success(request, "The description is updated; the previous one is kept in its history.")
    if request.htmx:
        # The whole edit page reloads: its form must not keep (and later save back) the old description.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("listing_edit", pk=found.listing.pk)


@login_required
@require_POST
def description_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    try:
        services.description_discard(request=found, by=request.user)
    except services.DescriptionStateError as error:
        messages.error(request, str(error))
    return _panel_or_edit_page(request, listing=found.listing)


def _request_or_404(request: AuthenticatedRequest, pk: int) -> DescriptionRequest:
    found = selectors.description_request_for_editor(pk=pk, user=request.user)
    if found is None:
        raise Http404("No such description request.")
    return found


def panel_context(
    *, listing: Listing, shown: DescriptionRequest | None = None, request_form: DescriptionRequestForm | None = None,
    accept_form: DescriptionAcceptForm | None = None,
) -> dict[str, object]:
    """What ``descriptions/_panel.html`` needs; the listing edit page includes it too."""
    shown = shown if shown is not None else selectors.description_request_latest(listing=listing)
    if shown is not None and shown.status in ("accepted", "discarded"):
        shown = None
    return {
        "listing": listing,
        "description_request": shown,
        "request_form": request_form or DescriptionRequestForm(),
        "accept_form": accept_form or (DescriptionAcceptForm(initial={"text": shown.draft}) if shown else None),
    }


def _panel(
    request: HttpRequest, *, listing: Listing, shown: DescriptionRequest | None = None,
    request_form: DescriptionRequestForm | None = None, accept_form: DescriptionAcceptForm | None = None,
) -> HttpResponse:
    return render(request, "descriptions/_panel.html", panel_context(
        listing=listing, shown=shown, request_form=request_form, accept_form=accept_form,
    ))


def _panel_or_edit_page(
    request: HtmxRequest, *, listing: Listing, shown: DescriptionRequest | None = None,
    request_form: DescriptionRequestForm | None = None, accept_form: DescriptionAcceptForm | None = None,
) -> HttpResponse:
    if request.htmx:
        return _panel(request, listing=listing, shown=shown, request_form=request_form, accept_form=accept_form)
    return redirect("listing_edit", pk=listing.pk)
