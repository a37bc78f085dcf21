"""Render time of a listing's page and of a search page of 20 cards, and of their cards and price chart alone.

    .venv/bin/python bench/listing_render.py [--listings 300] [--renders 200]

Pages: ``GET`` through the test client (the whole stack: middleware, queries, templates), anonymous, the
median of ``--renders`` in rounds that alternate the two pages:
  * a home's page with its similar section (rendered every time: SIMILAR_SECTION_CACHE_SECONDS=0) and a
    price history of three changes;
  * the search page, ``?kind=home``: 20 cards.
Parts, each beside a baseline in the same run, µs per call:
  * ``listing_card`` over the search page's 20 listings (photos prefetched) against one ``format_html`` of
    the same values (the card's markup and escaping, nothing else);
  * ``price_chart`` of the page's history against ``price_chart_data`` alone (its coordinates, no markup).
It runs on its own database, ``bench_render``, created on the configured server and dropped at the end.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from bench.database import (  # noqa: E402
    bench_database,
    django_setup,
    item_embeddings_load,
    listings_generate,
    neighbour_lists_load,
)

BENCH_DATABASE = "bench_render"
CARD_BASELINE = (
    '<article class="card">\n  <a class="card-link" href="{}">\n    <div class="card-media">\n'
    '      <img class="placeholder" src="{}" alt="" loading="lazy">\n      <span class="badge badge-{}">{}</span>\n'
    '    </div>\n    <div class="card-body">\n      <p class="card-price">{}</p>\n      <h3 class="card-title">{}</h3>\n'
    '      <p class="card-facts">{}</p>\n      <p class="card-place">{}</p>\n    </div>\n  </a>\n</article>'
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=300, help="generated homes (default %(default)s)")
    parser.add_argument("--renders", type=int, default=200, help="renders of each page (default %(default)s)")
    args = parser.parse_args()
    os.environ.setdefault("THROTTLE_INTERACTIONS", "1000000/min")  # every view is logged, as below the limit
    os.environ.setdefault("SIMILAR_SECTION_CACHE_SECONDS", "0")
    django_setup()
    with bench_database(BENCH_DATABASE):
        listing = _listings_load(homes=args.listings)
        _bench_pages(listing, renders=args.renders)
        _bench_parts(listing)


def _listings_load(*, homes: int) -> Any:
    """``homes`` demo homes with item embeddings and neighbour lists; the first, with three price changes."""
    from django.utils import timezone

    from listings.models import Listing, PriceChange

    ids = listings_generate(homes=homes)
    version, _ = item_embeddings_load(ids=ids, rng=np.random.default_rng(1))
    neighbour_lists_load(version=version, ids=ids.tolist(), length=min(50, len(ids) - 1))
    listing = Listing.objects.get(pk=int(ids[0]))
    now = timezone.now()
    price = listing.price
    for days, factor in ((60, Decimal("0.95")), (30, Decimal("0.97")), (7, Decimal("1.02"))):
        PriceChange.objects.create(listing=listing, old_price=price, new_price=round(price * factor),
                                   changed_at=now - timedelta(days=days))
        price = round(price * factor)
    Listing.objects.filter(pk=listing.pk).update(price=price)
    return Listing.objects.get(pk=listing.pk)


def _bench_pages(listing: Any, *, renders: int) -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # one of the default ALLOWED_HOSTS
    pages = {"listing page": listing.get_absolute_url(), "search, 20 cards": f"{reverse('listing_search')}?kind=home"}
    for path in pages.values():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(renders):
        for name, path in pages.items():
            started = time.perf_counter()
            client.get(path)
            times[name].append((time.perf_counter() - started) * 1e3)
    for name, measured in times.items():
        print(f"{name:18} {statistics.median(measured):6.2f} ms (median of {renders}; p90 "
              f"{statistics.quantiles(measured, n=10)[-1]:.2f} ms)")


def _bench_parts(listing: Any) -> None:
    from django.utils.html import format_html

    from listings import selectors
    from listings.models import Listing
    from listings.templatetags.listing_tags import (
        key_facts,
        listing_card,
        listing_price,
        place,
        placeholder_url,
        price_chart,
        price_chart_data,
    )

    cards = list(Listing.objects.filter(kind="home").prefetch_related("photos").order_by("-pk")[:20])
    points = selectors.price_history(listing=Listing.objects.prefetch_related("price_changes").get(pk=listing.pk))

    def baseline_cards() -> None:
        for card in cards:
            format_html(CARD_BASELINE, card.get_absolute_url(), placeholder_url(card), card.offer,
                        card.get_offer_display(), listing_price(card), card.title, key_facts(card), place(card))

    def template_cards() -> None:
        for card in cards:
            listing_card(card)

    _compare("20 cards", baseline=("format_html", baseline_cards), measured=("listing_card", template_cards))
    _compare("price chart", baseline=("price_chart_data", lambda: price_chart_data(points, listing.offer)),
             measured=("price_chart", lambda: price_chart(points, listing.offer)))


def _compare(title: str, *, baseline: tuple[str, Callable[[], Any]], measured: tuple[str, Callable[[], Any]]) -> None:
    figures = {name: _median_us(function) for name, function in (baseline, measured)}
    (baseline_name, baseline_us), (measured_name, measured_us) = figures.items()
    print(f"{title:18} {measured_name} {measured_us:7.1f} µs, {baseline_name} {baseline_us:7.1f} µs "
          f"(baseline), {measured_us / baseline_us:4.2f}× the baseline's time")


def _median_us(function: Callable[[], Any], *, calls: int = 200, rounds: int = 7) -> float:
    function()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(times)


if __name__ == "__main__":
    main()
