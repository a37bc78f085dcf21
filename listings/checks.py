"""A system check (run by ``migrate``, ``check --database default``) for pgvector >= 0.8."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from trustasset.database import pgvector_problem


def pgvector_available_version(alias: str = "default") -> str | None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
        row = cursor.fetchone()
    return row[0] if row else None


@register(Tags.database)
def pgvector_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in databases or []:
        problem = pgvector_problem(pgvector_available_version(alias))
        if problem:
            errors.append(Error(problem, id="trustasset.E001"))
    return errors
