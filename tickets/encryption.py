"""The encrypted columns and files as a whole, in batches: encrypt what is still plaintext (the
migrations), move everything to the head key and bind every value to its row (`manage.py
rotate_keys`), and check that everything decrypts where it is (`manage.py verify_encryption`).

It works in SQL on the stored text, not through the models, for three reasons: the ORM decrypts
on read and so cannot tell which key or version a value is under; simple-history would record a
new entry for a value that did not change; and the same code must run inside migrations, whose
models are historical. Each batch is one transaction, and each UPDATE compares the old
ciphertext, so a value a request rewrote in the meantime is left alone (it is under the head key,
bound to its row, already).

Every value is read with its row's identity (desk/fields.py, `ROW_IDENTITIES`), taken from the
same row in the same SELECT: a value copied from another row does not decrypt, and the problem
names the row (its primary key, its identity, and its ticket's reference where it has one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from desk import crypto
from desk.fields import EncryptedTextField
from tickets import uploads

BATCH_SIZE = 500


@dataclass(frozen=True)
class Binding:
    """What a stored value is bound to: its column's context, and its row's identity (None for a
    column whose model has no row identity)."""

    context: str
    row: str | None = None


# A stored value and its binding in, the value to store out; None leaves the row as it is.
Transform = Callable[[str, Binding], str | None]


@dataclass(frozen=True)
class Column:
    label: str  # "tickets.HistoricalTicket.description", for reports
    table: str
    pk: str
    name: str
    context: str
    row: str = ""  # the column holding the row's identity; "" if the values are bound to the column only
    ticket: str = ""  # the column holding the row's ticket id, to name the ticket in a report


@dataclass(frozen=True)
class Problem:
    label: str
    pk: Any
    reason: str
    row: str = ""  # the row's identity, as the value is bound to it
    ticket: str = ""  # the reference of the row's ticket, when it has one

    def __str__(self) -> str:
        ticket = f" of the ticket {self.ticket}" if self.ticket else ""
        return f"{self.label} {self.pk}{ticket}: {self.reason}"


@dataclass
class Tally:
    """What `check_column` counts besides the problems: the values under each key, and per column
    the values still bound to their column only (v1) where the model has a row identity."""

    by_key: dict[str, int] = field(default_factory=dict)
    unbound: dict[str, int] = field(default_factory=dict)


class RewriteStopped(Exception):
    """A value that does not decrypt stopped a rewrite; the batches before it are committed."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def encrypted_columns(models: Iterable[Any]) -> list[Column]:
    """Every EncryptedTextField of the given models (live ones, or a migration's), with the
    column that identifies the row where the model has one."""
    columns = []
    for model in models:
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        ticket = _ticket_column(meta)
        for model_field in meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                row_field = model_field.row_field
                label = f"{meta.app_label}.{meta.object_name}.{model_field.name}"
                columns.append(Column(label, meta.db_table, meta.pk.column, model_field.column,
                                      model_field.associated_data,
                                      row_field.column if row_field is not None else "", ticket))
    return columns


def _ticket_column(meta: Any) -> str:
    try:
        ticket = meta.get_field("ticket")
    except FieldDoesNotExist:
        return ""
    remote = getattr(getattr(ticket, "remote_field", None), "model", None)
    label = getattr(getattr(remote, "_meta", None), "label_lower", remote)
    return ticket.column if label == "tickets.ticket" else ""


def _rows(connection: BaseDatabaseWrapper, column: Column, *,
          batch_size: int) -> Iterator[list[tuple[Any, str | None, str]]]:
    """The column's non-empty values in batches, by primary key (keyset paging: no OFFSET), each
    as (pk, the row's identity or None, stored value)."""
    quote = connection.ops.quote_name
    table, pk, name = quote(column.table), quote(column.pk), quote(column.name)
    identity = f"CAST({quote(column.row)} AS TEXT)" if column.row else "NULL"
    last = None
    while True:
        after = "" if last is None else f"AND {pk} > %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {identity}, {name} FROM {table} WHERE {name} IS NOT NULL AND {name} <> '' "  # noqa: S608 - names are the models' own, quoted; values are parameters
                f"{after} ORDER BY {pk} LIMIT %s", [*([] if last is None else [last]), batch_size])
            batch = [(pk_value, None if not column.row else (row or ""), value)
                     for pk_value, row, value in cursor.fetchall()]
        if batch:
            yield batch
        if len(batch) < batch_size:  # the last batch: no query more to find the table's end
            return
        last = batch[-1][0]


