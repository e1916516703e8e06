"""Writes and deliveries of the outbox (STYLE.md: Background work).

The row is written in the caller's transaction; on commit a task is published (the fast path);
a beat sweeper publishes again whatever is still pending or whose lease ran out (the slow path).
Delivery claims the row by compare-and-set, sends outside any transaction, then marks it sent:
so a message is never lost, and is sent twice only if a worker dies between the SMTP server's
"250 OK" and the commit of `sent` (the same Message-ID lets a mail client fold the two).

A refusal is temporary or permanent as the server says (4xx, 5xx: RFC 5321 §4.2.1): a temporary
one, or a server that cannot be reached, is tried again with backoff for
DESK_OUTBOX_RETRY_SECONDS (3 days) from the first, and shows in `selectors.outbox_health` as it
goes on; a permanent one fails the row at once. A requester's email is stored with STATUS_URL
where its status link goes: each attempt makes a fresh link, keeps its digest and fills it in
just before sending (issue 15, items 2, 15, 16, 17).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib
import threading
import time
from html import escape
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django.utils import timezone

from desk import faults
from notifications import bulk
from notifications.bulk import Message
from notifications.models import Notification, Outbox
from notifications.rendering import render_message

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# A claim whose worker died is not an attempt (the message may never have reached the server), but
# a message that kills its worker every time must not loop for ever: past this many, it fails.
MAX_INTERRUPTED = 10
# Where a requester's email carries its status link. The stored bodies hold this, never a link: a
# delivery attempt fills in a fresh one. Nothing in it is changed by HTML escaping, and it opens
# nothing if it ever reached a reader.
STATUS_URL = "[status-link]"


class TransientDeliveryError(Exception):
    """The mail server could not take the message now; it is tried again later."""

    def __init__(self, message: str, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s … (by default) capped at 10 minutes (DESK_OUTBOX_BACKOFF_MAX_SECONDS),
    below the broker's visibility timeout."""
    first, longest = settings.DESK_OUTBOX_BACKOFF_SECONDS, settings.DESK_OUTBOX_BACKOFF_MAX_SECONDS
    return int(min(first * 2 ** min(max(attempts - 1, 0), 32), longest))


def outbox_enqueue(
    *, dedupe_key: str, event: str, recipient: str, language: str, context: dict[str, Any],
    ticket: Any = None,
) -> Outbox:
    """Write one message for delivery, in the caller's transaction; a repeated key writes nothing
    and returns the row already there. One INSERT … ON CONFLICT DO NOTHING, not get_or_create's
    SELECT, savepoint, INSERT and release (a submission's path: bench/intake.py)."""
    status_link = context.get("status_url") == STATUS_URL
    if status_link and ticket is None:
        raise ValueError("a status link needs the ticket it opens")
    rendered = render_message(event=event, language=language, context=context)
    message = Message(dedupe_key=dedupe_key, event=event, ticket_id=ticket.pk if ticket is not None else None,
                      user_id=None, recipient=recipient, language=language, subject=rendered.subject,
                      body_text=rendered.body_text, body_html=rendered.body_html, status_link=status_link)
    created = timezone.now()
    ids = bulk.outbox_insert([message], created=created, repeats_ignored=True)
    if not ids:
        return Outbox.objects.get(dedupe_key=dedupe_key)
    row = Outbox(pk=ids[0], dedupe_key=dedupe_key, event=event, ticket=ticket, recipient=recipient,
                 language=language, subject=rendered.subject, body_text=rendered.body_text,
                 body_html=rendered.body_html, status_link=status_link, state=Outbox.State.PENDING,
                 attempts=0, last_error="", created_at=created, published_at=created)
    row._state.adding = False
    outbox_id = row.pk

    # robust: a broker that is down must not fail the request that already committed. A named
    # function, not functools.partial: Django logs a failed callback by its __qualname__.
    def publish_after_commit() -> None:
        try:
            _publish(outbox_id)
        except Exception:
            _not_published([outbox_id])  # so the next sweep publishes it, not one a lease later
            raise

    transaction.on_commit(publish_after_commit, robust=True)
    return row


