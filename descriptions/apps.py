from __future__ import annotations

from django.apps import AppConfig


class DescriptionsConfig(AppConfig):
    name = "descriptions"

    def ready(self) -> None:
        from descriptions import tasks  # noqa: F401  (registers its tasks: trustasset/enqueue.py)
