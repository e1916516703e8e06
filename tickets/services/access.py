"""The access log: one row per staff look at personal data (SPEC: every view is logged)."""

from __future__ import annotations

from typing import Any

from tickets.models import AccessLog, Ticket


def access_record(*, user: Any, action: str, ticket: Ticket | None = None, detail: str = "") -> AccessLog:
    """Append one entry; nothing ever updates or deletes one (retention keeps the log)."""
    return AccessLog.objects.create(
        user=user, username=user.get_username(), ticket=ticket,
        reference=ticket.reference if ticket is not None else "", action=action, detail=detail[:500],
    )
