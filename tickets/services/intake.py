"""Requests coming in: the public form, the status page, and imports (demo data)."""

from __future__ import annotations

import datetime
import enum
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from desk import ratelimit
from desk.crypto import email_digest
from notifications.services import STATUS_URL, outbox_enqueue
from tickets import clock, reasons
from tickets.choices import Kind
from tickets.errors import Refusal
from tickets.lifecycle import ENDED_STATUSES, Status
from tickets.models import Attachment, Message, Queue, ReferenceCounter, StatusLink, Ticket
from tickets.regions import jurisdiction_for
from tickets.services.common import Actor, record, stamp
from tickets.services.requester import News, staff_tell
from tickets.services.status_links import status_link_for_submitter
from tickets.services.workflow import _move, refuse_if_erased, ticket_resume_for_answer
from tickets.uploads import CheckedUpload, discard, store

REQUESTER_REASON = reasons.SUBMITTED()


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    created: bool  # False: a repeat of a request its sender made already ("already received")


class SubmissionKeyUsed(Refusal):
    """The submission key is another sender's request: nothing is made, nothing about it is told."""

    code = "submission_key_used"


@dataclass(frozen=True)
class Submitter:
    """Who sends a request, as far as a repeated submission key may answer them.

    Submission keys are idempotency keys, not secrets: they are in every form page and any
    client may send any key. So a repeat answers "already received" only to whoever shows they
    made the request (issue 15, hole 1): the browser that submitted it (`browser`, the keyed
    hash of its binding cookie, remembered with the ticket), or one that opened a status link
    of the same email address (`status_ticket_id`, its status session) and posts that address;
    an API client (`by_email`) with the same email address, which is told only the reference."""

    email: str
    browser: str = ""  # tickets.services.status_links.browser_digest; "" without a cookie
    status_ticket_id: int | None = None  # the ticket this browser's status session opens
    by_email: bool = False  # the API intake: the same email address is enough

    def made(self, ticket: Ticket) -> bool:
        address = email_digest(self.email)
        same_email = hmac.compare_digest(address, ticket.requester_email_digest or "")
        if self.by_email:
            return same_email
        if self.browser and StatusLink.objects.filter(ticket=ticket, browser_digest=self.browser).exists():
            return True
        if self.status_ticket_id is None or not same_email:
            return False
        proven = Ticket.objects.filter(pk=self.status_ticket_id).values_list(
            "requester_email_digest", flat=True).first()
        return proven is not None and hmac.compare_digest(proven, address)


def _nothing() -> None:
    return None


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
    submitter: Submitter | None = None,
    count: Callable[[], None] = _nothing,
) -> Submission:
    """A request from the public form or the API intake. The receipt time is the server's.

    A repeated submission key (a double click, a client resending after a lost answer) makes
    no second ticket. It answers the existing request only to its own sender
    (`Submitter.made`); for anyone else it is SubmissionKeyUsed, which gives no access and tells
    nothing. `count` counts an attempt against the rate limits (RateLimited stops everything):
    it is called for every new request and every refused repeat, so a stranger reusing keys is
    counted like any other submission; only the sender's own repeat is not counted."""
    submitter = submitter or Submitter(email=email)
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _repeat(existing, submitter, count=count)
    count()
    try:
        return ticket_create(
            kind=kind, country=country, region=region, name=name, email=email,
            description=description, language=language, attachment=attachment,
            submission_key=submission_key, received_at=timezone.now(), actor=None,
            reason=REQUESTER_REASON, browser=submitter.browser,
        )
    except IntegrityError:
        # The same key posted twice at once: the other post's ticket stands, and is committed
        # (the unique index made us wait for it), its submitter's row with it.
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return _repeat(existing, submitter, count=_nothing)  # this attempt was counted above


def _repeat(existing: Ticket, submitter: Submitter, *, count: Callable[[], None]) -> Submission:
    if submitter.made(existing):
        return Submission(ticket=existing, created=False)
    count()
    raise SubmissionKeyUsed(_("This submission key was used already. Nothing was saved."))


