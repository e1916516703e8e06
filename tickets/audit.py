"""The tamper-evident audit: each ticket's history, and the history of everything it holds, is a
hash chain; the chain heads are anchored outside the database; `verify_audit` checks all three.

Chains. Every history entry of a ticket carries `chain_hash`, an HMAC-SHA256 (keyed with
DESK_AUDIT_KEY) of the previous entry's hash and of the entry's own record: who, when, why, what
kind of change, and every workflow field (status, queue, assignee, deadlines, outcome…). The
ticket's messages, files, pauses, extension and satisfaction answer have chains of their own, one
per ticket and kind (`CHAINS`), sealed the same way: a message's chain is every history entry of
every message of that ticket, oldest first. Editing, inserting or deleting an entry in the
database breaks the chain from there on, and without the key nobody can forge a new one. Each
entry is sealed by simple-history's pre_create_historical_record signal, with the ticket row
locked by the service that writes it (every service locks the ticket first), so a chain's head
cannot move meanwhile. The escalation sweep writes ticket history only, in bulk
(`history_insert` in tickets/bulk.py): the other chains add nothing to its path.

The requester's personal data (name, email, country, description, message bodies, file names and
their keyed digests, the reasons of pauses and the extension, satisfaction comments) is left out
of the hash on purpose: retention erases it from the history too, and key rotation re-encrypts
it, and neither may break the proof of who did what when.

The live rows. A chain proves its entries; the row beside it could still be edited without
history (`UPDATE tickets_ticket SET status = …`). So every live row is compared with the last
history entry of its object, field by hashed field; a row without history, a row whose history
ends in its deletion, and a deleted row whose history does not say so are named too.

Anchors. Deleting the newest entries of a chain, or a whole ticket with its history, leaves a
shorter chain that verifies. `anchor_make` writes, outside the database, a signed and dated file
of every ticket's chain heads (the length and the last hash of each of its chains) and the count
of tickets (tickets/anchors.py); `verify(anchor=…)` then requires each anchored chain to still hold
its anchored entry at its anchored position: a chain shortened, removed or rewritten since is
named, by reference.

Streaming. `verify` and `anchor_make` read each chain's entries ordered by (ticket, history id),
the live rows by (ticket, id) and the anchor in ticket order, and merge the three streams one
ticket at a time: memory holds one ticket's entries, never the desk's. On PostgreSQL both run
in one REPEATABLE READ snapshot (`snapshot()`), so a staff action committing meanwhile cannot
look like a row that differs from its history.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from desk import crypto
from tickets import anchors
from tickets.models import Attachment, ClockPause, Extension, Message, Satisfaction, Ticket

# The fields an entry's hash covers, besides the history's own (date, type, user, reason).
CHAINED_FIELDS = (
    "id", "reference", "kind", "regime", "calendar", "language", "received_at", "due_date",
    "first_response_due", "acknowledge_due", "deadlines", "status", "priority", "queue_id",
    "assignee_id", "escalation_level", "first_response_at", "first_response_days", "resolved_at",
    "resolution_days", "closed_at", "outcome", "outcome_reason",
)
GENESIS = "0" * 64
_HISTORY_FIELDS = ("history_id", "history_date", "history_type", "history_user_id", "chain_hash")
_Item = TypeVar("_Item")


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


@dataclass(frozen=True)
class Chain:
    """One kind of chain: the history of `model`, one chain per ticket (`group` names the ticket's
    id on the row), covering `fields` (attribute names) and the history's own."""

    name: str
    model: type[models.Model]
    group: str
    fields: tuple[str, ...]
    noun: str  # what one object is called in a finding: "message 12"

    def digest(self, previous: str, entry: Any, *, reason: str | None = None) -> str:
        """The link of a history instance (or a mapping of its values); `reason` is its change
        reason when the caller decrypted it already."""
        value: Callable[[str], Any] = entry.__getitem__ if isinstance(entry, Mapping) else \
            functools.partial(getattr, entry)
        record = {name: _canonical(value(name)) for name in self.fields}
        stored_reason = value("history_change_reason") if reason is None else reason
        record |= {
            "history_date": _canonical(value("history_date")), "history_type": value("history_type"),
            "history_user_id": value("history_user_id"), "history_change_reason": stored_reason or "",
        }
        return _digest(previous, record)


