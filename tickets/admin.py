"""The admin: administrators manage queues (and, through django.contrib.auth, users and roles).

Ticket data is shown only as the staff pages show it: through tickets.selectors.ticket_visible_to,
so an administrator who is not in a ticket's queue sees none of its personal data here either
(issue 7, least access). Tickets, messages and attachments are read-only in the admin: every
change goes through a service, which checks the rules, locks and writes the history entry with an
actor and a reason; an admin form or a history "revert" would bypass all three."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

from tickets.models import Attachment, Message, Queue, Ticket
from tickets.selectors import ticket_visible_to


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["members", "managers"]
    prepopulated_fields = {"slug": ["name"]}


class TicketDataAdmin(SimpleHistoryAdmin):
    """Read-only, and scoped to the tickets the signed-in user may see on the staff pages."""

    def visible(self, request: HttpRequest) -> QuerySet[Ticket]:
        return ticket_visible_to(request.user)

    def scope(self, queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
        return queryset.filter(ticket__in=self.visible(request).values("pk"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(super().get_queryset(request), request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # erasure is the retention service's, with its record (tickets/services/retention.py)

    def _require_visible(self, request: HttpRequest, object_id: str) -> None:
        # simple-history's views fall back to the historical rows when get_queryset hides an
        # object, so its history would show what the change page does not: check first.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "GET":
            # A revert would write an old status past the state machine, without a reason.
            return HttpResponseNotAllowed(["GET"])
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True


@admin.register(Ticket)
class TicketAdmin(TicketDataAdmin):
    list_display = ["reference", "kind", "regime", "status", "due_date", "queue", "assignee"]
    list_filter = ["status", "kind", "regime", "queue"]
    search_fields = ["reference"]
    exclude = ["submission_key"]

    def scope(self, queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
        return queryset.filter(pk__in=self.visible(request).values("pk"))


@admin.register(Message)
class MessageAdmin(TicketDataAdmin):
    list_display = ["ticket", "kind", "author", "created_at"]
    list_filter = ["kind"]


@admin.register(Attachment)
class AttachmentAdmin(TicketDataAdmin):
    list_display = ["original_name", "ticket", "content_type", "size", "uploaded_at"]