def _publish(outbox_id: int) -> None:
    from notifications.tasks import deliver_outbox

    deliver_outbox.delay(outbox_id)


def _not_published(outbox_ids: list[int]) -> None:
    Outbox.objects.filter(pk__in=outbox_ids).update(published_at=None)


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


def outbox_enqueue_many(*, messages: list[Message], now: datetime.datetime | None = None) -> int:
    """Write many messages in the caller's transaction, each with its in-app notification: a few
    multi-row INSERTs for the lot, no model instance per row (the escalation sweep's path,
    notifications/bulk.py). A repeated key is an IntegrityError, as bulk_create's would be; on
    commit the rows are published in chunks. Returns the number of outbox rows written."""
    created = timezone.now() if now is None else now
    bulk.notifications_insert(messages, created=created)
    ids = bulk.outbox_insert(messages, created=created)
    if ids:
        def publish_after_commit() -> None:
            try:
                publish_many(ids)
            except Exception:
                _not_published(ids)
                raise

        transaction.on_commit(publish_after_commit, robust=True)
    return len(ids)


def message_id(row: Outbox) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "privacy-desk.invalid"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox.{row.pk}.{digest}@{domain}>"


def outbox_deliver(*, outbox_id: int, retried_by_task: bool = False) -> str:
    """Deliver one row if it is due and nobody else holds it. Returns what happened: "sent",
    "failed" (permanently), "skipped"; a temporary failure raises TransientDeliveryError after
    postponing the row. `retried_by_task`: the caller's task publishes itself again at the retry
    time, so the sweep need not (otherwise it publishes the row as soon as it is due)."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS)
    claimed = (
        Outbox.objects.filter(pk=outbox_id, state__in=[Outbox.State.PENDING, Outbox.State.SENDING])
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        # Not an attempt yet: one is counted when it ends. A row still "sending" past its lease
        # was held by a worker that died: an interrupted claim, counted apart.
        .update(state=Outbox.State.SENDING, lease_until=lease,
                interrupted=Case(When(state=Outbox.State.SENDING, then=F("interrupted") + 1),
                                 default=F("interrupted"), output_field=PositiveSmallIntegerField()))
    )
    if claimed != 1:
        return "skipped"
    row = Outbox.objects.get(pk=outbox_id)
    if row.interrupted >= MAX_INTERRUPTED:
        _fail(row, f"permanent: its worker died in {row.interrupted} attempts to send it", attempt=False)
        return "failed"
    if row.status_link and row.ticket_id is None:
        _fail(row, "permanent: the ticket its status link would open is gone", attempt=False)
        return "failed"
    faults.hit("outbox.before_send")
    try:
        text, html = _with_status_link(row, lease=lease)
    except _LostClaim:
        return "skipped"
    try:
        _send(row, text=text, html=html)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        if _is_permanent(error):
            _fail(row, f"permanent: {error!r}")
            return "failed"
        return _postpone(row, error, retried_by_task=retried_by_task)
    # A death here, after the server's 250 and before this commit, is the one window in which a
    # message can go out twice; the same Message-ID lets mail clients fold the copies (and only
    # the second copy's status link works: the next attempt replaced the first's).
    faults.hit("outbox.after_send")
    Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
        state=Outbox.State.SENT, sent_at=timezone.now(), lease_until=None, last_error="",
        attempts=F("attempts") + 1,
    )
    return "sent"


class IssuedLink(Protocol):
    """A status link made for one delivery attempt: the one copy of its secret, and its digest."""

    @property
    def url(self) -> str: ...

    @property
    def digest(self) -> str: ...


class StatusLinkIssuer(Protocol):
    """Makes a fresh status link to a ticket, and removes the link whose digest is `replacing`."""

    def __call__(self, *, ticket_id: int, replacing: str = "") -> IssuedLink: ...


# What a status link opens, and how one is made, is the tickets' business: notifications/ imports
# nothing of tickets/, so tickets/ hands delivery its issuer when the desk starts (tickets/apps.py).
_status_link_issuer: StatusLinkIssuer | None = None


def status_link_issuer_register(issuer: StatusLinkIssuer) -> None:
    """The issuer of the status links that delivery fills in (`_with_status_link`)."""
    global _status_link_issuer
    _status_link_issuer = issuer


class _LostClaim(Exception):
    """The row's lease ran out and another worker claimed it before this one began to send."""


