"""Requests coming in: the public form, the status page, and imports (demo data)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications.services import outbox_enqueue
from tickets import clock
from tickets.models import Attachment, Message, Queue, ReferenceCounter, Ticket
from tickets.regions import jurisdiction_for
from tickets.services.common import Actor, record, stamp, status_link_issue
from tickets.services.workflow import refuse_if_erased, ticket_resume_for_answer
from tickets.uploads import CheckedUpload, discard, store

REQUESTER_REASON = "submitted by the requester through the public form"


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    created: bool


def ticket_submit(
    *,
    kind: str,
    country: str,
    region: str,
    name: str,
    email: str,
    description: str,
    language: str,
    attachment: CheckedUpload | None,
    submission_key: uuid.UUID,
) -> Submission:
    """A request from the public form. The receipt time is the server's; a repeated form is one ticket."""
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return Submission(ticket=existing, created=False)
    try:
        return ticket_create(
            kind=kind, country=country, region=region, name=name, email=email,
            description=description, language=language, attachment=attachment,
            submission_key=submission_key, received_at=timezone.now(), actor=None,
            reason=REQUESTER_REASON,
        )
    except IntegrityError:
        # The same form posted twice at once: the other request's ticket stands.
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return Submission(ticket=existing, created=False)


def ticket_create(
    *,
    kind: str,
    country: str,
    region: str,
    name: str,
    email: str,
    description: str,
    language: str,
    attachment: CheckedUpload | None,
    submission_key: uuid.UUID | None,
    received_at: datetime.datetime,
    actor: Actor,
    reason: str,
    acknowledge: bool = True,
) -> Submission:
    """Create a ticket with its deadlines, first history row and acknowledgement in one transaction."""
    jurisdiction = jurisdiction_for(
        country=country, region=region, default_regime=settings.DESK_DEFAULT_REGIME,
        organisation_country=settings.DESK_ORGANISATION_COUNTRY,
    )
    schedule = clock.schedule(
        regime=jurisdiction.regime, kind=kind, calendar_code=jurisdiction.calendar,
        received_at=received_at,
    )
    stored_name = store(attachment) if attachment is not None else None
    try:
        with transaction.atomic():
            ticket = Ticket(
                reference=_next_reference(received_at), kind=kind, regime=jurisdiction.regime,
                calendar=jurisdiction.calendar, language=language, requester_name=name,
                requester_email=email, requester_country=country, requester_region=region,
                description=description, received_at=received_at, due_date=schedule.due_date,
                first_response_due=schedule.first_response_due, acknowledge_due=schedule.acknowledge_due,
                deadlines=schedule.explanation,
                queue=_queue_for(kind), submission_key=submission_key,
            )
            stamp(ticket, actor=actor, reason=reason)
            ticket.save()
            if attachment is not None and stored_name is not None:
                _attach(ticket=ticket, message=None, upload=attachment, stored_name=stored_name,
                        actor=actor, reason=reason)
            if acknowledge:
                _acknowledge(ticket)
    except BaseException:
        if stored_name is not None:
            discard(stored_name)
        raise
    return Submission(ticket=ticket, created=True)


def ticket_add_requester_message(
    *, ticket: Ticket, body: str, attachment: CheckedUpload | None
) -> Message:
    """The requester writes on their status page: a message, a file, or both."""
    stored_name = store(attachment) if attachment is not None else None
    reason = "message from the requester on the status page"
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            refuse_if_erased(locked)
            message = Message(ticket=locked, kind="requester", body=body)
            stamp(message, actor=None, reason=reason)
            message.save()
            if attachment is not None and stored_name is not None:
                _attach(ticket=locked, message=message, upload=attachment,
                        stored_name=stored_name, actor=None, reason=reason)
            if not ticket_resume_for_answer(locked):
                record(locked, actor=None, reason=reason)
    except BaseException:
        if stored_name is not None:
            discard(stored_name)
        raise
    return message


def _attach(
    *, ticket: Ticket, message: Message | None, upload: CheckedUpload, stored_name: str,
    actor: Actor, reason: str,
) -> Attachment:
    attachment = Attachment(
        ticket=ticket, message=message, original_name=upload.original_name,
        stored_name=stored_name, content_type=upload.content_type, size=upload.size,
        sha256=upload.sha256,
    )
    stamp(attachment, actor=actor, reason=reason)
    attachment.save()
    return attachment


def _acknowledge(ticket: Ticket) -> None:
    outbox_enqueue(
        dedupe_key=f"ticket:{ticket.pk}:acknowledgement:requester",
        event="acknowledgement",
        ticket=ticket,
        recipient=ticket.requester_email,
        language=ticket.language,
        context={
            "reference": ticket.reference,
            "name": ticket.requester_name,
            "kind": ticket.get_kind_display(),
            "kind_value": ticket.kind,
            "due_date": ticket.due_date,
            "status_url": status_link_issue(ticket),
            "organisation_name": settings.DESK_ORGANISATION_NAME,
        },
    )


def _next_reference(received_at: datetime.datetime) -> str:
    """PD-<year>-<number>, without gaps: the row lock (taken by the UPDATE, held to the commit)
    makes two submissions wait for each other, not collide, and a rolled-back submission gives
    its number back. One statement, not a read, a lock and a write: every submission of the year
    queues on this row, so its round trips are the desk's intake ceiling."""
    year = timezone.localtime(received_at).year
    number = _take_number(year)
    if number is None:  # the year's first request: make its row, then take as usual
        ReferenceCounter.objects.get_or_create(year=year)
        number = _take_number(year)
    assert number is not None  # noqa: S101 - the row exists now and rows are never deleted
    return f"PD-{year}-{number:06d}"


def _take_number(year: int) -> int | None:
    """The year's next number (UPDATE … RETURNING: PostgreSQL, and SQLite since 3.35); None if
    the year has no row yet."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])  # noqa: S608 - the table name is the model's own
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _queue_for(kind: str) -> Queue:
    """The first queue that lists the kind, else the first queue; a request is never refused
    because an administrator removed every queue: it lands in an inbox made for it."""
    queues = list(Queue.objects.order_by("id"))
    for queue in queues:
        if kind in (queue.kinds or []):
            return queue
    if queues:
        return queues[0]
    inbox, _created = Queue.objects.get_or_create(slug="inbox", defaults={"name": "Inbox"})
    return inbox
