from __future__ import annotations

from django.contrib import admin

from notifications.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "recipient", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "event"]
    readonly_fields = [field.name for field in Outbox._meta.get_fields() if field.concrete]

    def has_add_permission(self, request: object) -> bool:
        return False
