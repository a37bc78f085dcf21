"""Moderators see every description request with its findings, and each listing's description history."""

from __future__ import annotations

from django.contrib import admin

from descriptions.models import DescriptionRequest, DescriptionRevision


@admin.register(DescriptionRequest)
class DescriptionRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "listing", "status", "tone", "engine", "findings_count", "created_at", "finished_at"]
    list_filter = ["status", "tone", "engine"]
    search_fields = ["listing__title", "draft"]
    raw_id_fields = ["listing", "requested_by"]
    readonly_fields = ["created_at", "started_at", "finished_at", "decided_at", "attempts"]

    @admin.display(description="findings")
    def findings_count(self, request: DescriptionRequest) -> int:
        return len(request.findings)


@admin.register(DescriptionRevision)
class DescriptionRevisionAdmin(admin.ModelAdmin):
    list_display = ["id", "listing", "replaced_at", "replaced_by", "request"]
    raw_id_fields = ["listing", "replaced_by", "request"]
    search_fields = ["listing__title", "description"]
