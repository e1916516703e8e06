"""The outbox's and the in-app notifications' bulk writes, behind one door (issue 17 §3).

`outbox_enqueue_many` writes thousands of messages at once (the escalation sweep's path), and
`outbox_enqueue` one on every submission (bench/intake.py): here they are a few multi-row INSERTs,
no model instance per row. Each row is what `Outbox.objects.create(…)` or
`Notification.objects.create(…)` writes, and nothing else: the same columns and values, and the
encrypted fields sealed as EncryptedTextField seals them (bound to the row's `dedupe_key`, the
empty string left empty). tests/test_bulk_paths.py holds both tables to that, byte for byte, on
SQLite and PostgreSQL; what a message says and who gets it is the callers' (notifications/
services.py, the tickets' services).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models

from desk.crypto import encrypt_many
from desk.fields import EncryptedTextField
from notifications.models import Notification, Outbox

_OUTBOX_COLUMNS = ("dedupe_key", "event", "ticket_id", "recipient", "language", "subject", "body_text",
                   "body_html", "status_link", "state", "attempts", "last_error", "created_at",
                   "published_at")
_ENCRYPTED = ("recipient", "subject", "body_text", "body_html")
_NOTIFICATION_COLUMNS = ("user_id", "ticket_id", "event", "dedupe_key", "text", "created_at")


@dataclass(frozen=True)
class Message:
    """One rendered message for `outbox_enqueue_many` (and its in-app notification)."""

    dedupe_key: str
    event: str
    ticket_id: int | None
    user_id: int | None  # the member of staff whose in-app list gets `subject`; None: email only
    recipient: str  # the email address; "" writes the in-app notification alone
    language: str
    subject: str
    body_text: str
    body_html: str
    notification_event: str = ""
    status_link: bool = False  # the bodies hold STATUS_URL, filled in at each delivery attempt


def notifications_insert(messages: Sequence[Message], *, created: datetime.datetime) -> None:
    """The in-app notification of each message addressed to a member of staff (`user_id`), its
    text the subject; a repeated key is an IntegrityError, as bulk_create's would be."""
    at = connection.ops.adapt_datetimefield_value(created)
    text_length = cast(models.CharField, Notification._meta.get_field("text")).max_length or 500
    _insert(Notification, _NOTIFICATION_COLUMNS,
            [(m.user_id, m.ticket_id, m.notification_event, m.dedupe_key, m.subject[:text_length], at)
             for m in messages if m.user_id is not None])


def outbox_insert(messages: Sequence[Message], *, created: datetime.datetime,
                  repeats_ignored: bool = False) -> list[int]:
    """The pending outbox rows of the messages with an address (`recipient`), in one INSERT; the
    ids written. A repeated key is an IntegrityError, or with `repeats_ignored` a row not written
    (and no id). Each row counts as published when written: the caller publishes it on commit."""
    at = connection.ops.adapt_datetimefield_value(created)
    emailed = [m for m in messages if m.recipient]
    sealed = _sealed(emailed)
    rows = [(m.dedupe_key, m.event, m.ticket_id, recipient, m.language, subject, body_text, body_html,
             m.status_link, Outbox.State.PENDING.value, 0, "", at, at)
            for m, recipient, subject, body_text, body_html in zip(emailed, *sealed, strict=True)]
    return _insert(Outbox, _OUTBOX_COLUMNS, rows, returning="id",
                   unless_repeated="dedupe_key" if repeats_ignored else "")


def _sealed(messages: list[Message]) -> list[list[str]]:
    """Each encrypted column's values (`_ENCRYPTED`), as EncryptedTextField's pre_save seals them:
    bound to the column and the row's identity, the dedupe key (desk/fields.py), and the empty
    string left empty. A column's values are encrypted in one call (crypto.encrypt_many)."""
    columns = []
    for name in _ENCRYPTED:
        context = cast(EncryptedTextField, Outbox._meta.get_field(name)).associated_data
        values = [getattr(m, name) for m in messages]
        filled = [position for position, value in enumerate(values) if value]
        encrypted = encrypt_many([values[p] for p in filled], context=context,
                                 rows=[messages[p].dedupe_key for p in filled])
        for position, value in zip(filled, encrypted, strict=True):
            values[position] = value
        columns.append(values)
    return columns


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]],
            returning: str = "", unless_repeated: str = "") -> list[Any]:
    """Multi-row INSERTs of `rows`. PostgreSQL takes the rows as one JSON parameter: the driver
    binds one string instead of quoting thousands of values or array elements one by one (the
    sweep's profile: 1.7 s of 10,000 escalations went to that); other databases take VALUES rows,
    as many to a statement as their parameter limit."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    suffix = f" ON CONFLICT ({quote(unless_repeated)}) DO NOTHING" if unless_repeated else ""
    suffix += f" RETURNING {quote(returning)}" if returning else ""
    if connection.vendor == "postgresql":
        typed = ", ".join(f"{quote(column)} {_column_type(model, column)}" for column in columns)
        statements = [(f"INSERT INTO {table} ({names}) SELECT {names} "  # noqa: S608 -- names from the model
                       f"FROM jsonb_to_recordset(%s::jsonb) AS r({typed})" + suffix,
                       [json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=_json)])]
    else:
        per_statement = max(1, (connection.features.max_query_params or 999) // len(columns))
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        statements = [(f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 -- names from the model
                       + ", ".join([row_sql] * len(chunk)) + suffix,
                       [value for row in chunk for value in row])
                      for chunk in (rows[start:start + per_statement]
                                    for start in range(0, len(rows), per_statement))]
    returned: list[Any] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if returning:
                returned += [row[0] for row in cursor.fetchall()]
    return returned


def _column_type(model: type[models.Model], column: str) -> str | None:
    return cast("models.Field[Any, Any]", model._meta.get_field(column)).db_type(connection)


def _json(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as JSON")
