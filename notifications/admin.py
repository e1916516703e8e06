"""The outbox in the admin, for finding failed deliveries. A requester's email names them, quotes
their request and carries a live status link, so a row about a ticket is shown only to staff who
may see that ticket on the staff pages (tickets.selectors.ticket_visible_to); rows about no ticket
are staff digests (references and dates only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from notifications.models import Outbox
from tickets.selectors import ticket_visible_to


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "recipient", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "event"]
    readonly_fields = [field.name for field in Outbox._meta.get_fields() if field.concrete]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outbox]:
        visible = ticket_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(Q(ticket__isnull=True) | Q(ticket__in=visible))

    def has_add_permission(self, request: Any) -> bool:
        return False
