"""What a process of ours does before Django reads its settings, and the folders it needs after.

Importing the settings starts nothing (mypy, an IDE or any tool may import them). The entry points do the
start instead: ``manage.py``, ``wsgi.py``, the Celery app's configuration (``trustasset/celery_settings.py``,
read first by a worker or beat) and the test set-up (``tests/startup.py``) call ``process_prepare`` before
Django loads its settings. With ``DATABASE_URL`` unset it starts (or joins) the embedded PostgreSQL and puts
the server's URL in ``DATABASE_URL``, where the settings read it and every child process finds it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from trustasset.database import embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# The URL we set for the embedded server: a child process that inherits it joins the server as well (each
# process holds a handle; the server stops with the last), where a DATABASE_URL given by hand is left alone.
EMBEDDED_URL_VARIABLE = "TRUSTASSET_EMBEDDED_DATABASE_URL"


def process_prepare(environ: MutableMapping[str, str] = os.environ) -> None:
    """Name our settings module and, with ``DATABASE_URL`` unset, start or join the embedded database."""
    environ.setdefault("DJANGO_SETTINGS_MODULE", "trustasset.settings")
    given = environ.get("DATABASE_URL", "")
    if given and given != environ.get(EMBEDDED_URL_VARIABLE):
        return
    url = embedded_database_url(data_dir(environ))
    environ["DATABASE_URL"] = environ[EMBEDDED_URL_VARIABLE] = url


def data_dir(environ: MutableMapping[str, str] = os.environ) -> Path:
    """``$TRUSTASSET_DATA_DIR``, by default ``./var`` beside manage.py (the settings' DATA_DIR)."""
    return Path(environ.get("TRUSTASSET_DATA_DIR") or BASE_DIR / "var").resolve()


def folders_ensure() -> None:
    """Make the folders the loaded settings name: collected static files (WhiteNoise warns on every request
    without them) and the file broker's (Kombu's filesystem transport needs them to exist)."""
    from django.conf import settings

    folders = [Path(settings.STATIC_ROOT)]
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders += [Path(str(options[name])) for name in ("data_folder_in", "data_folder_out", "control_folder")
                if name in options]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
