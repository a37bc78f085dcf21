"""Reads: what a given person may see, searched, filtered and prefetched for pages and the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import Col

from listings.filters import ListingFilter
from listings.models import VISIBLE_STATUSES, Favorite, Listing, ListingPhoto, PriceChange, SavedSearch, Status

Viewer = User | AnonymousUser


def listing_visible_queryset(*, user: Viewer | None) -> QuerySet[Listing]:
    """Listings ``user`` may open: public ones, plus every status of their own (all, for staff)."""
    queryset = Listing.objects.all()
    if user is not None and getattr(user, "is_staff", False):
        return queryset
    visible = Q(status__in=VISIBLE_STATUSES)
    if user is not None and user.is_authenticated:
        visible |= Q(seller_id=user.pk)
    return queryset.filter(visible)


def listing_search(*, params: Mapping[str, Any]) -> ListingFilter:
    """Active listings matching ``params`` (the search page's query string); check ``.is_valid()``. The same
    for everyone: a seller's drafts and withdrawn listings are on their dashboard, not in search."""
    queryset = Listing.objects.filter(status=Status.ACTIVE).prefetch_related(_first_photo())
    return ListingFilter(data=params, queryset=queryset)


# What a statement of our own selects beside ``l.*`` so that a listing comes out as the ORM's
# select_related("seller") plus the photos prefetch would give it (``raw_listing_complete``): its seller's
# username and its photos as arrays in display order.
LISTING_EXTRAS_COLUMNS = "u.username AS seller_username, photos.*"
LISTING_EXTRAS_JOINS = """
LEFT JOIN auth_user u ON u.id = l.seller_id
CROSS JOIN LATERAL (
    SELECT array_agg(p.id ORDER BY p.position, p.id) AS photo_ids,
           array_agg(p.image ORDER BY p.position, p.id) AS photo_images,
           array_agg(p.width ORDER BY p.position, p.id) AS photo_widths,
           array_agg(p.height ORDER BY p.position, p.id) AS photo_heights,
           array_agg(p.position ORDER BY p.position, p.id) AS photo_positions
    FROM listings_listingphoto p WHERE p.listing_id = l.id
) photos
"""
_PHOTO_COLUMNS = ["id", "listing_id", "image", "width", "height", "position"]
_CHANGE_COLUMNS = ["id", "listing_id", "old_price", "new_price", "changed_at"]

# Whether the viewer may open listing l: listing_visible_queryset's rule, for statements of our own.
_VISIBLE_WHERE = "l.id = %(pk)s AND (%(staff)s OR l.status = ANY(%(statuses)s) OR l.seller_id = %(user)s)"
# A prepared statement: no query building on the similar-listings API's path.
_VISIBLE_SQL = f"SELECT l.* FROM listings_listing l WHERE {_VISIBLE_WHERE}"  # noqa: S608 (constants)

# One statement for a listing's page: the listing if the viewer may open it (as listing_visible_queryset),
# its seller, photos and price changes, and whether the viewer saved it. The ORM's select_related, two
# prefetches and a favorite check took four statements and about 4 ms of query building per page view,
# the largest part of a listing page (bench/load.sh).
_PAGE_SQL = f"""
SELECT l.*, {LISTING_EXTRAS_COLUMNS}, changes.*,
       EXISTS (SELECT 1 FROM listings_favorite f WHERE f.listing_id = l.id AND f.user_id = %(user)s) AS is_favorite
FROM listings_listing l
{LISTING_EXTRAS_JOINS}
CROSS JOIN LATERAL (
    SELECT array_agg(c.id ORDER BY c.changed_at, c.id) AS change_ids,
           array_agg(c.old_price ORDER BY c.changed_at, c.id) AS change_old_prices,
           array_agg(c.new_price ORDER BY c.changed_at, c.id) AS change_new_prices,
           array_agg(c.changed_at ORDER BY c.changed_at, c.id) AS change_times
    FROM listings_pricechange c WHERE c.listing_id = l.id
) changes
WHERE {_VISIBLE_WHERE}
"""  # noqa: S608 (our own constants, no input)


def listing_visible(*, pk: int, user: Viewer | None) -> Listing | None:
    """The listing ``pk`` if ``user`` may open it (listing_visible_queryset), else None."""
    return next(iter(raw_listings(_VISIBLE_SQL, _visibility_params(pk=pk, user=user))), None)


@dataclass(frozen=True)
class _Layout:
    """Where a statement's ``width`` columns go: ``pick`` takes the model's fields' values out of a row, in
    the model's order; ``converted`` names those of them that have converters (their index, the converters
    and the column expression those are given); ``extras`` the position and name of every other column."""

    width: int
    pick: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    converted: list[tuple[int, list[Callable[..., Any]], Col]]
    extras: list[tuple[int, str]]


_LAYOUTS: dict[str, _Layout] = {}  # by statement: constant statements of our own only
_LISTING_ATTNAMES = [field.attname for field in Listing._meta.concrete_fields]


def raw_listings(sql: str, params: Mapping[str, Any]) -> list[Listing]:
    """The rows of a statement of our own that selects ``l.*`` and more, as listings with the other
    columns as attributes: what ``Listing.objects.raw`` gives, without the work it does on every call
    (reading the cursor's description, matching columns to fields, finding converters). That work was
    as much as the rows' own on the similar-listings API; a statement's layout is worked out once."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not rows:
            return []
        layout = _LAYOUTS.get(sql)
        if layout is None or layout.width != len(rows[0]):  # new, or a migration added a column since
            layout = _LAYOUTS[sql] = _layout([column.name for column in cursor.description])
    listings = []
    for row in rows:
        values = list(layout.pick(row))
        for index, converters, column in layout.converted:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        listing = Listing.from_db(connection.alias, _LISTING_ATTNAMES, values)
        for position, name in layout.extras:
            setattr(listing, name, row[position])
        listings.append(listing)
    return listings


def _layout(columns: list[str]) -> _Layout:
    fields = Listing._meta.concrete_fields
    positions = {name: position for position, name in reversed(list(enumerate(columns)))}  # a name's first
    missing = [field.column for field in fields if field.column not in positions]
    if missing:
        raise ValueError(f"The statement does not select the listing's {', '.join(missing)}")
    taken = [positions[field.column] for field in fields]
    converted = []
    for index, field in enumerate(fields):
        column = field.get_col(Listing._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            converted.append((index, converters, column))
    return _Layout(
        width=len(columns),
        pick=itemgetter(*taken),
        converted=converted,
        extras=[(position, name) for position, name in enumerate(columns) if position not in taken],
    )


def _visibility_params(*, pk: int, user: Viewer | None) -> dict[str, Any]:
    return {"pk": pk, "user": user.pk if user is not None and user.is_authenticated else None,
            "staff": bool(getattr(user, "is_staff", False)), "statuses": list(VISIBLE_STATUSES)}


@dataclass(frozen=True)
class ListingPage:
    listing: Listing
    is_favorite: bool


def listing_page(*, pk: int, user: Viewer | None) -> ListingPage | None:
    """The listing ``pk`` if ``user`` may open it, with its seller, photos and price changes loaded, and
    whether ``user`` saved it; None when it does not exist or is not theirs to see."""
    listing = next(iter(raw_listings(_PAGE_SQL, _visibility_params(pk=pk, user=user))), None)
    if listing is None:
        return None
    raw_listing_complete(listing)
    row: Any = listing  # the statement's own columns are attributes of the row
    changes = [
        PriceChange.from_db(listing._state.db, _CHANGE_COLUMNS, [change_id, listing.pk, old, new, when])
        for change_id, old, new, when in zip(
            row.change_ids or [], row.change_old_prices or [], row.change_new_prices or [], row.change_times or [],
            strict=True,
        )
    ]
    _related_attach(listing, price_changes=changes)
    return ListingPage(listing=listing, is_favorite=row.is_favorite)


def raw_listing_complete(listing: Listing) -> Listing:
    """Hand a listing read by a statement that selected ``LISTING_EXTRAS_COLUMNS`` its seller (id and
    username; the rest loads on use) and its photos, as select_related and a prefetch would."""
    row: Any = listing
    db = listing._state.db
    if listing.seller_id is not None:
        listing.seller = User.from_db(db, ["id", "username"], [listing.seller_id, row.seller_username])
    photos = [
        ListingPhoto.from_db(db, _PHOTO_COLUMNS, [photo_id, listing.pk, image, width, height, position])
        for photo_id, image, width, height, position in zip(
            row.photo_ids or [], row.photo_images or [], row.photo_widths or [], row.photo_heights or [],
            row.photo_positions or [], strict=True,
        )
    ]
    _related_attach(listing, photos=photos)
    return listing


def listing_detail(*, pk: int, user: Viewer | None) -> Listing | None:
    """The listing ``pk`` if ``user`` may open it, with its seller, photos and price changes loaded."""
    page = listing_page(pk=pk, user=user)
    return page.listing if page is not None else None


def listing_photos(listing: Listing) -> list[ListingPhoto] | QuerySet[ListingPhoto]:
    """The listing's photos in display order: the prefetched ones, read without the related manager
    ``listing.photos`` builds on every use (as much as the rest of a listing's output in the API), else
    a query."""
    prefetched = getattr(listing, "_prefetched_objects_cache", {}).get("photos")
    return prefetched if prefetched is not None else listing.photos.all()


def _related_attach(listing: Listing, **related: list[Any]) -> None:
    """Hand ``listing`` its related objects as prefetch_related would, for rows read by a statement of our
    own: ``listing.photos.all()``, ``.count()`` and iteration read them, without a query."""
    cache = getattr(listing, "_prefetched_objects_cache", None)
    if cache is None:
        cache = listing._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    for name, objects in related.items():
        queryset = getattr(listing, name).all()  # lazy: nothing cached under this name yet
        queryset._result_cache = objects  # what Django's prefetch stores
        queryset._prefetch_done = True
        cache[name] = queryset


def listing_for_seller(*, seller: User) -> QuerySet[Listing]:
    return Listing.objects.filter(seller=seller).order_by("-updated_at").prefetch_related(_first_photo())


def favorite_listings(*, user: User) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(favorites__user=user, status__in=VISIBLE_STATUSES)
        .order_by("-favorites__created_at")
        .prefetch_related(_first_photo())
    )


def favorite_listing_ids(*, user: Viewer | None, listing_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Favorite.objects.filter(user_id=user.pk, listing_id__in=listing_ids).values_list("listing_id", flat=True)
    )


def saved_searches(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def price_history(*, listing: Listing) -> list[tuple[Any, Any]]:
    """(when, price) points from the first known price to today's, oldest first."""
    changes = list(listing.price_changes.all())
    if not changes:
        return [(listing.published_at or listing.created_at, listing.price)]
    points = [(listing.published_at or listing.created_at, changes[0].old_price)]
    points += [(change.changed_at, change.new_price) for change in changes]
    return points


def _first_photo() -> Prefetch[Any]:
    return Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "id"))