@dataclass(frozen=True)
class NewRequest:
    """A request as the public form and the API intake validate it (RequestForm.to_request)."""

    kind: str
    country: str
    region: str
    name: str
    email: str
    description: str
    attachment: CheckedUpload | None
    submission_key: uuid.UUID


def request_submit(
    *, new_request: NewRequest, submitter: Submitter, client: str, language: str,
) -> Submission:
    """The one way a validated public request becomes a ticket, for the page and the API alike:
    counted against the limits of its client's address (`client`) and of its email address
    (RateLimited), unless it repeats its own sender's request; SubmissionKeyUsed when it repeats
    someone else's (`ticket_submit`)."""
    def count() -> None:
        ratelimit.hit("form-address", client, settings.DESK_RATE_FORM_ADDRESS)
        ratelimit.hit("form-email", email_digest(new_request.email), settings.DESK_RATE_FORM_EMAIL)

    return ticket_submit(
        kind=new_request.kind, country=new_request.country, region=new_request.region,
        name=new_request.name, email=new_request.email, description=new_request.description,
        language=language, attachment=new_request.attachment, submission_key=new_request.submission_key,
        submitter=submitter, count=count,
    )


def requester_language() -> str:
    """The language a requester is answered in: the one active now (the page's, or the API
    client's Accept-Language), if the desk speaks it, else the desk's default."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


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
    browser: str = "",
) -> Submission:
    """Create a ticket with its deadlines, first history row and acknowledgement in one transaction;
    `browser` (a browser_digest) is the submitting browser, remembered for repeats of its key."""
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
                description=description, received_at=received_at, **schedule.columns(),
                queue=_queue_for(kind), submission_key=submission_key,
            )
            stamp(ticket, actor=actor, reason=reason)
            ticket.save()
            if attachment is not None and stored_name is not None:
                _attach(ticket=ticket, message=None, upload=attachment, stored_name=stored_name,
                        actor=actor, reason=reason)
            if browser:
                status_link_for_submitter(ticket=ticket, browser=browser)
            if acknowledge:
                _acknowledge(ticket)
    except BaseException:
        if stored_name is not None:
            discard(stored_name)
        raise
    return Submission(ticket=ticket, created=True)


class Delivery(enum.StrEnum):
    """What became of a requester's message; the status page tells them which."""

    ADDED = "added"  # to their open request
    REOPENED = "reopened"  # to their answered request, which is open again
    FOLLOW_UP = "follow_up"  # to the request that follows up the one that had ended


@dataclass(frozen=True)
class RequesterMessage:
    ticket: Ticket  # the request the message went to: a follow-up of the one written on, perhaps
    delivery: Delivery
    message: Message | None  # None when it opened a follow-up: it is that request's description


def ticket_add_requester_message(
    *, ticket: Ticket, body: str, attachment: CheckedUpload | None
) -> RequesterMessage:
    """The requester writes on their status page: a message, a file, or both. Never lost, never
    unseen: on an open request it is added (and a paused clock runs again); on an answered one
    it is added and the request is open again; on one that has ended it goes to the request that
    follows it up, opened now if there is none yet (same requester, same law, linked both ways).
    Staff are told in each case (`requester.staff_tell`)."""
    stored_name = store(attachment) if attachment is not None else None
    upload = (attachment, stored_name) if attachment is not None and stored_name is not None else None
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            refuse_if_erased(locked)
            target = _current_request(locked)
            if Status(target.status) in ENDED_STATUSES:
                return _open_follow_up(target, body=body, upload=upload)
            return _add_message(target, body=body, upload=upload)
    except BaseException:
        if stored_name is not None:
            discard(stored_name)
        raise