TICKET = Chain("ticket", Ticket, "id", CHAINED_FIELDS, "ticket")
# The personal data of each is left out (see the module's docstring); the rest is the record.
CHAINS = (
    TICKET,
    Chain("message", Message, "ticket_id", ("id", "ticket_id", "kind", "author_id", "created_at"), "message"),
    Chain("attachment", Attachment, "ticket_id",
          ("id", "ticket_id", "message_id", "stored_name", "content_type", "size", "uploaded_at"), "file"),
    Chain("pause", ClockPause, "ticket_id",
          ("id", "ticket_id", "kind", "started_at", "ended_at", "requested_by_id"), "pause"),
    Chain("extension", Extension, "ticket_id",
          ("id", "ticket_id", "notified_at", "granted_by_id", "previous_due_date", "new_due_date"),
          "extension"),
    Chain("satisfaction", Satisfaction, "ticket_id", ("id", "ticket_id", "score", "answered_at"),
          "satisfaction answer"),
)


def entry_digest(previous: str, entry: Any, *, reason: str | None = None) -> str:
    """A ticket history entry's link; `reason` is its change reason when the caller decrypted it."""
    return TICKET.digest(previous, entry, reason=reason)


def _digest(previous: str, record: dict[str, Any]) -> str:
    """The record's values may be raw dates and times: the encoder hands those to `_canonical`,
    which is what the caller would have applied, so either way the bytes hashed are the same."""
    message = previous.encode() + _ENCODER.encode(record).encode()
    return hmac.new(settings.DESK_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


@functools.cache
def _history_of(model: type[models.Model]) -> Any:
    """A model's historical model: simple-history's descriptor builds a manager class on each
    `Model.history` (60 µs), and the services ask on every write."""
    return model.history.model  # type: ignore[attr-defined]


def history_model() -> Any:
    """Ticket's historical model."""
    return _history_of(Ticket)


@functools.cache
def _chain_of(history: Any) -> Chain | None:
    return next((chain for chain in CHAINS if _history_of(chain.model) is history), None)


def chain_head() -> Subquery:
    """The head of the outer ticket's chain (None before its first entry), to annotate a query."""
    latest = (history_model().objects.filter(id=OuterRef("pk")).order_by("-history_id")
              .values("chain_hash")[:1])
    return Subquery(latest)


def head_of(model: type[models.Model]) -> Subquery:
    """The head of the outer row's ticket's chain of `model` (None before its first entry), to
    annotate a query of that model's rows, e.g. the files a batch is about to delete."""
    chain = next(chain for chain in CHAINS if chain.model is model)
    latest = (_history_of(model).objects.filter(**{chain.group: OuterRef(chain.group)})
              .order_by("-history_id").values("chain_hash")[:1])
    return Subquery(latest)


def seal(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's pre_create_historical_record: link the entry to its chain. The services
    write a ticket's history, and its messages', files' and pauses', with the ticket row locked,
    so the head cannot move. The head is read from the history table, not through the live row:
    a deletion's entry is written after its row is gone.

    A caller writing many entries of locked tickets may hand the heads it read (`head_of`) on the
    instance, as `_audit_heads` ({ticket id: head}): they are used and advanced instead of one
    query per entry (retention's deletion of files)."""
    chain = _chain_of(sender)
    if chain is None:
        return
    group = getattr(history_instance, chain.group)
    known: dict[int, str] | None = getattr(kwargs.get("instance"), "_audit_heads", None)
    if known is not None and group in known:
        previous: str | None = known[group]
    else:
        previous = (_history_of(chain.model).objects.filter(**{chain.group: group}).order_by("-history_id")
                    .values_list("chain_hash", flat=True).first())
    history_instance.chain_hash = chain.digest(previous or GENESIS, history_instance)
    if known is not None:
        known[group] = history_instance.chain_hash


def connect_seals() -> None:
    """Seal the entries of every chain but the ticket's own, which tickets/apps.py connects."""
    from simple_history.signals import pre_create_historical_record

    for chain in CHAINS[1:]:
        pre_create_historical_record.connect(seal, sender=_history_of(chain.model),
                                             dispatch_uid=f"tickets.audit.seal.{chain.name}")


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """One consistent view of every table for a whole walk (PostgreSQL: a read-only REPEATABLE
    READ transaction). SQLite is left alone: there a transaction takes the write lock (IMMEDIATE,
    desk/settings.py) and would stop the desk for the walk."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass(frozen=True)
class Break:
    """One finding: a broken link (`history_id` set), or a row or chain that differs from what
    its history or the anchor says (`history_id` None)."""

    reference: str
    position: int  # 1 for the first entry of the chain; 0 when no entry is concerned
    history_id: int | None
    history_date: datetime.datetime | None
    reason: str
    chain: str = "ticket"

    def describe(self) -> str:
        if self.history_id is None or self.history_date is None:
            return f"{self.reference}: {self.reason}"
        entry = "entry" if self.chain == "ticket" else f"{self.chain} history entry"
        return (f"{self.reference}: {entry} {self.position} (history id {self.history_id}, "
                f"{self.history_date:%Y-%m-%d %H:%M:%S %Z}) is {self.reason}")


def verify(tickets: Iterable[int] | None = None, *, anchor: anchors.Anchor | None = None) -> Iterator[Break]:
    """Walk every chain of every ticket (or of the given tickets), oldest entry first; yield the
    first broken link of each broken chain, each live row that differs from its history, and, with
    an anchor, each chain shortened, removed or changed since it. Streams (the module's docstring).
    Call it inside `snapshot()` for a consistent answer while the desk works."""
    wanted = None if tickets is None else sorted(set(tickets))
    for chain in CHAINS:
        yield from _verify_chain(chain, wanted, anchor)


def _verify_chain(chain: Chain, wanted: list[int] | None, anchor: anchors.Anchor | None) -> Iterator[Break]:
    history = _history_of(chain.model)
    reason_context = history._meta.get_field("history_change_reason").associated_data
    # Only what the hash covers is read (the encrypted personal data is not decrypted), and the
    # reason as stored: a value changed in the database is a broken link, not a crash.
    entries = (history.objects.order_by(chain.group, "history_id")
               .values(*chain.fields, *_HISTORY_FIELDS,
                       stored_reason=Cast("history_change_reason", output_field=TextField())))
    rows = chain.model._base_manager.order_by(chain.group, "id").values(*chain.fields)
    references = Ticket._base_manager.order_by("id").values("id", "reference")
    if wanted is not None:
        entries = entries.filter(**{f"{chain.group}__in": wanted})
        rows = rows.filter(**{f"{chain.group}__in": wanted})
        references = references.filter(id__in=wanted)
    pinned = anchor.records(wanted) if anchor is not None else iter(())
    streams = (_grouped(entries.iterator(chunk_size=2_000), chain.group),
               _grouped(rows.iterator(chunk_size=2_000), chain.group),
               pinned,
               _grouped(references.iterator(chunk_size=2_000), "id"))
    for ticket_id, (found, live, record, named) in _merge(*streams):
        reference = _reference(ticket_id, found, named, record, chain)
        check = _GroupCheck(chain, reference, reason_context, anchor, record)
        yield from check.links(found or [])
        yield from check.rows(live or [])


def _reference(ticket_id: int, found: list[dict[str, Any]] | None, named: list[dict[str, Any]] | None,
               record: anchors.Pinned | None, chain: Chain) -> str:
    if named:
        return str(named[0]["reference"])
    if record is not None:
        return record.reference
    if found and chain is TICKET:
        return str(found[-1]["reference"])
    # The ticket row is gone and no anchor knew it: its own history may still name it.
    reference = (history_model().objects.filter(id=ticket_id).order_by("-history_id")
                 .values_list("reference", flat=True).first())
    return reference or f"ticket id {ticket_id}"


class _GroupCheck:
    """The checks of one ticket's chain of one kind."""

    def __init__(self, chain: Chain, reference: str, reason_context: str, anchor: anchors.Anchor | None,
                 record: anchors.Pinned | None) -> None:
        self.chain, self.reference, self.reason_context = chain, reference, reason_context
        self.anchor = anchor
        self.anchored = record.chains.get(chain.name) if record is not None else None
        self.last_of: dict[int, dict[str, Any]] = {}

    def _break(self, position: int, entry: Mapping[str, Any] | None, reason: str) -> Break:
        return Break(self.reference, position, entry["history_id"] if entry else None,
                     entry["history_date"] if entry else None, reason, self.chain.name)

    def links(self, entries: list[dict[str, Any]]) -> Iterator[Break]:
        previous = GENESIS
        for position, entry in enumerate(entries, start=1):
            self.last_of[entry["id"]] = entry
            try:
                reason = crypto.decrypt(entry["stored_reason"], context=self.reason_context) \
                    if entry["stored_reason"] else ""
            except crypto.DecryptionError:
                yield self._break(position, entry,
                                  "its reason does not decrypt: it was changed in the database")
                self._remember(entries)
                return
            expected = self.chain.digest(previous, entry, reason=reason)
            if not hmac.compare_digest(expected, entry["chain_hash"] or ""):
                yield self._break(position, entry, "not sealed" if not entry["chain_hash"] else
                                  "changed, or an entry before it was changed, added or removed")
                self._remember(entries)
                return
            previous = entry["chain_hash"]
        yield from self._against_anchor(entries)

    def _remember(self, entries: list[dict[str, Any]]) -> None:
        """After a broken link the rest is not checked, but the rows are compared with it all."""
        for entry in entries:
            self.last_of[entry["id"]] = entry

    def _against_anchor(self, entries: list[dict[str, Any]]) -> Iterator[Break]:
        if self.anchored is None or self.anchor is None:
            return
        count, head = self.anchored
        when = f"{self.anchor.made_at:%Y-%m-%d %H:%M:%S %Z}"
        what = "its history" if self.chain is TICKET else f"the history of its {self.chain.noun}s"
        if not entries:
            gone = ("the ticket and its history were removed" if self.chain is TICKET
                    else f"{what} was removed")
            yield self._break(0, None, f"{gone} since the anchor of {when} ({count} entries anchored)")
        elif len(entries) < count:
            yield self._break(0, None, f"{what} was shortened since the anchor of {when}: {count} "
                                       f"entries were anchored, {len(entries)} remain")
        elif not hmac.compare_digest(entries[count - 1]["chain_hash"], head):
            yield self._break(count, None, f"{what} was rewritten since the anchor of {when}: entry "
                                           f"{count} is not the one anchored")

    def rows(self, live: list[dict[str, Any]]) -> Iterator[Break]:
        """Each live row against the last history entry of its object (see the module's docstring)."""
        by_id = {row["id"]: row for row in live}
        noun = self.chain.noun
        for object_id in sorted(set(by_id) | set(self.last_of)):
            row, entry = by_id.get(object_id), self.last_of.get(object_id)
            label = "the ticket row" if self.chain is TICKET else f"{noun} {object_id}"
            if entry is None:
                yield self._break(0, None, f"{label} has no history: it was written outside the desk")
            elif entry["history_type"] == "-":
                if row is not None:
                    yield self._break(0, None, f"{label} exists though its history says it was deleted")
            elif row is None:
                yield self._break(0, None, f"{label} was deleted outside the desk: its history "
                                           "does not record the deletion")
            else:
                changed = [name for name in self.chain.fields
                           if _canonical(row[name]) != _canonical(entry[name])]
                if changed:
                    yield self._break(0, None, f"{label} differs from its last history entry "
                                               f"(history id {entry['history_id']}): {', '.join(changed)}")


def _grouped(rows: Iterable[Any], key: str) -> Iterator[tuple[int, list[Any]]]:
    """Consecutive rows with the same `key` as one list: one ticket's worth at a time."""
    for value, group in itertools.groupby(rows, key=itemgetter(key)):
        yield value, list(group)


def _merge(*streams: Iterator[tuple[int, _Item]]) -> Iterator[tuple[int, list[Any]]]:
    """Streams sorted by ticket id, merged: for each ticket id, what each stream has (or None)."""
    heads = [next(stream, None) for stream in streams]
    while any(head is not None for head in heads):
        ticket_id = min(head[0] for head in heads if head is not None)
        found: list[Any] = []
        for number, head in enumerate(heads):
            if head is not None and head[0] == ticket_id:
                found.append(head[1])
                heads[number] = next(streams[number], None)
            else:
                found.append(None)
        yield ticket_id, found


def anchor_make(*, directory: Path | None = None, now: datetime.datetime | None = None) -> anchors.Anchor:
    """Write the signed, dated anchor of every ticket's chain heads and the count of tickets to
    DESK_AUDIT_ANCHOR_DIR (or `directory`), atomically; return it (tickets/anchors.py)."""
    target = Path(directory or settings.DESK_AUDIT_ANCHOR_DIR)
    with snapshot():
        count = Ticket._base_manager.count()
        heads = [_grouped(_history_of(chain.model).objects.order_by(chain.group, "history_id")
                          .values(chain.group, "chain_hash", *(["reference"] if chain is TICKET else []))
                          .iterator(chunk_size=5_000), chain.group) for chain in CHAINS]
        references = _grouped(Ticket._base_manager.order_by("id").values("id", "reference")
                              .iterator(chunk_size=5_000), "id")
        with anchors.AnchorWriter(target, made_at=now or timezone.now(), tickets=count) as writer:
            for ticket_id, (named, *chains) in _merge(references, *heads):
                ticket_entries = chains[0]
                reference = (named[0]["reference"] if named else
                             ticket_entries[-1]["reference"] if ticket_entries else f"ticket id {ticket_id}")
                pinned = {chain.name: (len(entries), entries[-1]["chain_hash"])
                          for chain, entries in zip(CHAINS, chains, strict=True) if entries}
                if pinned:
                    writer.add(ticket_id, reference, pinned)
            return writer.finish()


# tickets/apps.py connects the ticket chain's seal in ready(), by importing this module; the other
# chains are connected here, at that same import, so no entry of theirs is written unsealed.
connect_seals()
