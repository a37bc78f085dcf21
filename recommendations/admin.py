"""Admins see trained versions and refresh runs, roll back to an older version, and start a retrain.

Versions and runs are written by the training and refresh services only, so here they are read-only;
the two actions need the permission to change model versions (superusers have it).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from recommendations import tasks
from recommendations.models import InterestProfile, NeighbourRefresh, SimulatedUser
from registry.models import ModelVersion
from registry.services import version_rollback


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _metric(version: ModelVersion, name: str, template: str) -> str:
    value = version.metrics.get(name)
    return "—" if value is None else template.format(value)


def _pretty_json(value: dict[str, Any]) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "algorithm", "status", "active", "created_at", "activated_at",
                    "val_mse", "rows", "mean_baseline_factor")
    list_filter = ("kind", "algorithm", "status", "active")
    fields = ("kind", "algorithm", "status", "active", "created_at", "activated_at", "artifact_path",
              "params_pretty", "metrics_pretty", "error_pretty")
    readonly_fields = fields
    actions = ("activate", "retrain")

    @admin.display(description="val MSE")
    def val_mse(self, version: ModelVersion) -> str:
        return _metric(version, "val_mse", "{:.5f}")

    @admin.display(description="rows")
    def rows(self, version: ModelVersion) -> str:
        return _metric(version, "rows", "{:,}")

    @admin.display(description="× better than the mean")
    def mean_baseline_factor(self, version: ModelVersion) -> str:
        return _metric(version, "mean_baseline_factor", "{:.2f}")

    @admin.display(description="params")
    def params_pretty(self, version: ModelVersion) -> str:
        return _pretty_json(version.params)

    @admin.display(description="metrics")
    def metrics_pretty(self, version: ModelVersion) -> str:
        return _pretty_json(version.metrics)

    @admin.display(description="error")
    def error_pretty(self, version: ModelVersion) -> str:
        return format_html("<pre>{}</pre>", version.error) if version.error else "—"

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("registry.change_modelversion")

    @admin.action(description="Activate (roll back to) this version", permissions=["manage"])
    def activate(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        selected = list(queryset[:2])
        if len(selected) != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return
        try:
            version = version_rollback(version=selected[0])
        except ValueError as error:  # the service refuses versions that are not ready
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"Version {version.pk} is now the active {version.kind} encoder.", messages.SUCCESS)

    @admin.action(description="Retrain now", permissions=["manage"])
    def retrain(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        kinds = sorted(set(queryset.values_list("kind", flat=True)))
        for kind in kinds:
            transaction.on_commit(partial(tasks.encoder_retrain.delay, kind))
        self.message_user(request, f"Retraining queued for: {', '.join(kinds)}.", messages.SUCCESS)


@admin.register(NeighbourRefresh)
class NeighbourRefreshAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "version", "incremental", "started_at", "finished_at", "listings", "seconds",
                    "chunks")
    list_filter = ("kind", "incremental")
    list_select_related = ("version",)

    @admin.display(description="chunks done")
    def chunks(self, refresh: NeighbourRefresh) -> str:
        return f"{refresh.chunks_done} / {refresh.chunks_total}"


@admin.register(InterestProfile)
class InterestProfileAdmin(ReadOnlyAdmin):
    """What the feed infers per person and kind; recomputed from interactions, so read-only here."""

    list_display = ["__str__", "kind", "intent", "listings", "target_price_sale", "target_price_rent", "computed_at"]
    list_filter = ["kind", "intent"]
    search_fields = ["user__username", "session_key"]
    list_select_related = ["user"]
    exclude = ["item_centroid", "text_centroid"]


@admin.register(SimulatedUser)
class SimulatedUserAdmin(ReadOnlyAdmin):
    list_display = ["user", "archetype", "intents", "drifted", "seed"]
    list_filter = ["archetype", "drifted", "seed"]
    list_select_related = ["user"]