def _current_request(ticket: Ticket) -> Ticket:
    """The request a message on `ticket` belongs to: the ticket itself, or while it has ended, the
    latest request that follows it up, locked in turn (always older before newer: two messages
    at once wait for each other, and the second finds the follow-up the first opened)."""
    while Status(ticket.status) in ENDED_STATUSES:
        later = (Ticket.objects.filter(follow_up_of=ticket).order_by("-id")
                 .values_list("pk", flat=True).first())
        if later is None:
            break
        ticket = Ticket.objects.select_for_update().get(pk=later)
        refuse_if_erased(ticket)
    return ticket


Upload = tuple[CheckedUpload, str]  # the checked file and the name it is stored under


def _add_message(ticket: Ticket, *, body: str, upload: Upload | None) -> RequesterMessage:
    reason = reasons.REQUESTER_MESSAGE()
    message = Message(ticket=ticket, kind="requester", body=body)
    stamp(message, actor=None, reason=reason)
    message.save()
    if upload is not None:
        _attach(ticket=ticket, message=message, upload=upload[0], stored_name=upload[1], actor=None,
                reason=reason)
    if ticket.status == Status.RESOLVED:
        # The requester answers our answer: the request is not answered any more (lifecycle:
        # resolved -> in progress); its next resolution counts anew.
        record(ticket, actor=None, reason=reasons.REQUESTER_REOPENED(),
               fields=_move(ticket, Status.IN_PROGRESS))
        delivery, news = Delivery.REOPENED, News.REOPENED
    else:
        if not ticket_resume_for_answer(ticket):
            record(ticket, actor=None, reason=reason)
        delivery, news = Delivery.ADDED, News.WROTE
    staff_tell(ticket=ticket, news=news, key=f"message:{message.pk}")
    return RequesterMessage(ticket=ticket, delivery=delivery, message=message)


def _open_follow_up(ended: Ticket, *, body: str, upload: Upload | None) -> RequesterMessage:
    """A new request for a message on one that has ended: the same requester and law (the ended
    one's regime and calendar, whatever the form would choose today), the same kind and queue,
    and its assignee while they still work that queue; acknowledged like any request."""
    received_at = timezone.now()
    schedule = clock.schedule(regime=ended.regime, kind=ended.kind, calendar_code=ended.calendar,
                              received_at=received_at)
    assignee = ended.assignee
    if assignee is not None and not (assignee.is_active
                                     and ended.queue.members.filter(pk=assignee.pk).exists()):
        assignee = None
    follow_up = Ticket(
        reference=_next_reference(received_at), kind=ended.kind, regime=ended.regime,
        calendar=ended.calendar, language=ended.language, requester_name=ended.requester_name,
        requester_email=ended.requester_email, requester_country=ended.requester_country,
        requester_region=ended.requester_region, description=body, received_at=received_at,
        **schedule.columns(), queue=ended.queue, assignee=assignee, follow_up_of=ended,
    )
    reason = reasons.FOLLOW_UP_OF(reference=ended.reference)
    stamp(follow_up, actor=None, reason=reason)
    follow_up.save()
    if upload is not None:
        _attach(ticket=follow_up, message=None, upload=upload[0], stored_name=upload[1], actor=None,
                reason=reason)
    record(ended, actor=None, reason=reasons.FOLLOW_UP_OPENED(reference=follow_up.reference))
    _acknowledge(follow_up)
    staff_tell(ticket=follow_up, news=News.FOLLOW_UP, key=f"follow_up:{follow_up.pk}", follows=ended)
    return RequesterMessage(ticket=follow_up, delivery=Delivery.FOLLOW_UP, message=None)


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
            "kind": Kind(ticket.kind).label,  # lazy: in the requester's language when rendered
            "kind_value": ticket.kind,
            "due_date": ticket.due_date,
            "status_url": STATUS_URL,  # a fresh link at each delivery attempt (issue 15, item 2)
            "organisation_name": settings.DESK_ORGANISATION_NAME,
            "regime": ticket.regime,  # whose authority the requester may complain to
            "follows": ticket.follow_up_of.reference if ticket.follow_up_of is not None else "",
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
