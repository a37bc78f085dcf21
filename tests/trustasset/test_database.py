from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from listings.checks import pgvector_available_version
from trustasset.database import pgvector_problem

PROJECT = Path(__file__).resolve().parents[2]


def test_it_accepts_pgvector_08_and_later() -> None:
    assert pgvector_problem("0.8.0") is None
    assert pgvector_problem("0.8.6") is None
    assert pgvector_problem("1.0.0") is None


def test_it_explains_an_old_pgvector() -> None:
    problem = pgvector_problem("0.7.4")

    assert problem is not None
    assert "pgvector 0.7.4" in problem
    assert ">= 0.8" in problem


def test_it_explains_a_missing_pgvector() -> None:
    problem = pgvector_problem(None)

    assert problem is not None
    assert "no pgvector extension" in problem


@pytest.mark.django_db
def test_it_runs_on_a_database_with_the_vector_extension() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        installed = cursor.fetchone()[0]

    assert pgvector_problem(pgvector_available_version()) is None
    assert tuple(int(part) for part in installed.split(".")[:2]) >= (0, 8)


def _system_postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _system_postgres_reachable(), reason="no PostgreSQL without pgvector on 127.0.0.1:5432")
def test_it_refuses_to_migrate_a_database_without_pgvector() -> None:
    """The machines' system PostgreSQL 15 has no pgvector: migrate must stop with the clear message."""
    environment = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 1
    assert "no pgvector extension; TrustAsset needs pgvector >= 0.8" in result.stderr
