"""Writes and deliveries of the outbox (STYLE.md: Background work).

The row is written in the caller's transaction; on commit a task is published (the fast path);
a beat sweeper publishes again whatever is still pending or whose lease ran out (the slow path).
Delivery claims the row by compare-and-set, sends outside any transaction, then marks it sent:
so a message is never lost, and is sent twice only if a worker dies between the SMTP server's
"250 OK" and the commit of `sent` (the same Message-ID lets a mail client fold the two).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import smtplib
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from desk import faults
from notifications.models import Notification, Outbox
from notifications.rendering import render_message
from tickets.crypto import encrypt_many
from tickets.fields import EncryptedTextField

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SWEEP_BATCH = 500


class TransientDeliveryError(Exception):
    """The mail server could not take the message now; it is tried again later."""

    def __init__(self, message: str, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s … (by default) capped at 10 minutes, below the broker's visibility timeout."""
    return int(min(settings.DESK_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 600))


def outbox_enqueue(
    *, dedupe_key: str, event: str, recipient: str, language: str, context: dict[str, Any],
    ticket: Any = None,
) -> Outbox:
    """Write one message for delivery, in the caller's transaction; a repeated key writes nothing
    and returns the row already there. One INSERT … ON CONFLICT DO NOTHING, not get_or_create's
    SELECT, savepoint, INSERT and release (a submission's path: bench/intake.py)."""
    rendered = render_message(event=event, language=language, context=context)
    message = Message(dedupe_key=dedupe_key, event=event, ticket_id=ticket.pk if ticket is not None else None,
                      user_id=None, recipient=recipient, language=language, subject=rendered.subject,
                      body_text=rendered.body_text, body_html=rendered.body_html)
    created = timezone.now()
    ids = _write_outbox([message], created=created, repeats_ignored=True)
    if not ids:
        return Outbox.objects.get(dedupe_key=dedupe_key)
    row = Outbox(pk=ids[0], dedupe_key=dedupe_key, event=event, ticket=ticket, recipient=recipient,
                 language=language, subject=rendered.subject, body_text=rendered.body_text,
                 body_html=rendered.body_html, state=Outbox.State.PENDING, attempts=0, last_error="",
                 created_at=created)
    row._state.adding = False
    outbox_id = row.pk

    # robust: a broker that is down must not fail the request that already committed. A named
    # function, not functools.partial: Django logs a failed callback by its __qualname__.
    def publish_after_commit() -> None:
        _publish(outbox_id)

    transaction.on_commit(publish_after_commit, robust=True)
    return row


def _publish(outbox_id: int) -> None:
    from notifications.tasks import deliver_outbox

    deliver_outbox.delay(outbox_id)


def publish_many(outbox_ids: list[int], chunk: int = 100) -> None:
    """The fast path for many rows at once: one task per chunk of ids (one row: `_publish`)."""
    from notifications.tasks import deliver_outbox_batch

    if len(outbox_ids) == 1:
        _publish(outbox_ids[0])
        return
    # One producer for every chunk: `delay` acquires one per call, and on Redis each comes with a
    # client of its own to build (5 ms a publish, 0.16 of a 2,000-ticket sweep's 0.88 s).
    with deliver_outbox_batch.app.producer_or_acquire() as producer:
        for start in range(0, len(outbox_ids), chunk):
            deliver_outbox_batch.apply_async((outbox_ids[start:start + chunk],), producer=producer)


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


def outbox_enqueue_many(*, messages: list[Message], now: datetime.datetime | None = None) -> int:
    """Write many messages in the caller's transaction, each with its in-app notification: a few
    multi-row INSERTs for the lot, no model instance per row (the escalation sweep's path). The
    fields are encrypted here as EncryptedTextField would (tickets/fields.py). A repeated key is
    an IntegrityError, as bulk_create's would be; on commit the rows are published in chunks.
    Returns the number of outbox rows written."""
    created = timezone.now() if now is None else now
    at = connection.ops.adapt_datetimefield_value(created)
    notes = [(m.user_id, m.ticket_id, m.notification_event, m.dedupe_key, m.subject[:500], at)
             for m in messages if m.user_id is not None]
    _insert(Notification, ("user_id", "ticket_id", "event", "dedupe_key", "text", "created_at"), notes)
    ids = _write_outbox(messages, created=created)
    if ids:
        def publish_after_commit() -> None:
            publish_many(ids)

        transaction.on_commit(publish_after_commit, robust=True)
    return len(ids)


def _write_outbox(messages: list[Message], *, created: datetime.datetime,
                  repeats_ignored: bool = False) -> list[int]:
    """The outbox rows of the messages with an address, their fields encrypted as
    EncryptedTextField would (tickets/fields.py), in one INSERT; the ids written. A repeated
    key is an IntegrityError, or with `repeats_ignored` a row not written (and no id)."""
    at = connection.ops.adapt_datetimefield_value(created)
    fields = {name: cast(EncryptedTextField, Outbox._meta.get_field(name)).associated_data
              for name in ("recipient", "subject", "body_text", "body_html")}
    emailed = [m for m in messages if m.recipient]
    sealed = {name: encrypt_many([getattr(m, name) for m in emailed], context=context)
              for name, context in fields.items()}
    rows = [(m.dedupe_key, m.event, m.ticket_id, recipient, m.language, subject, body_text,
             body_html if m.body_html else "", Outbox.State.PENDING.value, 0, "", at)
            for m, recipient, subject, body_text, body_html in zip(
                emailed, sealed["recipient"], sealed["subject"], sealed["body_text"], sealed["body_html"],
                strict=True)]
    return _insert(Outbox, ("dedupe_key", "event", "ticket_id", "recipient", "language", "subject",
                            "body_text", "body_html", "state", "attempts", "last_error", "created_at"),
                   rows, returning="id", unless_repeated="dedupe_key" if repeats_ignored else "")


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
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
        typed = ", ".join(f"{quote(column)} {model._meta.get_field(column).db_type(connection)}"
                          for column in columns)
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


