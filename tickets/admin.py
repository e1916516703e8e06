"""The admin: administrators manage queues (and, through django.contrib.auth, users and roles).

Ticket data is shown only as the staff pages show it: through tickets.selectors.ticket_visible_to,
so an administrator who is not in a ticket's queue sees none of its personal data here either
(issue 7, least access). Tickets, messages and attachments are read-only in the admin: every
change goes through a service, which checks the rules, locks and writes the history entry with an
actor and a reason; an admin form or a history "revert" would bypass all three.

Every page here that shows ticket data (a list, a change page, a history page, an old version)
writes an access-log entry, like the staff pages do (issue 15, hole 6). A queue's members and
managers change through tickets.services.queues, with the administrator as the actor and their
reason (or "changed in the admin by …"), never through the form's many-to-many save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from notifications.admin import OutboxAdmin
from notifications.models import Outbox
from tickets.models import AccessLog, Attachment, Message, Queue, QueueMembershipChange, Ticket
from tickets.selectors import MEMBERSHIP_CHANGES_SHOWN, ticket_visible_to
from tickets.services.access import access_record
from tickets.services.queues import admin_reason, queue_membership_change, reason_shown


class QueueAdminForm(forms.ModelForm):
    membership_reason = forms.CharField(
        label=_("Why the members or managers change"), required=False, max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the change and shown to the queue's managers. Left empty, the "
                    "change is recorded as made in the admin by you."))

    class Meta:
        model = Queue
        fields = ["name", "slug", "description", "kinds", "members", "managers"]


def _change_text(change: QueueMembershipChange) -> str:
    name = change.username
    if change.role == QueueMembershipChange.Role.MANAGER:
        text = _("%(name)s added as a manager") if change.added else _("%(name)s removed as a manager")
    else:
        text = _("%(name)s added as a member") if change.added else _("%(name)s removed as a member")
    return str(text) % {"name": name}


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    form = QueueAdminForm
    list_display = ["name", "slug"]
    filter_horizontal = ["members", "managers"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["membership_record"]

    @admin.display(description=_("Membership changes"))
    def membership_record(self, queue: Queue) -> str:
        """The queue's membership record on its change page, newest first: who was added or
        removed, by whom, when and why (a read-only table; an inline would make every save of
        the form carry a formset of entries that nobody may change)."""
        if queue.pk is None:
            return "-"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (f"{change.at:%Y-%m-%d %H:%M}", _change_text(change), change.actor_username, reason_shown(change))
            for change in queue.membership_changes.order_by("-at", "-id")[:MEMBERSHIP_CHANGES_SHOWN]))
        if not rows:
            return str(_("No changes recorded yet."))
        return format_html("<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
                           "<tbody>{}</tbody></table>", _("When"), pgettext_lazy("timeline entry", "Change"),
                           _("Changed by"), _("Why"), rows)

    def save_related(self, request: HttpRequest, form: Any, formsets: list[BaseInlineFormSet[Any, Any, Any]],
                     change: bool) -> None:
        # Not form.save_m2m(): that would set members and managers with no record of who or why.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        queue: Queue = form.instance
        actor = cast(User, request.user)  # the admin site: a signed-in administrator
        reason = form.cleaned_data.get("membership_reason") or admin_reason(actor)
        for field, role in (("members", QueueMembershipChange.Role.MEMBER),
                            ("managers", QueueMembershipChange.Role.MANAGER)):
            wanted = {user.pk for user in form.cleaned_data.get(field) or ()}
            present = set(getattr(queue, field).values_list("pk", flat=True))
            queue_membership_change(queue_id=queue.pk, role=role, actor=actor, reason=reason,
                                    add=wanted - present, remove=present - wanted)


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

    def ticket_of(self, obj: Any) -> Ticket:
        return cast(Ticket, obj.ticket)

    def _log(self, request: HttpRequest, response: HttpResponse, what: str,
             object_id: str | None = None) -> None:
        """An access-log entry for a page that showed ticket data (a 200; a refusal showed none)."""
        if response.status_code != 200:
            return
        ticket = None
        if object_id is not None:
            shown = self.get_queryset(request).filter(pk=object_id).first()
            ticket = self.ticket_of(shown) if shown is not None else None
        name = self.model._meta.model_name
        detail = f"admin {name} {what}" + (f" {object_id}" if object_id is not None else "")
        access_record(user=request.user, action=AccessLog.Action.ADMIN, ticket=ticket, detail=detail)

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        self._log(request, response, "list")
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log(request, response, "page", object_id)
        return response

    def _require_visible(self, request: HttpRequest, object_id: str) -> None:
        # simple-history's views fall back to the historical rows when get_queryset hides an
        # object, so its history would show what the change page does not: check first.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self._require_visible(request, object_id)
        response = super().history_view(request, object_id, extra_context)
        self._log(request, response, "history", object_id)
        return response

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "GET":
            # A revert would write an old status past the state machine, without a reason.
            return HttpResponseNotAllowed(["GET"])
        self._require_visible(request, object_id)
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log(request, response, f"version {version_id} of", object_id)
        return response

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

    def ticket_of(self, obj: Any) -> Ticket:
        return cast(Ticket, obj)


@admin.register(Message)
class MessageAdmin(TicketDataAdmin):
    list_display = ["ticket", "kind", "author", "created_at"]
    list_filter = ["kind"]


@admin.register(Attachment)
class AttachmentAdmin(TicketDataAdmin):
    list_display = ["original_name", "ticket", "content_type", "size", "uploaded_at"]


@admin.register(Outbox)
class TicketScopedOutboxAdmin(OutboxAdmin):
    """The outbox (notifications/admin.py), its rows about a ticket shown only to staff who may see
    that ticket on the staff pages: notifications/ knows nothing of tickets, so the scope is said here."""

    def visible_tickets(self, request: HttpRequest) -> QuerySet[Any]:
        return ticket_visible_to(request.user).values("pk")
