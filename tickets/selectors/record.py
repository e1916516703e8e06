"""A ticket's compliance record: what a DPO hands a regulator. Every recorded change with its
time, actor and reason; each deadline with its legal basis and how it was counted; every message
to and from the requester and the delivery state of each email; escalations; the satisfaction
answer. A fixed number of queries, whatever the length of the ticket's life."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from notifications.models import Outbox
from tickets.explanations import ExplainedSchedule, ticket_deadlines
from tickets.models import AccessLog, ClockPause, Escalation, Extension, Message, Satisfaction, Ticket
from tickets.selectors import Change, public_messages, ticket_changes, ticket_for_staff

# The emails of a ticket in words (Outbox.event and Outbox.state keep codes). An event added later
# and not named here shows by its subject alone, never by its code.
EMAIL_EVENTS = {
    "acknowledgement": _("Acknowledgement of the request"),
    "reply": _("Reply"),
    "information_requested": _("Request for more information"),
    "extended": _("Notice of an extension"),
    "resolved": _("Answer with the outcome"),
    "status_links": _("Status links sent again"),
    "escalation": _("Escalation alert to staff"),
    "digest": _("Weekly list for managers"),
    "withdrawn": _("Confirmation of the withdrawal"),
    "requester_message": _("Alert to staff: the requester wrote"),
    "requester_withdrew": _("Alert to staff: the requester withdrew the request"),
}
EMAIL_STATES = {
    "pending": _("Waiting to be sent"),
    "sending": _("Being sent"),
    "sent": _("Sent"),
    "failed": _("Not delivered"),
}


def email_event_label(event: str) -> str:
    return str(EMAIL_EVENTS.get(event, ""))


def email_state_label(state: str) -> str:
    return str(EMAIL_STATES.get(state, state))


def access_detail_shown(action: str, detail: str) -> str:
    """What an access-log entry says beyond its action, in words: the file by its number (its name
    is personal data), the messages read through the API. Other details are the log's own
    shorthand for the operators (the admin's page names): the action says enough."""
    kind, _space, number = detail.partition(" ")
    if action == AccessLog.Action.DOWNLOAD and kind == "attachment" and number.isdigit():
        return str(_("file no. %(number)s")) % {"number": number}
    if action == AccessLog.Action.API_VIEW and detail == "messages":
        return str(_("the messages"))
    return ""


@dataclass(frozen=True)
class ComplianceRecord:
    ticket: Ticket
    events: list[Change]
    deadlines: ExplainedSchedule  # in the active language (tickets/explanations.py)
    pauses: list[ClockPause]
    extension: Extension | None
    messages: list[Message]
    deliveries: QuerySet[Outbox]
    escalations: list[Escalation]
    satisfaction: Satisfaction | None
    accesses: QuerySet[AccessLog]


def ticket_record(user: Any, reference: str) -> ComplianceRecord:
    ticket = ticket_for_staff(user, reference)
    pauses = list(ticket.pauses.select_related("requested_by"))
    extension = Extension.objects.filter(ticket=ticket).select_related("granted_by").first()
    return ComplianceRecord(
        ticket=ticket,
        events=ticket_changes(ticket),
        deadlines=ticket_deadlines(ticket, pauses=pauses, extension=extension),
        pauses=pauses,
        extension=extension,
        # Internal notes stay internal: their adding is an event above, their text is not here.
        messages=list(public_messages(ticket).select_related("author")),
        # Subjects and states only: an email's body holds a live status link.
        deliveries=Outbox.objects.filter(ticket=ticket).only(
            "event", "recipient", "subject", "state", "attempts", "created_at", "sent_at", "last_error",
        ).order_by("created_at", "id"),
        escalations=list(ticket.escalations.order_by("created_at", "id")),
        satisfaction=Satisfaction.objects.filter(ticket=ticket).first(),
        # Who has looked at this person's data (the opening of this record included).
        accesses=AccessLog.objects.filter(ticket=ticket).order_by("at", "id"),
    )