def rewrite_column(connection: BaseDatabaseWrapper, column: Column, transform: Transform,
                   *, batch_size: int = BATCH_SIZE) -> int:
    """Apply `transform` to every non-empty value; returns how many values were rewritten."""
    rewritten = 0
    for batch in _rows(connection, column, batch_size=batch_size):
        changes = []
        for pk, row, old in batch:
            try:
                new = transform(old, Binding(column.context, row))
            except crypto.DecryptionError as error:
                raise RewriteStopped(_problem(connection, column, pk, row, str(error))) from error
            if new is not None:
                changes.append((new, pk, old))
        if changes:
            with transaction.atomic(using=connection.alias):
                _update(connection, column, changes)
            rewritten += len(changes)
    return rewritten


def _update(connection: BaseDatabaseWrapper, column: Column, changes: list[tuple[str, Any, str]]) -> None:
    """Write (new, pk, old) triples, each only where the column still holds `old`. PostgreSQL
    takes a batch in one UPDATE … FROM (VALUES …): per-row statements made rotation a quarter as
    fast (bench desk of 10k tickets, 92k values)."""
    quote = connection.ops.quote_name
    table, pk, name = quote(column.table), quote(column.pk), quote(column.name)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = ", ".join(["(%s, %s::bigint, %s)"] * len(changes))
            cursor.execute(
                f"UPDATE {table} AS t SET {name} = v.new FROM (VALUES {rows}) AS v(new, pk, old) "  # noqa: S608 - as above
                f"WHERE t.{pk} = v.pk AND t.{name} = v.old",
                [value for change in changes for value in change])
        else:
            cursor.executemany(f"UPDATE {table} SET {name} = %s WHERE {pk} = %s AND {name} = %s",  # noqa: S608 - as above
                               changes)


def _problem(connection: BaseDatabaseWrapper, column: Column, pk: Any, row: str | None,
             reason: str) -> Problem:
    """A problem naming its row: the identity the value should be bound to, and the ticket's
    reference (read only for the rows that have a problem, so a clean check reads no more)."""
    reference = ""
    if column.ticket:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.{quote('reference')} FROM {quote(column.table)} r "  # noqa: S608 - as above
                f"JOIN {quote('tickets_ticket')} t ON t.{quote('id')} = r.{quote(column.ticket)} "
                f"WHERE r.{quote(column.pk)} = %s", [pk])
            found = cursor.fetchone()
            reference = found[0] if found else "(deleted)"
    elif column.row == "reference":  # a ticket's row (or its history's) is bound to its reference
        reference = row or ""
    return Problem(column.label, pk, reason, row or "", reference)


def encrypt_plaintext(value: str, binding: Binding) -> str | None:
    """For the migrations: encrypt a value unless it is already ours (a migration run twice).
    Bound to the column only, as the migrations always wrote; `rotate_keys` binds it to its row."""
    try:
        crypto.decrypt(value, context=binding.context, row=binding.row)
    except crypto.DecryptionError:
        return crypto.encrypt(value, context=binding.context)
    return None


def decrypt_to_plaintext(value: str, binding: Binding) -> str | None:
    return crypto.decrypt(value, context=binding.context, row=binding.row)


def encrypt_columns(connection: BaseDatabaseWrapper, columns: Iterable[Column]) -> None:
    """A migration's forward step: every plaintext value of these columns encrypted."""
    for column in columns:
        rewrite_column(connection, column, encrypt_plaintext)


def decrypt_columns(connection: BaseDatabaseWrapper, columns: Iterable[Column]) -> None:
    """A migration's backward step: every value of these columns back to plaintext."""
    for column in columns:
        rewrite_column(connection, column, decrypt_to_plaintext)


def to_head_key(value: str, binding: Binding) -> str | None:
    """For rotation: re-encrypt under the head key, bound to its row where the column has row
    identities, a value under any other key or still bound to its column only (v1). A value that
    does not decrypt in its row raises: rotation never rewrites what it cannot read, nor lets a
    value moved from another row take on this row's identity."""
    wanted = crypto.VERSION if binding.row is None else crypto.ROW_BOUND
    if crypto.key_id_of(value) == crypto.head_key_id() and crypto.version_of(value) == wanted:
        return None
    plaintext = crypto.decrypt(value, context=binding.context, row=binding.row)
    return crypto.encrypt(plaintext, context=binding.context, row=binding.row)


def to_column_bound(value: str, binding: Binding) -> str | None:
    """For migration 0021 reversed: a value bound to its row back to v1, which older code reads."""
    if crypto.version_of(value) != crypto.ROW_BOUND:
        return None
    return crypto.encrypt(crypto.decrypt(value, context=binding.context, row=binding.row),
                          context=binding.context)


