"""The web process imports no torch, transformers or pandas, nor any tasks module: not to start, nor to serve a
listing's page, the home feed or the feed API (gunicorn would pay their seconds and hundreds of MB in every
worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from listings.models import Event, Interaction
from recommendations.models import ItemEmbedding, NeighbourList
from registry.models import ModelVersion
from tests.factories import HomeFactory, UserFactory

PROJECT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "pandas", "sentence_transformers")
TASKS = ("listings.tasks", "recommendations.tasks", "descriptions.tasks")

# Started as gunicorn starts a worker (trustasset.wsgi: every view loaded), then three requests.
SERVE = """
import json, sys
import trustasset.wsgi
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
statuses = [client.get(f"/listings/{LISTING}/").status_code]
client.login(username="buyer", password="buyer-password")
statuses += [client.get("/").status_code, client.get("/api/feed/?kind=home&limit=5").status_code]
print(json.dumps({"statuses": statuses, "feed": client.get("/api/feed/?kind=home").json()["results"][0]["reason"],
                  "loaded": sorted(name for name in HEAVY if name in sys.modules),
                  "tasks": sorted(name for name in sys.modules if name in OURS)}))
"""


def _database_url() -> str:
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.mark.django_db(transaction=True)
def test_it_serves_a_listing_page_and_the_feed_without_torch_pandas_or_transformers(tmp_path: Path) -> None:
    encoder = ModelVersion.objects.create(kind="home", algorithm="autoencoder", status="ready", active=True)
    published = timezone.now() - timedelta(days=30)
    homes = [HomeFactory(title=f"{number} Oak St", price=Decimal(250_000 + number * 1_000), published_at=published)
             for number in range(1, 5)]
    for position, home in enumerate(homes):
        ItemEmbedding.objects.create(version=encoder, listing=home, vector=[1.0, position / 10, *[0.0] * 8],
                                     embedded_at=timezone.now())
    NeighbourList.objects.create(version=encoder, source=homes[0], target_ids=[homes[1].pk, homes[2].pk],
                                 scores=[0.9, 0.8], refreshed_at=timezone.now())
    buyer = UserFactory(username="buyer", password="buyer-password")
    Interaction.objects.create(user=buyer, listing=homes[0], event=Event.VIEW)
    code = f"LISTING = {homes[0].pk}\nHEAVY = {HEAVY!r}\nOURS = {TASKS!r}\n{SERVE}"
    environment = {**os.environ, "DATABASE_URL": _database_url(), "TRUSTASSET_DATA_DIR": str(tmp_path),
                   "DJANGO_SETTINGS_MODULE": "trustasset.settings", "CELERY_TASK_ALWAYS_EAGER": "false",
                   "CELERY_BROKER_URL": "filesystem://"}

    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment,  # noqa: S603 (ours)
                              capture_output=True, text=True, timeout=180, check=False)

    assert finished.returncode == 0, finished.stderr
    served = json.loads(finished.stdout.splitlines()[-1])
    assert served["statuses"] == [200, 200, 200]
    assert served["feed"] == "Because you viewed 1 Oak St · Near the ~$251k you have been viewing"
    assert served["loaded"] == []
    assert served["tasks"] == []  # the web process queues tasks by name (trustasset/enqueue.py) and loads none
