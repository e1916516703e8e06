"""What every service needs: naming the actor and reason of a change, and issuing status links."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models

from desk.tokens import token_digest  # a status link's secret is kept as an API token's is
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


def status_link_url(secret: str) -> str:
    """The emailed link to a request: the secret after "#", the fragment, which a browser never
    sends to a server, so no access log or proxy on the way ever holds it. The page there hands it
    to the desk in the body of a POST (templates/public/status_link.html; issue 15, hole 7)."""
    return f"{settings.DESK_PUBLIC_BASE_URL}/status/link/#{secret}"


def status_link_issue(ticket: Ticket) -> str:
    """A fresh 256-bit status link; only its digest is kept. An email gets its own at each
    delivery attempt instead (`status_link_renew`, which tickets/apps.py hands the outbox), so that
    no stored email holds a usable link (issue 15, item 2); this is for tests and tools."""
    return status_link_renew(ticket_id=ticket.pk).url


@dataclass(frozen=True)
class IssuedStatusLink:
    url: str  # the one copy of the secret: it goes into the email being sent, and nowhere else
    digest: str


def status_link_renew(*, ticket_id: int, replacing: str = "") -> IssuedStatusLink:
    """A fresh 256-bit status link for one delivery attempt of an email; only its digest is kept.
    `replacing` is the digest of the link the email's previous attempt carried, which stops
    working: an email sent twice (its worker died after the server took it) has one live link."""
    if replacing:
        StatusLink.objects.filter(ticket_id=ticket_id, digest=replacing).delete()
    token = secrets.token_urlsafe(32)
    digest = token_digest(token)
    StatusLink.objects.create(ticket_id=ticket_id, digest=digest)
    url = status_link_url(token)
    return IssuedStatusLink(url=url, digest=digest)
