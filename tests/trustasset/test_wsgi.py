"""The web process's start (trustasset/wsgi.py): everything it loads is frozen out of the cyclic collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent


def test_it_loads_every_view_and_freezes_what_it_loaded_before_the_first_request() -> None:
    code = (
        "import gc, json, sys; import trustasset.wsgi; "
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'tracked': len(gc.get_objects()), "
        "'views': sorted(name for name in sys.modules if name.endswith('.views'))}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "trustasset.settings"}
    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment,  # noqa: S603 (our code)
                              capture_output=True, text=True, timeout=120, check=True)

    started = json.loads(finished.stdout.splitlines()[-1])
    assert {"listings.views", "recommendations.views", "descriptions.views", "accounts.views"} <= set(
        started["views"]
    )
    # Left to the collector: what the print itself made, not the start's hundreds of thousands of objects.
    assert started["frozen"] > 100_000
    assert started["tracked"] < 1_000
