from __future__ import annotations

from django.apps import AppConfig


class DescriptionsConfig(AppConfig):
    name = "descriptions"
