"""Admins see refresh runs and profiles, and start a retrain from the model registry's version list.

Runs and profiles are written by the refresh and profile services only, so here they are read-only;
the retrain action needs the permission to change model versions (superusers have it).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from recommendations.models import InterestProfile, NeighbourRefresh, SimulatedUser
from registry.admin import ModelVersionAdmin, ReadOnlyAdmin
from registry.models import ModelVersion
from trustasset.enqueue import task_enqueue

admin.site.unregister(ModelVersion)  # registry/admin.py's: this one is the same plus the retrain action


@admin.register(ModelVersion)
class EncoderVersionAdmin(ModelVersionAdmin):
    """The registry's version list, plus retraining the encoders of the selected versions' kinds."""

    actions = (*ModelVersionAdmin.actions, "retrain")

    @admin.action(description="Retrain now", permissions=["manage"])
    def retrain(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        kinds = sorted(set(queryset.values_list("kind", flat=True)))
        for kind in kinds:
            task_enqueue("recommendations.tasks.encoder_retrain", kind)
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