def fill_email_digests(connection: BaseDatabaseWrapper, email: Column, *,
                       digest_column: str = "requester_email_digest", batch_size: int = BATCH_SIZE) -> int:
    """Recompute the blind index from the encrypted email (the migration; a new index key)."""
    quote = connection.ops.quote_name
    update = (f"UPDATE {quote(email.table)} SET {quote(digest_column)} = %s "  # noqa: S608 - as above
              f"WHERE {quote(email.pk)} = %s AND {quote(digest_column)} <> %s")
    rewritten = 0
    for batch in _rows(connection, email, batch_size=batch_size):
        changes = []
        for pk, row, value in batch:
            try:
                digest = crypto.email_digest(crypto.decrypt(value, context=email.context, row=row))
            except crypto.DecryptionError as error:
                raise RewriteStopped(_problem(connection, email, pk, row, str(error))) from error
            changes.append((digest, pk, digest))
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.executemany(update, changes)
            rewritten += max(cursor.rowcount, 0)
    return rewritten


def check_column(connection: BaseDatabaseWrapper, column: Column, *, batch_size: int = BATCH_SIZE,
                 key_counts: dict[str, int] | None = None, tally: Tally | None = None) -> Iterator[Problem]:
    """Every value that does not decrypt in its row under the configured keys, plaintext and
    values moved from another row included."""
    for batch in _rows(connection, column, batch_size=batch_size):
        for pk, row, value in batch:
            try:
                crypto.decrypt(value, context=column.context, row=row)
            except crypto.DecryptionError as error:
                yield _problem(connection, column, pk, row, str(error))
                continue
            key_id = crypto.key_id_of(value)
            if key_counts is not None:
                key_counts[key_id] = key_counts.get(key_id, 0) + 1
            if tally is not None:
                tally.by_key[key_id] = tally.by_key.get(key_id, 0) + 1
                if row is not None and crypto.version_of(value) != crypto.ROW_BOUND:
                    tally.unbound[column.label] = tally.unbound.get(column.label, 0) + 1


def unreadable_values(connection: BaseDatabaseWrapper, models: Iterable[Any],
                      tally: Tally | None = None) -> Iterator[Problem]:
    """Every encrypted value of the models that does not decrypt in its own row, each naming its
    row: `verify_encryption`'s check, for any other report (the audit's) to include."""
    for column in encrypted_columns(models):
        yield from check_column(connection, column, tally=tally)


# Attachments on disk (tickets/uploads.py writes and reads them).


def stored_file_names(connection: BaseDatabaseWrapper, table: str = "tickets_attachment") -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('stored_name')} FROM {quote(table)} ORDER BY {quote('id')}")  # noqa: S608 - fixed names
        return [name for (name,) in cursor.fetchall()]


def rewrite_files(names: Iterable[str], transform: Callable[[bytes, str], bytes | None]) -> int:
    rewritten = 0
    for name in names:
        path = uploads.private_root() / name
        if not path.exists():
            continue
        try:
            new = transform(path.read_bytes(), uploads.file_context(name))
        except crypto.DecryptionError as error:
            raise RewriteStopped(Problem("file", name, str(error))) from error
        if new is not None:
            uploads.replace(name, new)
            rewritten += 1
    return rewritten


def encrypt_plain_file(content: bytes, context: str) -> bytes | None:
    try:
        crypto.decrypt_bytes(content, context=context)
    except crypto.DecryptionError:
        return crypto.encrypt_bytes(content, context=context)
    return None


def decrypt_file(content: bytes, context: str) -> bytes | None:
    return crypto.decrypt_bytes(content, context=context)


def file_to_head_key(content: bytes, context: str) -> bytes | None:
    if crypto.bytes_key_id(content) == crypto.head_key_id():
        return None
    return crypto.encrypt_bytes(crypto.decrypt_bytes(content, context=context), context=context)


def check_files(names: Iterable[str], key_counts: dict[str, int] | None = None,
                tally: Tally | None = None) -> Iterator[Problem]:
    for name in names:
        path = uploads.private_root() / name
        if not path.exists():
            yield Problem("file", name, "the file is missing")
            continue
        content = path.read_bytes()
        try:
            crypto.decrypt_bytes(content, context=uploads.file_context(name))
        except crypto.DecryptionError as error:
            yield Problem("file", name, str(error))
            continue
        key_id = crypto.bytes_key_id(content)
        if key_counts is not None:
            key_counts[key_id] = key_counts.get(key_id, 0) + 1
        if tally is not None:
            tally.by_key[key_id] = tally.by_key.get(key_id, 0) + 1
