"""The one state machine of a ticket (SPEC: Lifecycle). Pure Python: no Django import.

new → awaiting_verification → in_progress ⇄ awaiting_requester → resolved → closed,
reopen from resolved or closed, withdrawn or rejected (with a reason) as endings.
Escalation is a level on the ticket, not a status. `tickets.services.ticket_transition`
is the only writer of `Ticket.status`; it asks `check_transition` first.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    NEW = "new"
    AWAITING_VERIFICATION = "awaiting_verification"
    IN_PROGRESS = "in_progress"
    AWAITING_REQUESTER = "awaiting_requester"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class IllegalTransition(Exception):
    """The state machine does not allow this move."""

    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"a ticket cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


_ENDINGS = (Status.WITHDRAWN, Status.REJECTED)

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.AWAITING_VERIFICATION, Status.IN_PROGRESS,
                           Status.AWAITING_REQUESTER, Status.RESOLVED, *_ENDINGS}),
    Status.AWAITING_VERIFICATION: frozenset({Status.IN_PROGRESS, *_ENDINGS}),
    Status.IN_PROGRESS: frozenset({Status.AWAITING_REQUESTER, Status.AWAITING_VERIFICATION,
                                   Status.RESOLVED, *_ENDINGS}),
    Status.AWAITING_REQUESTER: frozenset({Status.IN_PROGRESS, *_ENDINGS}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.WITHDRAWN: frozenset(),
    Status.REJECTED: frozenset(),
}

# Statuses in which the ticket still owes the requester something.
OPEN_STATUSES = frozenset({Status.NEW, Status.AWAITING_VERIFICATION, Status.IN_PROGRESS,
                           Status.AWAITING_REQUESTER})
# Statuses in which the statutory clock is paused, waiting for the requester.
WAITING_STATUSES = frozenset({Status.AWAITING_VERIFICATION, Status.AWAITING_REQUESTER})
# Statuses in which a request has ended for its requester: closed after the answer, withdrawn,
# rejected. Staff may still reopen a closed one, but a requester who writes on it brings a new
# matter: a follow-up request, linked to it (tickets/services/intake.py).
ENDED_STATUSES = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.REJECTED})


# Reopening: an answered ticket (resolved, or closed after that) goes back to work.
REOPENABLE_STATUSES = frozenset(status for status, targets in TRANSITIONS.items()
                                if Status.IN_PROGRESS in targets and status not in OPEN_STATUSES)


def allowed_targets(current: Status) -> frozenset[Status]:
    return TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> None:
    """Raise IllegalTransition unless the table allows current → target."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
