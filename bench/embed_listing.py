"""Worker time to embed one new listing end to end, beside the bare sentence-encoder call it contains.

    .venv/bin/python bench/embed_listing.py [--listings 3000] [--runs 50]

On its own database, ``bench_embed`` (created, migrated, dropped at the end): ``--listings``
generated homes and a quickly trained encoder (5 epochs: the timing does not depend on quality).
Then ``--runs`` times: a new listing is saved and ``listing_embed`` (the Celery task's body: load
the row, text embedding, feature pipeline, encoder, two upserts) is timed; the baseline is
``text_embed`` of the same text alone. Prints median and p90 of both and their ratio (goal:
≤ 100 ms per listing). Not part of the test run.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bench.database import bench_database, django_setup

BENCH_DATABASE = "bench_embed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    django_setup()
    with bench_database(BENCH_DATABASE):
        _run(listings=args.listings, runs=args.runs)


def _run(*, listings: int, runs: int) -> None:
    from listings.importers.demo import demo_listings_generate, demo_users_ensure
    from listings.models import Listing
    from recommendations.ml.autoencoder import DEFAULT_CONFIG
    from recommendations.ml.text import text_embed
    from recommendations.services.embeddings import listing_embed
    from recommendations.services.encoder import encoder_retrain
    from recommendations.services.frames import listing_texts

    demo_listings_generate(homes=listings, cars=0, seed=1)
    started = time.perf_counter()
    encoder_retrain(kind="home", config=dataclasses.replace(DEFAULT_CONFIG, max_epochs=5))
    print(f"trained on {listings:,} homes (text embeddings included) in {time.perf_counter() - started:.0f} s")
    seller = demo_users_ensure()["seller"]
    embed_ms, text_ms = [], []
    for run in range(runs):
        listing = Listing.objects.create(
            kind="home", offer="sale", status="active", title=f"{2 + run % 3} bd, 2 ba house in Austin, TX",
            description="Bright corner lot close to schools and parks.", price=Decimal(250_000 + 1_000 * run),
            city="Austin", state="TX", zip_code="78701", lat=30.27, lon=-97.74, bed=2 + run % 3, bath=2,
            house_size=1_400 + run, seller=seller,
        )
        started = time.perf_counter()
        assert listing_embed(listing_id=listing.pk)
        embed_ms.append((time.perf_counter() - started) * 1000)
        text = listing_texts(listing_ids=[listing.pk])[listing.pk]
        started = time.perf_counter()
        text_embed([text])
        text_ms.append((time.perf_counter() - started) * 1000)
    for name, timings in (("listing_embed", embed_ms), ("text_embed alone", text_ms)):
        p90 = statistics.quantiles(timings, n=10)[8]
        print(f"{name:>16}: median {statistics.median(timings):6.1f} ms  p90 {p90:6.1f} ms")
    print(f"ratio of medians: {statistics.median(embed_ms) / statistics.median(text_ms):.2f}x")


if __name__ == "__main__":
    main()
