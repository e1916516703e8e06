"""A ticket's compliance record: what a DPO hands a regulator. Every recorded change with its
time, actor and reason; each deadline with its legal basis and how it was counted; every message
to and from the requester and the delivery state of each email; escalations; the satisfaction
answer. A fixed number of queries, whatever the length of the ticket's life."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from notifications.models import Outbox
from tickets.models import AccessLog, ClockPause, Escalation, Extension, Message, Satisfaction, Ticket
from tickets.selectors import Change, public_messages, ticket_changes, ticket_for_staff


@dataclass(frozen=True)
class ComplianceRecord:
    ticket: Ticket
    events: list[Change]
    deadlines: list[tuple[str, dict[str, Any]]]
    final: str
    pauses: list[ClockPause]
    extension: Extension | None
    messages: list[Message]
    deliveries: QuerySet[Outbox]
    escalations: list[Escalation]
    satisfaction: Satisfaction | None
    accesses: QuerySet[AccessLog]


def ticket_record(user: Any, reference: str) -> ComplianceRecord:
    ticket = ticket_for_staff(user, reference)
    explanation = ticket.deadlines or {}
    return ComplianceRecord(
        ticket=ticket,
        events=ticket_changes(ticket),
        deadlines=list(explanation.get("deadlines", {}).items()),
        final=explanation.get("final", ""),
        pauses=list(ticket.pauses.select_related("requested_by")),
        extension=Extension.objects.filter(ticket=ticket).select_related("granted_by").first(),
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
