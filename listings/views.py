"""Pages: each view validates with a form, then calls a selector or a service, then renders or redirects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from descriptions.selectors import description_findings
from listings import alerts, selectors, services
from listings.filters import ListingFilter, active_filters
from listings.forms import FavoriteForm, InquiryForm, ListingForm, PhotoForm, SavedSearchForm
from listings.models import Event, Kind, Listing
from listings.templatetags.listing_tags import placeholder_caption
from listings.throttles import PageRateThrottle
from recommendations.actors import actor_from_request
from recommendations.fragments import similar_section
from recommendations.services.feed import Feed, feed_shelves
from trustasset import metrics
from trustasset.http import AuthenticatedRequest, redirect_back

PAGE_SIZE = 20
HOME_PAGE_CARDS = 8
SIMILAR_CARDS = 8
OPEN_SOURCES = ("search", "similar", "feed")  # the ?from= values a view's context records
PLACEHOLDER_MAX_AGE = 365 * 24 * 3600
MAX_DESCRIPTION_WARNINGS = 5  # after a save; the edit page lists them all


# Browsing --------------------------------------------------------------------------------------

@require_safe
def home(request: HttpRequest) -> HttpResponse:
    newest = {
        kind: selectors.listing_search(params={"kind": kind}).qs[:HOME_PAGE_CARDS]
        for kind in Kind.values
    }
    shelves = feed_shelves(actor=actor_from_request(request), limit=HOME_PAGE_CARDS)
    return render(request, "listings/home.html", {
        "newest_homes": newest[Kind.HOME], "newest_cars": newest[Kind.CAR],
        "feeds": [{"kind": feed.kind, "items": feed.items, "title": _feed_title(feed)} for feed in shelves],
    })


def _feed_title(feed: Feed) -> str:
    plural = "homes" if feed.kind == Kind.HOME else "cars"
    return f"Recommended {plural} for you" if feed.profile["personalized"] else f"Popular and new {plural}"


@require_safe
def listing_search(request: HttpRequest) -> HttpResponse:
    listing_filter = selectors.listing_search(params=request.GET)
    return _render_search(request, listing_filter=listing_filter, params=request.GET, save_form=SavedSearchForm())


def _render_search(
    request: HttpRequest, *, listing_filter: ListingFilter, params: QueryDict, save_form: SavedSearchForm
) -> HttpResponse:
    page = None
    if listing_filter.is_valid():
        page = Paginator(listing_filter.qs, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    for name in ("csrfmiddlewaretoken", "name"):
        query.pop(name, None)
    return render(request, "listings/search.html", {
        "form": listing_filter.form, "page": page, "query": query, "save_form": save_form,
        "current_filters": active_filters(query) if listing_filter.is_valid() else {},
    })


@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.listing_page(pk=pk, user=request.user)
    if page is None:
        raise Http404("No such listing.")
    listing = page.listing
    # Opens count against the API's interactions budget: past it the page still shows, unrecorded.
    if PageRateThrottle(scope="interactions").allow(request):
        _record_open(request, listing=listing)
    return _render_detail(request, page=page, inquiry_form=None)


def _record_open(request: HttpRequest, *, listing: Listing) -> None:
    """Every open is a view (noting a search result or a similar-listings link it came from); one that came
    from a search result is also a search click at its position."""
    actor = _actor(request)
    came_from = request.GET.get("from", "")
    services.interaction_record(
        listing=listing, event=Event.VIEW, context={"from": came_from} if came_from in OPEN_SOURCES else {}, **actor
    )
    if came_from == "search":
        position = request.GET.get("pos", "")
        context = {"position": int(position)} if position.isdigit() and len(position) < 7 else {}
        services.interaction_record(listing=listing, event=Event.SEARCH_CLICK, context=context, **actor)


def _actor(request: HttpRequest) -> dict[str, Any]:
    """Who an interaction belongs to: the user, or the anonymous visitor's session (created on demand)."""
    actor = actor_from_request(request, create_session=True)
    if actor is None or actor.user_id is None:
        return {"session_key": actor.session_key if actor else ""}
    return {"user": request.user}