def _json(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as JSON")


def message_id(row: Outbox) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "privacy-desk.invalid"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox.{row.pk}.{digest}@{domain}>"


def outbox_deliver(*, outbox_id: int) -> str:
    """Deliver one row if it is due and nobody else holds it. Returns what happened."""
    now = timezone.now()
    claimed = (
        Outbox.objects.filter(pk=outbox_id, state__in=[Outbox.State.PENDING, Outbox.State.SENDING])
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(state=Outbox.State.SENDING, attempts=F("attempts") + 1,
                lease_until=now + datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS))
    )
    if claimed != 1:
        return "skipped"
    row = Outbox.objects.get(pk=outbox_id)
    faults.hit("outbox.before_send")
    try:
        _send(row)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, ValueError) as error:
        _fail(row, f"permanent: {error!r}")
        return "failed"
    except (smtplib.SMTPException, OSError) as error:
        return _postpone(row, error)
    # A death here, after the server's 250 and before this commit, is the one window in which a
    # message can go out twice; the same Message-ID lets mail clients fold the copies.
    faults.hit("outbox.after_send")
    Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
        state=Outbox.State.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return "sent"


def _send(row: Outbox) -> None:
    message = EmailMultiAlternatives(
        subject=row.subject, body=row.body_text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        # The language, for the mail client and a screen reader to read the message in (RFC 3282;
        # the HTML part says it again in <html lang>).
        headers={"Message-ID": message_id(row), "Content-Language": row.language},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    message.send(fail_silently=False)


def _fail(row: Outbox, error: str) -> None:
    logger.error("outbox %s failed permanently: %s", row.pk, error)
    Outbox.objects.filter(pk=row.pk).update(
        state=Outbox.State.FAILED, lease_until=None, last_error=error[:2000]
    )


def _postpone(row: Outbox, error: Exception) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        _fail(row, f"gave up after {row.attempts} attempts: {error!r}")
        return "failed"
    delay = backoff_seconds(row.attempts)
    Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
        state=Outbox.State.PENDING, lease_until=None, last_error=repr(error)[:2000],
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
    )
    raise TransientDeliveryError(repr(error), retry_in=delay)


def outbox_due_ids(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Rows the fast path missed: pending and due, or claimed by a worker whose lease ran out."""
    now = timezone.now()
    due = Q(state=Outbox.State.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stuck = Q(state=Outbox.State.SENDING) & Q(lease_until__lt=now)
    return list(Outbox.objects.filter(due | stuck).order_by("id").values_list("pk", flat=True)[:limit])


def outbox_sweep() -> int:
    """Publish a delivery task for every due row; delivery's compare-and-set makes repeats harmless."""
    ids = outbox_due_ids()
    for outbox_id in ids:
        _publish(outbox_id)
    return len(ids)


def notifications_mark_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def outbox_retry(*, outbox_ids: list[int] | None = None) -> list[int]:
    """Give failed rows (all, or the ones named) a fresh start and publish them; returns their ids."""
    failed = Outbox.objects.filter(state=Outbox.State.FAILED)
    if outbox_ids is not None:
        failed = failed.filter(pk__in=outbox_ids)
    ids = list(failed.values_list("pk", flat=True))
    Outbox.objects.filter(pk__in=ids, state=Outbox.State.FAILED).update(
        state=Outbox.State.PENDING, attempts=0, next_attempt_at=None, lease_until=None)
    publish_many(ids)
    return ids


def digest_send(*, today: datetime.date | None = None) -> int:
    """Each manager's daily digest of their queues' open tickets due within 7 days; once a day
    whatever the schedule does (the key carries the date). Returns the number of digests written."""
    from django.contrib.auth.models import User

    from tickets.lifecycle import OPEN_STATUSES
    from tickets.models import Ticket

    today = today or timezone.localdate()
    week = today + datetime.timedelta(days=7)
    language = settings.DESK_STAFF_LANGUAGE
    written = 0
    managers = User.objects.filter(is_active=True, managed_desk_queues__isnull=False).distinct()
    for manager in managers.exclude(email="").prefetch_related("managed_desk_queues"):
        due = list(Ticket.objects.filter(
            queue__in=manager.managed_desk_queues.all(), due_date__lte=week,
            status__in=[s.value for s in OPEN_STATUSES]).order_by("due_date", "id")
            .values("reference", "due_date", "status")[:50])
        key = f"digest:{manager.pk}:{today.isoformat()}"
        if not due or Outbox.objects.filter(dedupe_key=key).exists():
            continue
        with transaction.atomic():
            outbox_enqueue(
                dedupe_key=key, event="digest",
                recipient=manager.email, language=language,
                context={"reference": today.isoformat(), "tickets": due, "today": today,
                         "overdue": sum(1 for t in due if t["due_date"] < today),
                         "queue_url": f"{settings.DESK_PUBLIC_BASE_URL}/staff/tickets/?due_within=7"})
        written += 1
    return written
