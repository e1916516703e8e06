"""The escalation sweep's fast paths, behind one door (issue 17 §3).

A sweep may escalate thousands of tickets at once (bench/sweep.py: about 0.2 ms a ticket, against
django-helpdesk's 4 ms written one model instance at a time, Makefile `bench`). So a batch is
written here in a few statements whatever its size: the escalation rows (`escalations_insert`),
the tickets' raised level and priority with their sealed history entries (`tickets_raise`,
`history_insert`), and its emails rendered once (`BatchMessage`); a rule's batches run in several
threads (`in_threads`). The outbox and the in-app notifications go through notifications/bulk.py,
behind `outbox_enqueue_many`.

Each writer writes what the model API writes one row at a time, and nothing else: the same
columns, the same values, the same ciphertext form and the same hash chain.
tests/test_bulk_paths.py holds each table to that, byte for byte, on SQLite and PostgreSQL; the
domain (which tickets, which rule, who is told, what the message says) stays in
tickets/services/escalation.py.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.models import Value
from django.db.models.functions import Greatest

from desk import crypto
from notifications.rendering import render_message
from tickets import audit, slots
from tickets.models import Escalation, Ticket

_Result = TypeVar("_Result")


def escalations_insert(ticket_ids: Sequence[int], *, rule: str, level: int,
                       created_at: datetime.datetime) -> None:
    """One `Escalation(ticket, rule, level, due_date)` per ticket, its due date copied from the
    ticket row in SQL (one INSERT … SELECT): a second sweep's row for the same (ticket, rule) fails
    the unique constraint, and the caller's batch rolls back whole."""
    quote = connection.ops.quote_name
    escalations, tickets = quote(Escalation._meta.db_table), quote(Ticket._meta.db_table)
    params: list[Any]
    if connection.vendor == "postgresql":  # one array, not a parameter per ticket
        chosen, params = "= ANY(%s)", [list(ticket_ids)]
    else:
        chosen, params = f"IN ({', '.join(['%s'] * len(ticket_ids))})", list(ticket_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {escalations} (ticket_id, rule, level, due_date, created_at) "  # noqa: S608 -- names from the models
            f"SELECT id, %s, %s, due_date, %s FROM {tickets} WHERE id {chosen} ORDER BY id",
            [rule, level, connection.ops.adapt_datetimefield_value(created_at), *params])


def tickets_raise(tickets: Sequence[MutableMapping[str, Any]], *, level: int, priority: int | None,
                  reason: str, date: datetime.datetime) -> None:
    """Raise the tickets' escalation level (and priority) to at least `level` (`priority`), with
    one history entry each saying `reason`: what `ticket.save(update_fields=["escalation_level",
    "priority", "updated_at"])` with that change reason writes, for a whole batch.

    Every ticket of the batch gets the same change, so one UPDATE with GREATEST does it (a
    bulk_update would build a CASE branch per ticket and field). `tickets` hold each locked
    ticket's `audit.CHAINED_FIELDS` and its chain `head`; they are brought up to what the UPDATE
    wrote, which the history entries copy and hash."""
    changes: dict[str, Any] = {"escalation_level": Greatest("escalation_level", Value(level)),
                               "updated_at": date}
    if priority is not None:
        changes["priority"] = Greatest("priority", Value(priority))
    Ticket.objects.filter(pk__in=[ticket["id"] for ticket in tickets]).update(**changes)
    for ticket in tickets:
        ticket["escalation_level"] = max(ticket["escalation_level"], level)
        if priority is not None:
            ticket["priority"] = max(ticket["priority"], priority)
    history_insert(tickets, reason=reason, date=date,
                   heads={ticket["id"]: ticket["head"] for ticket in tickets})


def history_insert(tickets: Sequence[Mapping[str, Any]], *, reason: str, date: datetime.datetime,
                   heads: Mapping[int, str | None] | None = None) -> None:
    """One history entry per ticket ("~", no user, `reason`, at `date`), each sealed into its
    ticket's chain, for a whole batch in one INSERT … SELECT (two without `heads`, the chain heads
    the caller read with the rows locked).

    `tickets` hold each ticket's CHAINED_FIELDS as its row holds them now: the caller has the rows
    locked and has written its change, so the copy the database makes is what was hashed. The
    entry is copied from the ticket row in SQL, the requester's encrypted fields as ciphertext
    (bound to the ticket's reference, which the history row has too: desk/fields.py): nothing
    is decrypted or encrypted again but the change reason, and no model instance is built."""
    model = audit.history_model()
    if heads is None:
        heads = _chain_heads([ticket["id"] for ticket in tickets])
    ids = [ticket["id"] for ticket in tickets]
    # Bound to its column only, as simple-history's save() writes it (the history has no row
    # identity of its own: desk/fields.py), and hashed as plaintext.
    reason_context = model._meta.get_field("history_change_reason").associated_data
    reasons = crypto.encrypt_many([reason] * len(ids), context=reason_context)
    own = {"history_date": date, "history_type": "~", "history_user_id": None}
    hashes = [audit.entry_digest(heads.get(ticket["id"]) or audit.GENESIS, {**ticket, **own}, reason=reason)
              for ticket in tickets]
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


def _chain_heads(ticket_ids: list[int]) -> dict[int, str]:
    """The head of each ticket's chain, in one query."""
    rows = Ticket.objects.filter(pk__in=ticket_ids).annotate(head=audit.chain_head())
    return {ticket_id: head or audit.GENESIS for ticket_id, head in rows.values_list("pk", "head")}


@dataclass(frozen=True)
class BatchMessage:
    """An email rendered once for a batch, with markers where each ticket's values go, then
    filled per ticket by a join (tickets/slots.py): rendering three templates for each of
    thousands of tickets would be most of the sweep's time. A filled message is what
    `render_message` renders with the ticket's values: the plain parts take them as they are,
    the HTML part escaped, as the templates' autoescaping would.

    The markers must pass through the templates unchanged (characters of Unicode's private use
    area, which no escaping or translation touches), and the values must not be changed by the
    rendering either (the subject's whitespace is collapsed and cut at 255 characters)."""

    subject: list[str]
    body_text: list[str]
    body_html: list[str]

    @classmethod
    def render(cls, *, event: str, language: str, context: Mapping[str, Any],
               markers: Mapping[str, str]) -> BatchMessage:
        shape = render_message(event=event, language=language, context={**context, **markers})
        return cls(*(slots.cut(text, markers) for text in (shape.subject, shape.body_text, shape.body_html)))

    def fill(self, values: Mapping[str, str]) -> tuple[str, str, str]:
        """(subject, plain text, HTML) with `values` in place of the markers."""
        escaped = {name: escape(value) for name, value in values.items()}
        return (slots.fill(self.subject, values), slots.fill(self.body_text, values),
                slots.fill(self.body_html, escaped))


def in_threads(work: Callable[[], _Result], count: int) -> list[_Result]:
    """`work()` here and in `count - 1` more threads, each of those closing its own connection
    at the end (this thread keeps its warm one); the first error raised in any of them is raised
    here (a batch that failed rolled back whole). Each thread's batches are transactions of its
    own connection: the rows a caller's open transaction has not committed are not seen there."""
    def one() -> _Result:
        try:
            return work()
        finally:
            connections.close_all()  # that thread's connections only

    with ThreadPoolExecutor(max_workers=count - 1, thread_name_prefix="escalation") as pool:
        futures = [pool.submit(one) for _ in range(count - 1)]
        here = work()
        return [here, *(future.result() for future in futures)]

