"""What every service needs: naming the actor and reason of a change, and issuing status links."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models

from tickets.models import StatusLink, Ticket

Actor = User | None


def stamp(instance: models.Model, *, actor: Actor, reason: str) -> None:
    """Name who changed a history-tracked row and why, before its save()."""
    instance._history_user = actor  # type: ignore[attr-defined]  # read by simple-history on save
    instance._change_reason = reason  # type: ignore[attr-defined]  # ditto


def record(ticket: Ticket, *, actor: Actor, reason: str, fields: Iterable[str] = ()) -> None:
    """The ticket's one history entry for an action: the fields it changed, who, and why."""
    stamp(ticket, actor=actor, reason=reason)
    ticket.save(update_fields=[*fields, "updated_at"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_link_issue(ticket: Ticket) -> str:
    """A fresh 256-bit status link for one email; only its digest is kept (call inside the
    transaction that writes the email's outbox row)."""
    token = secrets.token_urlsafe(32)
    StatusLink.objects.create(ticket=ticket, digest=token_digest(token))
    return f"{settings.DESK_PUBLIC_BASE_URL}/status/open/{token}/"
