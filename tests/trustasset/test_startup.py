"""Importing the settings starts nothing; the entry points start or join the embedded database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustasset import startup
from trustasset.database import EMBEDDED_NOT_STARTED_URL

PROJECT = Path(__file__).resolve().parents[2]


def _without_database(environ: dict[str, str], data_dir: Path) -> dict[str, str]:
    environ = {name: value for name, value in environ.items()
               if name not in ("DATABASE_URL", startup.EMBEDDED_URL_VARIABLE)}
    return {**environ, "TRUSTASSET_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "trustasset.settings"}


def test_it_starts_nothing_when_the_settings_are_imported_and_django_set_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    code = ("import json, django; from django.conf import settings; from django.db import connection; "
            "django.setup(); url = settings.DATABASE_URL\n"
            "try: connection.ensure_connection()\n"
            "except Exception as error: print(json.dumps({'url': url, 'error': str(error)}))")

    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=_without_database(dict(os.environ), data_dir),  # noqa: S603
                              capture_output=True, text=True, timeout=120, check=True)

    loaded = json.loads(finished.stdout.splitlines()[-1])
    assert loaded["url"] == EMBEDDED_NOT_STARTED_URL
    assert 'socket "/embedded-database-not-started-run-through-manage.py/.s.PGSQL.5432" failed' in loaded["error"]
    assert not data_dir.exists()  # no server, no folders


def test_it_starts_the_embedded_database_and_names_it_for_children(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    started: list[Path] = []
    monkeypatch.setattr(startup, "embedded_database_url",
                        lambda data_dir: started.append(data_dir) or "postgres://embedded/trustasset")
    environ = {"TRUSTASSET_DATA_DIR": str(tmp_path)}

    startup.process_prepare(environ)
    child = dict(environ)
    startup.process_prepare(child)

    assert started == [tmp_path, tmp_path]  # the child joins the server too: one handle per process
    assert child["DATABASE_URL"] == "postgres://embedded/trustasset"
    assert child["DJANGO_SETTINGS_MODULE"] == "trustasset.settings"


def test_it_leaves_a_database_url_given_by_hand_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "embedded_database_url", lambda data_dir: pytest.fail("started a server"))
    environ = {"DATABASE_URL": "postgres://db:5432/trustasset",
               startup.EMBEDDED_URL_VARIABLE: "postgres://embedded/trustasset"}

    startup.process_prepare(environ)

    assert environ["DATABASE_URL"] == "postgres://db:5432/trustasset"


def test_it_makes_the_folders_the_settings_name(settings, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "in"),
                                                "data_folder_out": str(tmp_path / "out"),
                                                "control_folder": str(tmp_path / "in" / "control")}

    startup.folders_ensure()

    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")) == [
        "in", "in/control", "out", "static"]
