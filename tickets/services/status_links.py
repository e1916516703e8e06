"""Status links sent again: "Lost your link?" on the public side (research/reliability-security.md §3.6)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from notifications.services import outbox_enqueue
from tickets import selectors
from tickets.lifecycle import OPEN_STATUSES, Status
from tickets.services.common import record, status_link_issue

RESEND_REASON = "the requester asked for their links again"


def status_links_resend(*, email: str, language: str) -> int:
    """Email a fresh status link for each ticket of `email` whose links still work, one email per
    ticket, with a history entry on each; returns how many were sent (the caller must not tell).

    One transaction: every ticket gets its link, its email and its history entry, or none does.
    The emails go to the address on the ticket, never to anyone else, so whoever typed the
    address learns nothing they could not read in that mailbox. Earlier links keep working (each
    email carries its own, as for every email of the desk): asking again adds a way in, and a
    stranger who types someone's address cannot break the links that person already has."""
    with transaction.atomic():
        # Locked in id order, so two resends for one address wait for each other, not deadlock.
        tickets = list(selectors.tickets_with_live_links_for(email).select_for_update().order_by("id"))
        # One key per resend: asking again an hour later is a new email, not a duplicate.
        attempt = secrets.token_hex(8)
        for ticket in tickets:
            outbox_enqueue(
                dedupe_key=f"ticket:{ticket.pk}:status_links:{attempt}:requester", event="status_links",
                ticket=ticket, recipient=ticket.requester_email, language=language,
                context={
                    "reference": ticket.reference, "name": ticket.requester_name,
                    "due_date": ticket.due_date, "is_open": Status(ticket.status) in OPEN_STATUSES,
                    "status_url": status_link_issue(ticket),
                    "organisation_name": settings.DESK_ORGANISATION_NAME,
                },
            )
            record(ticket, actor=None, reason=RESEND_REASON)
    return len(tickets)
