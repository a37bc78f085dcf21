from __future__ import annotations

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"

    def ready(self) -> None:
        from recommendations import tasks  # noqa: F401  (registers its tasks: trustasset/enqueue.py)
