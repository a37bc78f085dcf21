"""The listing search filters: one FilterSet shared by the search page, saved searches and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from listings.models import Kind, Listing, Offer
from listings.places import state_code, zip_code_normalize

SORTS = {
    "newest": ("-published_at", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "relevance": ("-rank", "-published_at", "-id"),
}
SORT_CHOICES = [
    ("newest", "Newest"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("relevance", "Relevance"),
]


class WholeNumberFilter(django_filters.NumberFilter):
    """A NumberFilter on an integer column: "3" or "3.0", never "2.5"."""

    field_class = forms.IntegerField


# Decimal places are capped at the column's: PostgreSQL cannot even compare a number like 1e-200000
# (a 500), and NumberFilter only caps the other end (1e50).
class ListingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label="Homes and cars")
    offer = django_filters.ChoiceFilter(choices=Offer.choices, empty_label="Sale or rent")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0, decimal_places=2)
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0, decimal_places=2)
    beds_min = WholeNumberFilter(field_name="bed", lookup_expr="gte", min_value=0, max_value=20)
    baths_min = django_filters.NumberFilter(field_name="bath", lookup_expr="gte", min_value=0, max_value=20,
                                            decimal_places=1)
    make = django_filters.CharFilter(field_name="make", lookup_expr="iexact", max_length=40)
    model = django_filters.CharFilter(field_name="model", lookup_expr="icontains", max_length=80)
    year_min = WholeNumberFilter(field_name="year", lookup_expr="gte", min_value=1900, max_value=2100)
    year_max = WholeNumberFilter(field_name="year", lookup_expr="lte", min_value=1900, max_value=2100)
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact", max_length=100)
    state = django_filters.CharFilter(method="filter_state", max_length=40)
    zip_code = django_filters.CharFilter(method="filter_zip_code", max_length=10)
    q = django_filters.CharFilter(method="filter_text", max_length=200, label="Keywords")
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Listing
        fields: list[str] = []

    def filter_state(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        code = state_code(value)
        return queryset.filter(state=code) if code else queryset.none()

    def filter_zip_code(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        zip_code = zip_code_normalize(value)
        return queryset.filter(zip_code=zip_code) if zip_code else queryset.none()

    def filter_text(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        query = SearchQuery(value, search_type="websearch", config="english")
        return queryset.filter(search_document=query).annotate(rank=SearchRank(F("search_document"), query))

    def filter_sort(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        # Sorting is applied last, in `qs`, because relevance needs the rank from `q`.
        return queryset

    @property
    def qs(self) -> QuerySet[Listing]:
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if sort == "relevance" and "rank" not in queryset.query.annotations:
            sort = "newest"
        return queryset.order_by(*SORTS[sort or "newest"])


def active_filters(data: dict[str, Any]) -> dict[str, str]:
    """The non-empty filters of a query dict, as stored by a saved search (page and sort dropped)."""
    names = set(ListingFilter.base_filters) - {"sort"}
    return {name: str(data[name]) for name in sorted(names) if data.get(name) not in (None, "")}
