"""The outbox in the admin, for finding failed deliveries. A requester's email names them and
quotes their request (its status link is never stored: delivery fills it in), so a row about a
ticket is shown only to staff who may see that ticket on the staff pages. Who may see which ticket
is for tickets/ to say, and notifications/ knows nothing of tickets: tickets/admin.py registers
this admin with `visible_tickets` filled in. Left as it is here, it shows no row about a ticket
(it fails closed); rows about no ticket are staff digests (references and dates only). The list
says, above the rows, when mail has been failing for too long (selectors.outbox_health): the
alert of a long SMTP outage (issue 15, item 16)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from notifications.models import Outbox
from notifications.selectors import outbox_health


class OutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "recipient", "state", "attempts", "first_failure_at", "interrupted",
                    "created_at", "sent_at"]
    list_filter = ["state", "event"]
    readonly_fields = [field.name for field in Outbox._meta.get_fields() if field.concrete]

    def visible_tickets(self, request: HttpRequest) -> QuerySet[Any] | None:
        """The ids of the tickets whose rows this user may see (a subquery), or None for none."""
        return None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outbox]:
        about_no_ticket = Q(ticket__isnull=True)
        visible = self.visible_tickets(request)
        return super().get_queryset(request).filter(
            about_no_ticket if visible is None else about_no_ticket | Q(ticket__in=visible))

    def has_add_permission(self, request: Any) -> bool:
        return False

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Counted over the whole outbox, whoever looks: the figures name no one, and an outage
        # concerns every queue.
        health = outbox_health()
        if health.alert and health.oldest_temporary_failure_at is not None:
            messages.warning(request, _(
                "Email is not getting through: %(count)s messages are waiting after a temporary "
                "failure, the oldest since %(since)s. They are tried again automatically; check the "
                "mail server.") % {
                    "count": health.retrying,
                    "since": formats.date_format(health.oldest_temporary_failure_at, "DATETIME_FORMAT")})
        if health.failed:
            messages.info(request, _("%(count)s messages failed for good and were not sent.")
                          % {"count": health.failed})
        return super().changelist_view(request, extra_context)
