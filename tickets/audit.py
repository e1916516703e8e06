"""The tamper-evident audit: each ticket's history is a hash chain.

Every history entry of a ticket carries `chain_hash`, an HMAC-SHA256 (keyed with DESK_AUDIT_KEY)
of the previous entry's hash and of the entry's own record: who, when, why, what kind of change,
and every workflow field (status, queue, assignee, deadlines, outcome…). Editing, inserting or
deleting an entry in the database breaks the chain from there on, and without the key nobody
can forge a new one; `manage.py verify_audit` names the first broken link of each ticket.

The requester's personal data (name, email, country, description) is left out of the hash on
purpose: retention erases it from the history too, and key rotation re-encrypts it, and neither
may break the proof of who did what when.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast

from tickets import crypto
from tickets.models import Ticket

# The fields an entry's hash covers, besides the history's own (date, type, user, reason).
CHAINED_FIELDS = (
    "id", "reference", "kind", "regime", "calendar", "language", "received_at", "due_date",
    "first_response_due", "acknowledge_due", "deadlines", "status", "priority", "queue_id",
    "assignee_id", "escalation_level", "first_response_at", "first_response_days", "resolved_at",
    "resolution_days", "closed_at", "outcome", "outcome_reason",
)
GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def entry_digest(previous: str, entry: Any, *, reason: str | None = None) -> str:
    """The entry's link; `reason` is its change reason when the caller decrypted it already."""
    record = {name: _canonical(getattr(entry, name)) for name in CHAINED_FIELDS}
    record |= {
        "history_date": _canonical(entry.history_date), "history_type": entry.history_type,
        "history_user_id": entry.history_user_id,
        "history_change_reason": (entry.history_change_reason if reason is None else reason) or "",
    }
    message = previous.encode() + json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(settings.DESK_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def _latest_hashes(ticket_ids: Iterable[int]) -> dict[int, str]:
    """The head of each ticket's chain, in one query."""
    latest = (Ticket.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_id")
              .values("chain_hash")[:1])
    rows = Ticket.objects.filter(pk__in=list(ticket_ids)).annotate(head=Subquery(latest))
    return {ticket_id: head or GENESIS for ticket_id, head in rows.values_list("pk", "head")}


def seal(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's pre_create_historical_record: link the entry to its ticket's chain. The
    services write a ticket's history with the ticket row locked, so the head cannot move."""
    previous = _latest_hashes([history_instance.id]).get(history_instance.id, GENESIS)
    history_instance.chain_hash = entry_digest(previous, history_instance)


def bulk_history_create(tickets: list[Ticket], *, reason: str, date: datetime.datetime) -> None:
    """One sealed history entry per ticket (what simple-history's bulk_history_create writes,
    with the chain): the escalation sweep's path, for a whole batch in two queries."""
    model = Ticket.history.model
    heads = _latest_hashes(ticket.pk for ticket in tickets)
    rows = []
    for ticket in tickets:
        row = model(history_date=date, history_user=None, history_change_reason=reason, history_type="~",
                    **{field.attname: getattr(ticket, field.attname) for field in model.tracked_fields})
        row.chain_hash = entry_digest(heads.get(ticket.pk, GENESIS), row)
        rows.append(row)
    model.objects.bulk_create(rows)


@dataclass(frozen=True)
class Break:
    reference: str
    position: int  # 1 for the first entry of the ticket
    history_id: int
    history_date: datetime.datetime
    reason: str


def verify(tickets: Iterable[int] | None = None) -> Iterator[Break]:
    """Walk every chain (or the given tickets'), oldest entry first; yield the first broken link
    of each broken chain. Streams: memory does not grow with the number of entries."""
    model = Ticket.history.model
    reason_context = model._meta.get_field("history_change_reason").associated_data
    # Only what the hash covers is read (the requester's encrypted fields are not decrypted), and
    # the reason as stored: a value changed in the database is a broken link, not a crash.
    entries = (model.objects.order_by("id", "history_id")
               .only(*CHAINED_FIELDS, "history_id", "history_date", "history_type", "history_user_id",
                     "chain_hash")
               .annotate(stored_reason=Cast("history_change_reason", output_field=TextField())))
    if tickets is not None:
        entries = entries.filter(id__in=list(tickets))
    current, previous, position, broken = None, GENESIS, 0, False
    for entry in entries.iterator(chunk_size=2_000):
        if entry.id != current:
            current, previous, position, broken = entry.id, GENESIS, 0, False
        position += 1
        if broken:
            continue
        try:
            reason = crypto.decrypt(entry.stored_reason, context=reason_context) \
                if entry.stored_reason else ""
        except crypto.DecryptionError:
            broken = True
            yield Break(entry.reference, position, entry.history_id, entry.history_date,
                        "its reason does not decrypt: it was changed in the database")
            continue
        expected = entry_digest(previous, entry, reason=reason)
        if not hmac.compare_digest(expected, entry.chain_hash or ""):
            broken = True
            yield Break(entry.reference, position, entry.history_id, entry.history_date,
                        "not sealed" if not entry.chain_hash else
                        "changed, or an entry before it was changed, added or removed")
        previous = entry.chain_hash or ""