def _render_detail(
    request: HttpRequest, *, page: selectors.ListingPage, inquiry_form: InquiryForm | None, status: int = 200
) -> HttpResponse:
    user, listing = request.user, page.listing
    if inquiry_form is None:
        inquiry_form = InquiryForm(initial={"reply_to": getattr(user, "email", "")})
    similar = similar_section(listing=listing, limit=SIMILAR_CARDS)
    metrics.recommendations_served(slot=metrics.SLOT_SIMILAR_PAGE, count=similar.count)
    return render(request, "listings/detail.html", {
        "listing": listing,
        "photos": list(listing.photos.all()),
        "price_points": selectors.price_history(listing=listing),
        "is_favorite": page.is_favorite,
        "can_edit": listing.is_editable_by(user),
        "is_own": user.is_authenticated and listing.seller_id == user.pk,
        "inquiry_form": inquiry_form,
        "similar_section": similar,
    }, status=status)


@require_safe
def listing_placeholder(request: HttpRequest, pk: int) -> HttpResponse:
    """A generated picture for listings without photos: a pictogram on a colour of its own, and a caption."""
    listing = _visible_listing_or_404(request, pk)
    svg = render_to_string("listings/placeholder.svg", {
        "listing": listing, "hue": (listing.pk * 137) % 360, "caption": placeholder_caption(listing),
    })
    response = HttpResponse(svg, content_type="image/svg+xml")
    if listing.is_visible:
        # Its URL carries the listing's last edit time, so a cached copy never goes stale.
        patch_cache_control(response, public=True, max_age=PLACEHOLDER_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, private=True, max_age=3600)
    return response


# Buyers' actions -------------------------------------------------------------------------------

@login_required
@require_POST
def favorite_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add or remove a favorite; htmx gets the new button (or a refusal's reason as text, which site.js shows
    beside it), a plain form post is redirected back (with the refusal as a message)."""
    listing = _visible_listing_or_404(request, pk)
    form = FavoriteForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say add or remove.", status=400, content_type="text/plain")
    throttle = PageRateThrottle(scope="interactions")  # each change is a favorite or unfavorite signal
    if not throttle.allow(request):
        refusal = f"Too many changes; try again in {throttle.wait_minutes()} min."
        if request.htmx:
            return HttpResponse(refusal, status=429, content_type="text/plain")
        messages.error(request, refusal)
        return redirect_back(request, default=listing.get_absolute_url())
    if form.cleaned_data["action"] == "add":
        services.favorite_add(user=request.user, listing=listing)
    else:
        services.favorite_remove(user=request.user, listing=listing)
    if request.htmx:
        return render(request, "listings/_favorite_button.html", {
            "listing": listing, "is_favorite": form.cleaned_data["action"] == "add",
        })
    return redirect_back(request, default=listing.get_absolute_url())


@login_required
@require_POST
def listing_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    page = selectors.listing_page(pk=pk, user=request.user)
    if page is None:
        raise Http404("No such listing.")
    listing = page.listing
    form = InquiryForm(request.POST)
    throttle = PageRateThrottle(scope="inquiries")  # the API's budget: one count for both
    if not throttle.allow(request):
        form.add_error(None, f"You have sent too many messages; try again in {throttle.wait_minutes()} min.")
        return _render_detail(request, page=page, inquiry_form=form, status=429)
    if form.is_valid():
        try:
            services.inquiry_create(listing=listing, sender=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your message is on its way to the seller.")
            return redirect(listing)
    return _render_detail(request, page=page, inquiry_form=form)


@login_required
@require_GET
def favorites(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.favorite_listings(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listings/favorites.html", {"page": page, "query": request.GET})


@login_required
@require_GET
def saved_searches(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "listings/saved_searches.html", {
        "saved_searches": selectors.saved_searches(user=request.user),
    })


@login_required
@require_POST
def saved_search_create(request: AuthenticatedRequest) -> HttpResponse:
    """Save the search page's current filters (posted as hidden fields) under a name."""
    listing_filter = selectors.listing_search(params=request.POST)
    form = SavedSearchForm(request.POST)
    filters = active_filters(request.POST)
    if form.is_valid() and listing_filter.is_valid() and not filters:
        form.add_error(None, "Pick at least one filter before saving a search.")
    if not (form.is_valid() and listing_filter.is_valid()):
        return _render_search(request, listing_filter=listing_filter, params=request.POST, save_form=form)
    saved = services.saved_search_create(user=request.user, name=form.cleaned_data["name"], filters=filters)
    messages.success(request, f"Saved “{saved.name}”. Find it under Saved searches.")
    return redirect(_search_url(filters))


