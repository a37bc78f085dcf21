"""What every bench needs: Django set up, a database of its own that is dropped at the end, and loaders of
generated listings, embeddings, neighbour lists and users with histories."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    from trustasset.startup import process_prepare

    process_prepare()  # the embedded database when DATABASE_URL is unset, as manage.py does
    import django

    django.setup()


@contextmanager
def bench_database(name: str) -> Iterator[None]:
    """Create and migrate ``name`` on the configured server with Django's test-database machinery,
    point the connection at it, and drop it at the end: the project's own data is never touched."""
    from django.db import connection

    original_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


# Loaders shared by the benches: generated homes, an active encoder version with item embeddings and
# stored neighbour lists, and users with a browsing history. Each prints how long it took.

def listings_generate(*, homes: int) -> np.ndarray:
    """Generate ``homes`` demo homes (seed 1); every listing's id, ascending."""
    from listings.importers.demo import demo_listings_generate
    from listings.models import Listing

    started = time.perf_counter()
    demo_listings_generate(homes=homes, cars=0, seed=1)
    ids = np.array(Listing.objects.order_by("pk").values_list("pk", flat=True))
    print(f"generated {len(ids):,} listings in {time.perf_counter() - started:.0f} s", flush=True)
    return ids


def item_embeddings_load(*, ids: np.ndarray, rng: np.random.Generator) -> tuple[Any, np.ndarray]:
    """An active home encoder version with a random 10-d item embedding for each of ``ids`` (COPY), the HNSW
    index built after loading as a retrain would find it; the version and the (n, 10) float32 vectors.
    No text embeddings: 1M × 384 floats would dwarf the machine (the feed then ranks on item embeddings)."""
    from django.db import connection
    from django.utils import timezone

    from registry.models import ModelVersion

    version = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True,
                                          activated_at=timezone.now())
    started = time.perf_counter()
    vectors = rng.normal(size=(len(ids), 10)).astype(np.float32)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX itemembedding_vector_idx")
        with cursor.cursor.copy(
            "COPY recommendations_itemembedding (version_id, listing_id, vector, embedded_at) FROM STDIN"
        ) as copy:
            for pk, vector in zip(ids.tolist(), vectors, strict=True):
                copy.write_row((version.pk, pk, "[" + ",".join(f"{value:.5f}" for value in vector) + "]", now))
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE INDEX itemembedding_vector_idx ON recommendations_itemembedding "
            "USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute("ANALYZE")
    print(f"embedded {len(ids):,} listings and built the HNSW index in {time.perf_counter() - started:.0f} s",
          flush=True)
    return version, vectors


def neighbour_lists_load(*, version: Any, ids: list[int], length: int = 50, seed: int = 1) -> None:
    """A stored ``length``-long neighbour list of ``version`` for each of ``ids`` (random targets: the read
    path does not care how they were computed)."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    scores = [1.0 - rank / 100 for rank in range(length)]
    with connection.cursor() as cursor, cursor.cursor.copy(
        "COPY recommendations_neighbourlist (version_id, source_id, target_ids, scores, refreshed_at) FROM STDIN"
    ) as copy:
        for source in ids:
            copy.write_row((version.pk, source, rng.sample(ids, length), scores, now))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"stored {len(ids):,} neighbour lists in {time.perf_counter() - started:.0f} s", flush=True)


def users_with_history(
    *, ids: np.ndarray, vectors: np.ndarray, users: int, history: int, rng: np.random.Generator,
    prefix: str = "bench",
) -> list[int]:
    """``users`` users (``{prefix}-0``, …) with ``history`` interactions each over the last 60 days, on
    listings near a random point of embedding space of their own; their ids."""
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone

    from listings.models import Event, Interaction

    made = []
    now = timezone.now()
    for index in range(users):
        user = User.objects.create_user(username=f"{prefix}-{index}")
        centre = rng.normal(size=vectors.shape[1])
        nearest = np.argsort(-(vectors @ centre))[: 5 * history]
        chosen = ids[rng.choice(nearest, size=history, replace=True)]
        events = rng.choice([Event.VIEW] * 3 + [Event.FAVORITE, Event.CONTACT], size=history)
        ages = rng.uniform(0, 60, size=history)
        Interaction.objects.bulk_create([
            Interaction(user_id=user.pk, listing_id=pk, event=str(event), created_at=now - timedelta(days=float(age)))
            for pk, event, age in zip(chosen.tolist(), events, ages, strict=True)
        ])
        made.append(user.pk)
    print(f"{users} users with {history} interactions each", flush=True)
    return made
