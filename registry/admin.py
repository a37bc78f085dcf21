"""Admins see trained versions with their metrics and roll back to an older one.

Versions are written by the training services only, so here they are read-only; activating needs the
permission to change model versions (superusers have it). Apps add their own actions (retraining) by
registering a subclass of ``ModelVersionAdmin`` in place of this one.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from registry.models import Algorithm, ModelVersion
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
    actions: tuple[str, ...] = ("activate",)

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
        self.message_user(request, f"Version {version.pk} is now the active {_role(version)}.", messages.SUCCESS)


# What each algorithm's active version is, in the admin's words.
ROLES = {Algorithm.AUTOENCODER: "encoder", Algorithm.SASREC: "next-item model", Algorithm.LORA: "description adapter"}


def _role(version: ModelVersion) -> str:
    """"home encoder", "car next-item model", "description adapter" (a model of every kind names none)."""
    role = ROLES.get(Algorithm(version.algorithm), version.algorithm)
    return role if version.kind == "all" else f"{version.kind} {role}"
