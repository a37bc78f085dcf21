from __future__ import annotations

from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from listings import checks  # noqa: F401  (registers the pgvector check)
