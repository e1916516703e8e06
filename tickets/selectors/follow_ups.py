"""The requests that follow up one that had ended (issue 16, item 7): a requester's message on a
closed, withdrawn or rejected request opens one, linked by `Ticket.follow_up_of`."""

from __future__ import annotations

from tickets.lifecycle import ENDED_STATUSES, Status
from tickets.models import Ticket


def latest_follow_up(ticket: Ticket) -> Ticket | None:
    """Where a message written on `ticket` goes now, if not to the ticket itself: the end of its
    chain of follow-ups while it has ended (one query per link; a chain is a link or two)."""
    found = None
    current = ticket
    while Status(current.status) in ENDED_STATUSES:
        later = Ticket.objects.filter(follow_up_of=current).order_by("-id").first()
        if later is None:
            break
        found = current = later
    return found
