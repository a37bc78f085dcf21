"""What every bench needs: Django set up, and a database of its own that is dropped at the end."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustasset.settings")
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
