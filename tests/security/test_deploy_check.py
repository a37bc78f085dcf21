"""``manage.py check --deploy`` under a production environment: not one warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
# Settings the production environment below decides; whatever the test run itself has set is dropped.
DECIDED = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SESSION_COOKIE_SECURE",
           "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
           "SECURE_HSTS_PRELOAD", "DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "TRUSTASSET_DATA_DIR")


def production_environment(data_dir: Path) -> dict[str, str]:
    """README's "Production deployment" variables; the servers named are never contacted by the check."""
    return {
        **{name: value for name, value in os.environ.items() if name not in DECIDED},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "trustasset.example",
        "CSRF_TRUSTED_ORIGINS": "https://trustasset.example",
        "DATABASE_URL": "postgres://trustasset:secret@db.invalid:5432/trustasset",
        "CACHE_URL": "redis://redis.invalid:6379/1",
        "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
        "SITE_URL": "https://trustasset.example",
        "TRUSTASSET_DATA_DIR": str(data_dir),
        "OMP_NUM_THREADS": "1",
    }


def test_it_passes_the_deploy_check_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT, env=production_environment(tmp_path), capture_output=True, text=True, timeout=120, check=False,
    )

    assert result.returncode == 0, result.stderr  # --fail-level WARNING: any warning fails the command
    assert result.stdout == "System check identified no issues (0 silenced).\n"
