"""Every read of ticket data, and the one place that decides who may see what."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.utils import timezone

from tickets.choices import MessageKind
from tickets.models import Attachment, Message, Ticket

STATUS_SESSION_KEY = "desk_status_ticket"
STATUS_SESSION_EXPIRES_KEY = "desk_status_expires"


def ticket_by_status_link_digest(digest: str) -> Ticket | None:
    # The digest is of a 256-bit random secret, so an index lookup leaks nothing a timing
    # attacker could use: guessing a digest prefix tells nothing about any real token.
    return Ticket.objects.filter(status_links__digest=digest).first()


def ticket_for_status_session(session: SessionBase) -> Ticket | None:
    """The one ticket this browser was given by its status link, if that grant is still valid."""
    ticket_id = session.get(STATUS_SESSION_KEY)
    expires = session.get(STATUS_SESSION_EXPIRES_KEY)
    if not ticket_id or not expires:
        return None
    if timezone.now() >= datetime.datetime.fromisoformat(expires):
        return None
    return Ticket.objects.select_related("queue").filter(pk=ticket_id).first()


@dataclass(frozen=True)
class PublicEntry:
    """One item of the conversation as the requester sees it."""

    created_at: datetime.datetime
    from_requester: bool
    body: str
    attachments: list[Attachment]


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    # Internal notes never leave the staff side, in any channel (django-helpdesk L8/L9).
    return (
        ticket.messages.exclude(kind=MessageKind.INTERNAL_NOTE)
        .prefetch_related("attachments").order_by("created_at", "id")
    )


def public_conversation(ticket: Ticket) -> list[PublicEntry]:
    """The request itself, then every public message, oldest first (two queries)."""
    messages = list(public_messages(ticket))
    first_files = [a for a in ticket.attachments.all() if a.message_id is None]
    entries = [PublicEntry(ticket.received_at, True, ticket.description, first_files)]
    entries += [
        PublicEntry(m.created_at, m.kind == MessageKind.REQUESTER, m.body, list(m.attachments.all()))
        for m in messages
    ]
    return entries