@login_required
@require_POST
def saved_search_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved = selectors.saved_searches(user=request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404("No such saved search.")
    services.saved_search_delete(saved_search=saved, by=request.user)
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("saved_searches")


@require_http_methods(["GET", "HEAD", "POST"])
def alerts_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off the alerts a mailed link names, without logging in: GET only asks (mail scanners open
    links), POST does it."""
    try:
        unsubscribe = alerts.unsubscribe_load(token=token)
    except signing.BadSignature:
        return render(request, "listings/alerts_unsubscribe.html", {"state": "invalid"}, status=400)
    subject = alerts.unsubscribe_describe(unsubscribe=unsubscribe)
    state = "confirm"
    if subject is None:
        state = "gone"
    elif request.method == "POST":
        alerts.alerts_unsubscribe(unsubscribe=unsubscribe)
        state = "done"
    return render(request, "listings/alerts_unsubscribe.html", {"state": state, "subject": subject})


# Sellers ---------------------------------------------------------------------------------------

@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "listings/dashboard.html", {
        "listings": selectors.listing_for_seller(seller=request.user),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def listing_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listing = services.listing_create(
            seller=request.user, data=form.listing_data(), publish=form.cleaned_data["publish_now"]
        )
        state = "published" if listing.is_visible else "saved as a draft"
        messages.success(request, f"Your listing is {state}. Add photos to make it stand out.")
        return redirect(listing)
    return render(request, "listings/listing_form.html", {"form": form, "listing": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def listing_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    listing = editable_listing_or_404(request, pk)
    title = listing.title
    form = ListingForm(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        services.listing_update(listing=listing, data=form.listing_data(), by=request.user)
        messages.success(request, "Your changes are saved.")
        for finding in description_findings(listing=listing)[:MAX_DESCRIPTION_WARNINGS]:
            messages.warning(request, f"Your description says “{finding.span}”: {finding.message}")
        return redirect(listing)
    return render(request, "listings/listing_form.html", {"form": form, "listing": listing, "title": title})


@login_required
@require_POST
def listing_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    listing = services.listing_publish(listing=editable_listing_or_404(request, pk), by=request.user)
    messages.success(request, f"“{listing.title}” is live.")
    return redirect_back(request, default="dashboard")


@login_required
@require_POST
def listing_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    listing = services.listing_withdraw(listing=editable_listing_or_404(request, pk), by=request.user)
    messages.success(request, f"“{listing.title}” is withdrawn; only you can see it now.")
    return redirect_back(request, default="dashboard")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def listing_photo_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    listing = editable_listing_or_404(request, pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_photo_add(listing=listing, image=form.cleaned_data["image"], by=request.user)
        except ValidationError as error:
            form.add_error("image", error)
        else:
            messages.success(request, "Photo added.")
            return redirect("listing_photo_upload", pk=listing.pk)
    return render(request, "listings/photos.html", {
        "listing": listing, "photos": list(listing.photos.all()), "form": form,
    })


@login_required
@require_POST
def listing_photo_delete(request: AuthenticatedRequest, pk: int, photo_pk: int) -> HttpResponse:
    listing = editable_listing_or_404(request, pk)
    photo = next((photo for photo in listing.photos.all() if photo.pk == photo_pk), None)
    if photo is None:
        raise Http404("No such photo.")
    services.listing_photo_delete(photo=photo, by=request.user)
    messages.success(request, "Photo deleted.")
    return redirect("listing_photo_upload", pk=listing.pk)


# Helpers ---------------------------------------------------------------------------------------

def _visible_listing_or_404(request: HttpRequest, pk: int) -> Listing:
    listing = selectors.listing_visible(pk=pk, user=request.user)
    if listing is None:
        raise Http404("No such listing.")
    return listing


def editable_listing_or_404(request: AuthenticatedRequest, pk: int) -> Listing:
    """The listing if ``request.user`` may change it; others' listings are 404, as if they did not exist."""
    listing = selectors.listing_detail(pk=pk, user=request.user)
    if listing is None or not listing.is_editable_by(request.user):
        raise Http404("No such listing of yours.")
    return listing


def _search_url(filters: Mapping[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(filters)
    return f"{reverse('listing_search')}?{query.urlencode()}"
