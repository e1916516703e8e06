"""The access log: one row per staff look at personal data (SPEC: every view is logged).

The log itself holds no personal data in plain text (issue 15, hole 4): a list's filters are
written from the validated filter, never from the raw query string (which carries whatever a
client adds to it), and a search for anything but a reference, that is for an email address, is
written as "email search", with the address's keyed hash (desk.crypto.email_digest, the blind
index the search itself uses) in a column of its own. An auditor holding the key can still tell
who searched for a given person; retention blanks the hash when it erases that person's tickets
(tickets/services/retention.py, `access_forget_searches`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from desk.crypto import email_digest
from tickets.models import AccessLog, Ticket
from tickets.selectors import QueueFilter

# A ticket's reference (tickets/services/intake.py, _next_reference): not personal data, and the
# log names viewed tickets by it anyway.
REFERENCE = re.compile(r"PD-\d{4}-\d{6}", re.IGNORECASE)
EMAIL_SEARCH = "email search"


def access_record(*, user: Any, action: str, ticket: Ticket | None = None, detail: str = "",
                  search_digest: str = "") -> AccessLog:
    """Append one entry; nothing ever updates one but retention (`access_forget_searches`), and
    nothing deletes one."""
    return AccessLog.objects.create(
        user=user, username=user.get_username(), ticket=ticket,
        reference=ticket.reference if ticket is not None else "", action=action, detail=detail[:500],
        search_digest=search_digest,
    )


def _is_reference(term: str) -> bool:
    return bool(REFERENCE.fullmatch(term.strip()))


def search_digest(wanted: QueueFilter) -> str:
    """The keyed hash of the address a list was searched for ("" for no search, or a reference)."""
    term = wanted.search.strip()
    return email_digest(term) if term and not _is_reference(term) else ""


def queue_filter_detail(wanted: QueueFilter) -> str:
    """The filters of a list as the log keeps them: the allowlisted values it was made with, those
    that differ from the list's defaults; a search as its reference or as "email search"."""
    default = QueueFilter()
    search = wanted.search.strip()
    values = {
        "status": ",".join(wanted.statuses) if wanted.statuses != default.statuses else "",
        "kind": wanted.kind, "regime": wanted.regime, "queue": wanted.queue_id, "assignee": wanted.assignee,
        "escalation": wanted.escalation_level, "due_within": wanted.due_within_days,
        "q": (search.upper() if _is_reference(search) else EMAIL_SEARCH) if search else "",
        "sort": wanted.sort if wanted.sort != default.sort else "",
    }
    return " ".join(f"{name}={value}" for name, value in values.items() if value not in ("", None))


def access_forget_searches(*, digests: Iterable[str]) -> int:
    """Blank the keyed hash of these email addresses in every entry (in the caller's transaction:
    retention, as it erases the tickets' blind index); the entries keep who searched, when, and
    "email search". One statement on the partial index of searches; returns how many changed."""
    wanted = sorted({digest for digest in digests if digest})
    return AccessLog.objects.filter(search_digest__in=wanted).update(search_digest="") if wanted else 0
