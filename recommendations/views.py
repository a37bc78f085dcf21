"""Pages of the feed: "Your preferences", "not interested", and resetting one's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from listings.models import Kind, Listing
from recommendations import selectors
from recommendations.actors import Actor
from recommendations.forms import PreferenceForm
from recommendations.models import RECOMMENDABLE_STATUSES, FeedPreference, InterestProfile
from recommendations.reasons import profile_describe
from recommendations.services import profiles
from trustasset.http import AuthenticatedRequest, redirect_back

KIND_PLURALS: dict[str, str] = {Kind.HOME: "homes", Kind.CAR: "cars"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    user_id = request.user.pk
    saved = selectors.feed_preferences(user_id=user_id)
    forms = {
        kind: PreferenceForm(request.POST if request.method == "POST" else None, prefix=kind,
                             initial=_initial(saved.get(kind)))
        for kind in Kind.values
    }
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        for kind, form in forms.items():
            profiles.preference_set(user_id=user_id, kind=kind, **form.preference_data())
        messages.success(request, "Your preferences are saved; your feed follows them now.")
        return redirect("preferences")
    actor = Actor(user_id=user_id)
    sections = []
    for kind in Kind.values:
        profile = profiles.profile_current(actor=actor, kind=kind)
        sections.append({
            "kind": kind, "title": KIND_PLURALS[kind].capitalize(), "form": forms[kind],
            "sentences": _describe(profile, saved.get(kind)),
        })
    status = 400 if request.method == "POST" else 200
    return render(request, "recommendations/preferences.html", {
        "sections": sections, "dismissed": selectors.dismissed_listings(user_id=user_id),
    }, status=status)


@login_required
@require_POST
def listing_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark a listing "not interested"; from a feed card (htmx) the card is replaced by an undo note."""
    listing = get_object_or_404(Listing, pk=pk, status__in=RECOMMENDABLE_STATUSES)
    profiles.dismissal_add(user_id=request.user.pk, listing_id=listing.pk)
    if request.htmx:
        return render(request, "recommendations/_dismissed.html", {"listing": listing})
    messages.success(request, f"We won't show you \u201c{listing.title}\u201d again.")
    return redirect_back(request, default="preferences")


@login_required
@require_POST
def listing_undismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    profiles.dismissal_remove(user_id=request.user.pk, listing_id=pk)
    if request.htmx:
        return HttpResponse("<p class=\"dismissed-note\">It can show up in your feed again.</p>")
    messages.success(request, "That listing can show up in your feed again.")
    return redirect_back(request, default="preferences")


@login_required
@require_POST
def history_reset(request: AuthenticatedRequest) -> HttpResponse:
    deleted = profiles.history_reset(user_id=request.user.pk)
    messages.success(request, f"Your history is forgotten ({deleted} interactions); your feed starts afresh.")
    return redirect("preferences")


def _initial(preference: FeedPreference | None) -> dict[str, object]:
    if preference is None:
        return {"enabled": True, "intent": ""}
    return {"enabled": preference.enabled, "intent": preference.intent, "budget_sale": preference.budget_sale,
            "budget_rent": preference.budget_rent}


def _describe(profile: InterestProfile, preference: FeedPreference | None) -> list[str]:
    titles = selectors.listing_titles([int(pk) for pk, _ in profile.anchors[:3]])
    return profile_describe(
        kind_plural=KIND_PLURALS[profile.kind], listings=profile.listings, sale_weight=profile.sale_weight,
        rent_weight=profile.rent_weight,
        target_sale=None if profile.target_price_sale is None else float(profile.target_price_sale),
        target_rent=None if profile.target_price_rent is None else float(profile.target_price_rent),
        chosen_intent=preference.intent if preference else "",
        favourites=[titles[int(pk)] for pk, _ in profile.anchors[:3] if int(pk) in titles],
    )
