"""Every model in the admin, with its history (simple-history's "History" button)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tickets.models import Attachment, Message, Queue, Ticket


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["members", "managers"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "kind", "regime", "status", "due_date", "queue", "assignee"]
    list_filter = ["status", "kind", "regime", "queue"]
    search_fields = ["reference"]
    # Status, receipt and deadlines change only through services (tickets/services.py).
    readonly_fields = ["reference", "status", "received_at", "due_date", "first_response_due",
                       "deadlines", "escalation_level", "first_response_at", "resolved_at",
                       "closed_at", "created_at", "updated_at"]
    exclude = ["submission_key"]


@admin.register(Message)
class MessageAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "kind", "author", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["ticket", "kind", "author", "created_at"]


@admin.register(Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "ticket", "content_type", "size", "uploaded_at"]
    readonly_fields = ["ticket", "message", "original_name", "stored_name", "content_type", "size",
                       "sha256", "uploaded_at"]
