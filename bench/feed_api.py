"""Latency of ``GET /api/feed/`` at scale, and profile refresh throughput, beside baselines in the same run.

    .venv/bin/python bench/feed_api.py [--listings 1000000] [--users 20] [--history 200] [--requests 1000]
                                       [--sequence-model]

Builds its own database, ``bench_feed`` (created, migrated, dropped at the end; your data is not
touched): ``--listings`` generated homes with random 10-d item embeddings of an active encoder
version (HNSW index built after loading, as a retrain would find it), and ``--users`` users with
``--history`` interactions each, on listings near a centre of their own (no text embeddings: the
1M × 384 floats would dwarf the machine; the feed then ranks on item embeddings alone).

Prints, through Django's full stack (test client: middleware, session auth, DRF, JSON):
- the feed for signed-in users with fresh profiles (p50 / p99 / mean; goal p99 ≤ 50 ms), with impressions logged;
- the feed right after a new interaction (the profile is recomputed on read);
- a minimal JSON view for the same signed-in users (the baseline) and the ratio of means;
- with ``--sequence-model``, the same feed measurements again with a next-item model (SASRec over every
  listing) blended in, as production serves it when a trained version has a blend weight above 0;
- profile refreshes per second (``profiles_refresh``, both kinds) against reading the same interactions alone.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bench.database import (
    bench_database,
    django_setup,
    item_embeddings_load,
    listings_generate,
    users_with_history,
)

BENCH_DATABASE = "bench_feed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--sequence-model", action="store_true",
                        help="Then measure again with a next-item model (SASRec, every listing in its vocabulary) "
                             "blended in at weight 0.3.")
    args = parser.parse_args()
    django_setup()
    with bench_database(BENCH_DATABASE):
        users = _populate(listings=args.listings, users=args.users, history=args.history)
        _measure_feed(users=users, requests=args.requests)
        if args.sequence_model:
            print("with a next-item model blended in:")
            _sequence_model_activate(users=users)
            _measure_feed(users=users, requests=args.requests)
        _measure_refresh(users=users)


def _sequence_model_activate(*, users: list[int]) -> None:
    """Train a small SASRec on the users' histories over every listing, and activate it (weight 0.3)."""
    import tempfile

    from django.conf import settings

    from listings.models import Interaction, Listing
    from recommendations.ml.sequence.config import SequenceConfig
    from recommendations.ml.sequence.training import sequence_train
    from recommendations.services.sequence_store import BLEND_WEIGHT, SEQUENCE_FILE
    from registry.artifacts import artifact_dir
    from registry.models import Algorithm, ModelVersion, VersionStatus

    settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="bench_feed_"))
    item_ids = np.array(sorted(Listing.objects.values_list("pk", flat=True)), dtype=np.int64)
    sequences = [np.array(Interaction.objects.filter(user_id=user).order_by("created_at", "id")
                          .values_list("listing_id", flat=True), dtype=np.int64) for user in users]
    started = time.perf_counter()
    model, _ = sequence_train(sequences, item_ids=item_ids, config=SequenceConfig(max_epochs=2, val_fraction=0.0))
    version = ModelVersion.objects.create(kind="home", algorithm=Algorithm.SASREC, status=VersionStatus.READY,
                                          active=True, params={BLEND_WEIGHT: 0.3})
    directory = artifact_dir(version=version)
    directory.mkdir(parents=True)
    model.save(directory / SEQUENCE_FILE)
    version.artifact_path = str(directory.relative_to(Path(settings.DATA_DIR) / "models"))
    version.save(update_fields=["artifact_path"])
    print(f"  trained on {len(sequences)} users over {len(item_ids):,} listings in {time.perf_counter() - started:.1f} s")


def _populate(*, listings: int, users: int, history: int) -> list[int]:
    ids = listings_generate(homes=listings)
    rng = np.random.default_rng(1)
    _, vectors = item_embeddings_load(ids=ids, rng=rng)
    return users_with_history(ids=ids, vectors=vectors, users=users, history=history, rng=rng)


def _measure_feed(*, users: list[int], requests: int) -> None:
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    from listings.models import Event, Interaction

    clients = []
    for pk in users:
        client = Client()
        client.force_login(User.objects.get(pk=pk))
        clients.append(client)
    with override_settings(ROOT_URLCONF="bench.similar_api_urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for client in clients:  # warm-up, and each user's profile computed once
            for _ in range(3):
                assert client.get("/api/feed/?kind=home&limit=10").status_code == 200
                client.get("/bench/minimal/")
        feed = _timings([(clients[index % len(clients)], "/api/feed/?kind=home&limit=10") for index in range(requests)])
        minimal = _timings([(clients[index % len(clients)], "/bench/minimal/") for index in range(requests)])
        stale = []
        for index in range(min(requests, 200)):
            user_id = users[index % len(users)]
            listing_id = Interaction.objects.filter(user_id=user_id).values_list("listing_id", flat=True).first()
            Interaction.objects.create(user_id=user_id, listing_id=listing_id, event=Event.VIEW)
            stale += _timings([(clients[index % len(clients)], "/api/feed/?kind=home&limit=10")])
    for name, timings in (("feed", feed), ("feed, stale profile", stale), ("minimal", minimal)):
        quantiles = statistics.quantiles(timings, n=100)
        print(f"{name:>20}: p50 {quantiles[49]:6.2f} ms  p99 {quantiles[98]:6.2f} ms  "
              f"mean {statistics.fmean(timings):6.2f} ms  ({len(timings)} requests)")
    print(f"ratio of means feed / minimal: {statistics.fmean(feed) / statistics.fmean(minimal):.2f}x")


def _timings(calls: list[tuple[object, str]]) -> list[float]:
    timings = []
    for client, url in calls:
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def _measure_refresh(*, users: list[int], rounds: int = 5) -> None:
    from listings.models import Interaction
    from recommendations.actors import Actor
    from recommendations.services.profiles import profiles_refresh

    def refresh_all() -> None:
        for pk in users:
            profiles_refresh(actor=Actor(user_id=pk))

    def read_all() -> None:
        for pk in users:
            for kind in ("home", "car"):
                list(Interaction.objects.filter(user_id=pk, listing__kind=kind).values_list(
                    "listing_id", "event", "created_at", "listing__offer", "listing__price"))

    refresh = min(_seconds(refresh_all) for _ in range(rounds))
    read = min(_seconds(read_all) for _ in range(rounds))
    print(f"profile refresh: {len(users) / refresh:7.1f} users/s ({refresh / len(users) * 1000:.1f} ms each, "
          f"both kinds); reading their interactions alone: {len(users) / read:7.1f} users/s; "
          f"ratio {refresh / read:.2f}x")


def _seconds(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
