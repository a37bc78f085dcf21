"""Render time of a listing's page and of a search page of 20 cards, beside the same pages with the cards and the
price chart built by ``format_html`` (as they were before they became templates), in the same run.

    .venv/bin/python bench/listing_render.py [--listings 300] [--renders 200]

Pages: ``GET`` through the test client (the whole stack: middleware, queries, templates), anonymous, the
median of ``--renders``; rounds of 10 alternate between the two builds (the ``listing_card`` and
``price_chart`` tags swapped, the compiled templates dropped) so a busy moment of the machine hits both alike:
  * a home's page with its similar section (rendered every time: SIMILAR_SECTION_CACHE_SECONDS=0) and a
    price history of three changes;
  * the search page, ``?kind=home``: 20 cards.
Then the parts alone, µs per call, beside the same baselines: ``listing_card`` over the search page's 20
listings (photos prefetched), ``price_chart`` of the page's history.
It runs on its own database, ``bench_render``, created on the configured server and dropped at the end.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
ROUND = 10  # renders of one page with one build before the builds swap
CARD = (
    '<article class="card">\n  <a class="card-link" href="{href}">\n    <div class="card-media">\n'
    '      {image}\n      <span class="badge badge-{offer}">{offer_label}</span>\n    </div>\n'
    '    <div class="card-body">\n      <p class="card-price">{price}</p>\n      <h3 class="card-title">{title}</h3>\n'
    '      <p class="card-facts">{facts}</p>\n      <p class="card-place">{place}</p>\n    </div>\n  </a>\n</article>'
)
CHART = (
    '<figure class="price-chart">\n'
    '  <svg viewBox="0 0 {width} {height}" role="img" aria-label="{summary}" xmlns="http://www.w3.org/2000/svg">\n'
    '    <title>{summary}</title>\n'
    '    <line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>\n'
    '    <line class="grid" x1="{left}" y1="{high_y}" x2="{right}" y2="{high_y}"/>\n'
    '    <text class="label" x="{label_x}" y="{high_y}" text-anchor="end" dominant-baseline="middle">'
    '{high_label}</text>\n{low}    <polyline class="line" points="{polyline}" fill="none"/>\n{markers}'
    '    <text class="label" x="{left}" y="{label_y}" text-anchor="start">{start_label}</text>\n'
    '    <text class="label" x="{right}" y="{label_y}" text-anchor="end">{end_label}</text>\n'
    '  </svg>\n  <figcaption>\n    <ul class="price-changes">{changes}</ul>\n  </figcaption>\n</figure>'
)
CHART_LOW = (
    '    <line class="grid" x1="{left}" y1="{low_y}" x2="{right}" y2="{low_y}"/>\n'
    '    <text class="label" x="{label_x}" y="{low_y}" text-anchor="end" dominant-baseline="middle">'
    '{low_label}</text>\n'
)
CHART_MARKER = '    <circle class="marker" cx="{}" cy="{}" r="4"><title>{}</title></circle>\n'


def format_html_card(listing: Any, href: str = "", came_from: str = "") -> Any:
    """The baseline: ``listing_card`` as it was, one ``format_html`` (the same HTML)."""
    from django.utils.html import format_html

    from listings.templatetags.listing_tags import _first_photo, key_facts, listing_price, place, placeholder_url

    if not href:
        href = listing.get_absolute_url() + (f"?from={came_from}" if came_from else "")
    photo = _first_photo(listing)
    if photo is not None:
        image = format_html('<img src="{}" alt="" loading="lazy">', photo.image.url)
    else:
        image = format_html('<img class="placeholder" src="{}" alt="" loading="lazy">', placeholder_url(listing))
    return format_html(
        CARD, href=href, image=image, offer=listing.offer, offer_label=listing.get_offer_display(),
        price=listing_price(listing), title=listing.title, facts=key_facts(listing), place=place(listing),
    )


def format_html_chart(points: Any, offer: str = "sale") -> Any:
    """The baseline: ``price_chart`` as it was, ``format_html`` (the same HTML)."""
    from django.utils.html import format_html, format_html_join

    from listings.templatetags.listing_tags import price_chart_data

    chart = price_chart_data(points, offer)
    low = ""
    if chart["low_label"] != chart["high_label"]:
        low = format_html(CHART_LOW, label_x=chart["left"] - 8, **chart)
    markers = chart.pop("markers")
    return format_html(
        CHART, label_x=chart["left"] - 8, label_y=chart["height"] - 10, low=low,
        markers=format_html_join("", CHART_MARKER, ((m["x"], m["y"], m["label"]) for m in markers)),
        changes=format_html_join("", "<li>{}</li>", ((m["label"],) for m in markers)), **chart,
    )


@contextmanager
def baseline_tags(*, on: bool) -> Iterator[None]:
    """With ``on``, pages render their cards and chart by the ``format_html`` baselines; compiled templates are
    dropped on the way in and out, so the next render compiles them with the tags of its build."""
    from django.template import engines

    from listings.templatetags.listing_tags import register

    kept = dict(register.tags)
    if on:
        register.simple_tag(format_html_card, name="listing_card")
        register.simple_tag(format_html_chart, name="price_chart")
    for loader in engines["django"].engine.template_loaders:
        loader.reset()
    try:
        yield
    finally:
        register.tags.update(kept)
        for loader in engines["django"].engine.template_loaders:
            loader.reset()


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
    html = {}
    for build in ("format_html", "templates"):
        with baseline_tags(on=build == "format_html"):
            html[build] = [client.get(path).content for path in pages.values()]
    assert html["format_html"] == html["templates"], "the two builds must render the same pages"
    times: dict[tuple[str, str], list[float]] = {(page, build): [] for page in pages for build in html}
    for _ in range(max(1, renders // ROUND)):
        for build in html:
            with baseline_tags(on=build == "format_html"):
                for name, path in pages.items():
                    client.get(path)  # compiles the page's templates with this build's tags
                    for _ in range(ROUND):
                        started = time.perf_counter()
                        client.get(path)
                        times[name, build].append((time.perf_counter() - started) * 1e3)
    for name in pages:
        baseline, ours = (statistics.median(times[name, build]) for build in html)
        print(f"{name:18} templates {ours:6.2f} ms, format_html {baseline:6.2f} ms (baseline): "
              f"{ours / baseline:4.2f}× the baseline's time (medians of {len(times[name, 'templates'])})")


def _bench_parts(listing: Any) -> None:
    from listings import selectors
    from listings.models import Listing
    from listings.templatetags.listing_tags import listing_card, price_chart

    cards = list(Listing.objects.filter(kind="home").prefetch_related("photos").order_by("-pk")[:20])
    points = selectors.price_history(listing=Listing.objects.prefetch_related("price_changes").get(pk=listing.pk))
    assert [format_html_card(card) for card in cards] == [listing_card(card) for card in cards]
    assert format_html_chart(points, listing.offer) == price_chart(points, listing.offer)
    _compare("20 cards", [("format_html", lambda: [format_html_card(card) for card in cards]),
                          ("listing_card", lambda: [listing_card(card) for card in cards])])
    _compare("price chart", [("format_html", lambda: format_html_chart(points, listing.offer)),
                             ("price_chart", lambda: price_chart(points, listing.offer))])


def _compare(title: str, contenders: list[tuple[str, Callable[[], Any]]], *, calls: int = 100,
             rounds: int = 9) -> None:
    """µs per call of each contender, the first the baseline; rounds alternate between them."""
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for _, function in contenders:
        function()
    for _ in range(rounds):
        for name, function in contenders:
            started = time.perf_counter()
            for _ in range(calls):
                function()
            times[name].append((time.perf_counter() - started) / calls * 1e6)
    medians = {name: statistics.median(measured) for name, measured in times.items()}
    baseline = medians[contenders[0][0]]
    print(f"{title}: " + ", ".join(f"{name} {us:.0f} µs ({us / baseline:.2f}×)" for name, us in medians.items()))


if __name__ == "__main__":
    main()
