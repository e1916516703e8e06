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
import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
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


def _encodable(value: Any) -> Any:
    if isinstance(value, datetime.date):  # datetimes too
        return _canonical(value)
    raise TypeError(f"{type(value).__name__} is not part of an audit record")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_encodable)


def entry_digest(previous: str, entry: Any, *, reason: str | None = None) -> str:
    """The entry's link; `reason` is its change reason when the caller decrypted it already."""
    record = {name: _canonical(getattr(entry, name)) for name in CHAINED_FIELDS}
    record |= {
        "history_date": _canonical(entry.history_date), "history_type": entry.history_type,
        "history_user_id": entry.history_user_id,
        "history_change_reason": (entry.history_change_reason if reason is None else reason) or "",
    }
    return _digest(previous, record)


def _digest(previous: str, record: dict[str, Any]) -> str:
    """The record's values may be raw dates and times: the encoder hands those to `_canonical`,
    which is what the caller would have applied, so either way the bytes hashed are the same."""
    message = previous.encode() + _ENCODER.encode(record).encode()
    return hmac.new(settings.DESK_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


@functools.cache
def history_model() -> Any:
    """Ticket's historical model: simple-history's descriptor builds a manager class on each
    `Ticket.history` (60 µs), and the services ask on every write."""
    return Ticket.history.model


def chain_head() -> Subquery:
    """The head of the outer ticket's chain (None before its first entry), to annotate a query."""
    latest = (history_model().objects.filter(id=OuterRef("pk")).order_by("-history_id")
              .values("chain_hash")[:1])
    return Subquery(latest)


def _latest_hashes(ticket_ids: Iterable[int]) -> dict[int, str]:
    """The head of each ticket's chain, in one query."""
    rows = Ticket.objects.filter(pk__in=list(ticket_ids)).annotate(head=chain_head())
    return {ticket_id: head or GENESIS for ticket_id, head in rows.values_list("pk", "head")}


def seal(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's pre_create_historical_record: link the entry to its ticket's chain. The
    services write a ticket's history with the ticket row locked, so the head cannot move."""
    previous = _latest_hashes([history_instance.id]).get(history_instance.id, GENESIS)
    history_instance.chain_hash = entry_digest(previous, history_instance)


def bulk_history_create(tickets: Sequence[Mapping[str, Any]], *, reason: str, date: datetime.datetime,
                        heads: Mapping[int, str | None] | None = None) -> None:
    """One sealed history entry per ticket, for a whole batch in one INSERT … SELECT (two without
    `heads`): the escalation sweep's path.

    `tickets` hold each ticket's CHAINED_FIELDS as its row holds them now: the caller has the rows
    locked and has written its change, so the copy the database makes is what was hashed. The
    entry is copied from the ticket row in SQL, the requester's encrypted fields as ciphertext
    (the history keeps the ticket's encryption context, tickets/fields.py): nothing is decrypted
    or encrypted again but the change reason, and no model instance is built per ticket."""
    model = history_model()
    if heads is None:
        heads = _latest_hashes(ticket["id"] for ticket in tickets)
    reason_context = model._meta.get_field("history_change_reason").associated_data
    sealed = {"history_date": _canonical(date), "history_type": "~", "history_user_id": None,
              "history_change_reason": reason}
    ids = [ticket["id"] for ticket in tickets]
    reasons = crypto.encrypt_many([reason] * len(ids), context=reason_context)
    hashes = [_digest(heads.get(ticket["id"]) or GENESIS,
                      {name: ticket[name] for name in CHAINED_FIELDS} | sealed) for ticket in tickets]
    quote = connection.ops.quote_name
    columns = [field.column for field in model.tracked_fields]
    targets = ", ".join(quote(column) for column in
                        [*columns, "history_date", "history_change_reason", "history_type",
                         "history_user_id", "chain_hash"])
    copied = ", ".join(f"t.{quote(column)}" for column in columns)
    if connection.vendor == "postgresql":  # one JSON parameter: a short statement whatever the batch
        entries = "jsonb_to_recordset(%s::jsonb) AS v(column1 bigint, column2 text, column3 text)"
        params = [json.dumps([{"column1": i, "column2": r, "column3": h}
                              for i, r, h in zip(ids, reasons, hashes, strict=True)])]
    else:
        entries = "(VALUES " + ", ".join(["(%s, %s, %s)"] * len(ids)) + ") AS v"
        params = [value for row in zip(ids, reasons, hashes, strict=True) for value in row]
    with connection.cursor() as cursor:
        # The entries' columns are column1, column2, column3: SQLite's names for VALUES columns.
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({targets}) "  # noqa: S608 -- names from the models, values bound
            f"SELECT {copied}, %s, v.column2, '~', NULL, v.column3 FROM {quote(Ticket._meta.db_table)} t "
            f"JOIN {entries} ON v.column1 = t.id ORDER BY t.id",
            [connection.ops.adapt_datetimefield_value(date), *params])


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
    model = history_model()
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
