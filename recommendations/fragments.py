"""A listing page's "Similar homes/cars" section, rendered once and kept in the cache.

Every viewer sees the same section, and building it is the largest part of a listing page's cost (reading
the stored list with its listings, the reasons, eight cards: 3 to 4 ms of the page's 9 to 13). It is kept
in the default cache (Redis in production, so every worker shares it) for SIMILAR_SECTION_CACHE_SECONDS,
keyed by the listing and its last edit, with the stamp of the stored list it came from. A later page shows
the copy only while the stamp holds (one small statement: selectors.similar_stamp_current), so a target
sold, edited or deleted since, a refreshed list and a new encoder version all make it render afresh.
Sections from a live query (a listing newer than the last refresh) are not kept: the next refresh changes
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from listings.models import Listing
from recommendations import conf
from recommendations.selectors import SimilarItem, SimilarStamp, similar_listings_stamped, similar_stamp_current

CACHE_PREFIX = "similar-section:1"  # the number changes when the section's markup does


@dataclass(frozen=True)
class SimilarSection:
    html: SafeString
    count: int  # listings shown
    items: list[SimilarItem] | None  # None when the section came from the cache


def similar_section(*, listing: Listing, limit: int) -> SimilarSection:
    """The section of ``listing``'s page with up to ``limit`` similar listings (empty HTML when none)."""
    seconds = conf.similar_section_seconds()
    key = f"{CACHE_PREFIX}:{listing.pk}:{listing.updated_at.isoformat()}:{limit}"
    if seconds:
        kept: tuple[str, int, SimilarStamp] | None = cache.get(key)
        if kept is not None and similar_stamp_current(kept[2]):
            return SimilarSection(html=mark_safe(kept[0]), count=kept[1], items=None)  # noqa: S308 (ours)
    items, stamp = similar_listings_stamped(listing=listing, limit=limit)
    html = render_to_string("recommendations/_similar.html", {"listing": listing, "similar": items})
    if seconds and stamp is not None:
        cache.set(key, (html, len(items), stamp), timeout=seconds)
    return SimilarSection(html=mark_safe(html), count=len(items), items=items)  # noqa: S308 (rendered escaped)