def _with_status_link(row: Outbox, *, lease: datetime.datetime) -> tuple[str, str]:
    """The bodies to send: with a fresh status link where the row holds STATUS_URL. The link of
    the row's previous attempt is removed in the same transaction, and only the new one's digest
    is kept, so the row never holds a working link and only the newest copy of the email opens
    the request. The link is made before sending: a link in an email that never left is dead
    weight, a sent email without a working link would be a broken promise."""
    if not row.status_link or row.ticket_id is None:
        return row.body_text, row.body_html
    if _status_link_issuer is None:
        raise ImproperlyConfigured("no status link issuer: tickets/apps.py registers one "
                                   "(status_link_issuer_register)")
    with transaction.atomic():
        issued = _status_link_issuer(ticket_id=row.ticket_id, replacing=row.status_link_digest)
        # Our claim's lease identifies our claim: if it ran out and another worker took the row,
        # this writes nothing and the new link is rolled back.
        if not Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING, lease_until=lease).update(
                status_link_digest=issued.digest):
            transaction.set_rollback(True)
            raise _LostClaim
    return (row.body_text.replace(STATUS_URL, issued.url),
            row.body_html.replace(STATUS_URL, escape(issued.url)))


def _is_permanent(error: Exception) -> bool:
    """RFC 5321 §4.2.1: a 5xx refusal of this message (its sender, its recipient, its data) is
    permanent, a 4xx one (greylisting, a full mailbox, a busy server) temporary. A server that
    cannot be reached, greets with an error or refuses our login is not about this message: it
    is temporary for every message, and shows as an alert until someone fixes it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per row; were there several, any one refused for good fails the row.
        codes = [code for code, _reply in error.recipients.values()]
        return not codes or any(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)):
        return False
    if isinstance(error, smtplib.SMTPResponseException):  # sender refused, data refused
        return int(error.smtp_code) >= 500
    return isinstance(error, ValueError)  # an address or header that can never be sent


def _send(row: Outbox, *, text: str, html: str) -> None:
    connection = _mail_connection()
    message = EmailMultiAlternatives(
        subject=row.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient], connection=connection,
        # The language, for the mail client and a screen reader to read the message in (RFC 3282;
        # the HTML part says it again in <html lang>).
        headers={"Message-ID": message_id(row), "Content-Language": row.language},
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except BaseException:
        _close_mail_connection()  # whatever state the dialogue is in, the next email starts afresh
        raise
    _held.last_used = time.monotonic()


# One SMTP connection per worker process (per thread), kept from one email to the next while
# they follow each other: connecting, EHLO (and TLS, and login) and QUIT were half of a delivery's
# time (bench/delivery.py). Idle longer than this, it is closed and a new one opened: servers
# drop idle clients (RFC 5321 §4.5.3.2.7 allows 5 minutes; some wait less).
SMTP_REUSE_SECONDS = 10.0
_held = threading.local()


def _mail_connection() -> Any:
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    held = getattr(_held, "connection", None)
    if held is not None and (getattr(_held, "key", None) != key
                             or time.monotonic() - getattr(_held, "last_used", 0.0) > SMTP_REUSE_SECONDS):
        _close_mail_connection()
        held = None
    if held is None:
        held = get_connection(fail_silently=False)
        held.open()  # opened here, so that sending does not close it after the message
        _held.connection, _held.key, _held.last_used = held, key, time.monotonic()
    return held


def _close_mail_connection() -> None:
    held, _held.connection = getattr(_held, "connection", None), None
    if held is not None:
        try:
            held.close()
        except Exception:  # a connection already broken is closed all the same
            logger.debug("closing a broken SMTP connection", exc_info=True)


def _fail(row: Outbox, error: str, *, attempt: bool = True) -> None:
    logger.error("outbox %s failed permanently: %s", row.pk, error)
    Outbox.objects.filter(pk=row.pk).update(
        state=Outbox.State.FAILED, lease_until=None, last_error=error[:2000],
        attempts=F("attempts") + int(attempt),
    )


def _postpone(row: Outbox, error: Exception, *, retried_by_task: bool) -> str:
    """A temporary failure: again after the backoff, for DESK_OUTBOX_RETRY_SECONDS from the first
    one (a server down for hours, or greylisting us, is waited out); failed only after that."""
    now = timezone.now()
    attempts = row.attempts + 1
    first_failure = row.first_failure_at or now
    if now - first_failure >= datetime.timedelta(seconds=settings.DESK_OUTBOX_RETRY_SECONDS):
        _fail(row, f"gave up after {attempts} attempts since {first_failure.isoformat()}: {error!r}")
        return "failed"
    delay = backoff_seconds(attempts)
    retry_at = now + datetime.timedelta(seconds=delay)
    Outbox.objects.filter(pk=row.pk, state=Outbox.State.SENDING).update(
        state=Outbox.State.PENDING, lease_until=None, last_error=repr(error)[:2000],
        attempts=F("attempts") + 1, next_attempt_at=retry_at, first_failure_at=first_failure,
        # The task's own retry is a publish due at retry_at; without one, the sweep's next tick.
        published_at=retry_at if retried_by_task else None,
    )
    raise TransientDeliveryError(repr(error), retry_in=delay)


def outbox_due_ids(*, limit: int = SWEEP_BATCH, now: datetime.datetime | None = None) -> list[int]:
    """Rows the fast path missed: pending and due, or claimed by a worker whose lease ran out; and
    of those only the ones not published within the lease (a task for the others is still queued:
    publishing it again only lengthens the broker's backlog). A row claimed after its last publish
    has no task left (the dead worker took it), so it is published as soon as its lease is over."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS)
    waiting = Q(published_at__isnull=True) | Q(published_at__lt=now - lease)
    due = Q(state=Outbox.State.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stuck = (Q(state=Outbox.State.SENDING) & Q(lease_until__lt=now)
             & (waiting | Q(published_at__lt=F("lease_until"))))
    return list(Outbox.objects.filter((due & waiting) | stuck).order_by("id")
                .values_list("pk", flat=True)[:limit])


def outbox_sweep() -> int:
    """Publish a delivery task for every due row not published within the lease, and note the
    publish; delivery's compare-and-set makes any repeat harmless. Returns how many."""
    now = timezone.now()
    ids = outbox_due_ids(now=now)
    Outbox.objects.filter(pk__in=ids).update(published_at=now)
    for done, outbox_id in enumerate(ids):
        try:
            _publish(outbox_id)
        except Exception:
            _not_published(ids[done:])  # the broker is down: the next tick tries these again
            raise
    return len(ids)


def notifications_mark_read(*, user: Any, notification_id: int | None = None, event: str = "",
                            day: datetime.date | None = None) -> int:
    """Mark the user's unread notifications read: one (`notification_id`), one group of the list
    (`event` on `day`, a day in the current time zone), or else all; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    if event and day is not None:
        start, end = (timezone.make_aware(datetime.datetime.combine(date, datetime.time()))
                      for date in (day, day + datetime.timedelta(days=1)))
        unread = unread.filter(event=event, created_at__gte=start, created_at__lt=end)
    return unread.update(read_at=timezone.now())


def outbox_retry(*, outbox_ids: list[int] | None = None) -> list[int]:
    """Give failed rows (all, or the ones named) a fresh start and publish them; returns their ids."""
    failed = Outbox.objects.filter(state=Outbox.State.FAILED)
    if outbox_ids is not None:
        failed = failed.filter(pk__in=outbox_ids)
    ids = list(failed.values_list("pk", flat=True))
    Outbox.objects.filter(pk__in=ids, state=Outbox.State.FAILED).update(
        state=Outbox.State.PENDING, attempts=0, interrupted=0, next_attempt_at=None, lease_until=None,
        first_failure_at=None, published_at=timezone.now())
    publish_many(ids)
    return ids

