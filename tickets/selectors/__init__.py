"""Every read of ticket data, and the one place that decides who may see what."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from desk.crypto import email_digest
from tickets import reasons
from tickets.choices import STATUS_LABELS, MessageKind, Outcome, Priority
from tickets.lifecycle import OPEN_STATUSES, Status
from tickets.models import Attachment, Message, Queue, QueueMembershipChange, Ticket

STATUS_SESSION_KEY = "desk_status_ticket"
STATUS_SESSION_EXPIRES_KEY = "desk_status_expires"


def status_links_alive() -> Q:
    """Tickets whose emailed links work: always while the request is open, then for
    DESK_STATUS_LINK_DAYS_AFTER_CLOSURE days after it was answered or closed."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.DESK_STATUS_LINK_DAYS_AFTER_CLOSURE)
    return (Q(status__in=[status.value for status in OPEN_STATUSES]) | Q(closed_at__gt=cutoff)
            | Q(closed_at__isnull=True, resolved_at__gt=cutoff))


def ticket_by_status_link_digest(digest: str) -> Ticket | None:
    """The ticket of an emailed link, while the link lives (`status_links_alive`)."""
    # The digest is of a 256-bit random secret, so an index lookup leaks nothing a timing
    # attacker could use: guessing a digest prefix tells nothing about any real token.
    return Ticket.objects.filter(status_links_alive(), status_links__digest=digest).first()


def tickets_with_live_links_for(email: str) -> QuerySet[Ticket]:
    """The tickets of an email address whose status links would still work ("Lost your link?"),
    found by the address's keyed hash (the address itself is stored encrypted)."""
    return Ticket.objects.filter(status_links_alive(), requester_email_digest=email_digest(email))


def ticket_for_status_session(session: SessionBase) -> Ticket | None:
    """The one ticket this browser was given by its status link, if that grant is still valid."""
    ticket_id = session.get(STATUS_SESSION_KEY)
    expires = session.get(STATUS_SESSION_EXPIRES_KEY)
    if not ticket_id or not expires:
        return None
    if timezone.now() >= datetime.datetime.fromisoformat(expires):
        return None
    return Ticket.objects.select_related("queue").filter(pk=ticket_id).first()


@dataclass(frozen=True)
class PublicEntry:
    """One item of the conversation as the requester sees it."""

    created_at: datetime.datetime
    from_requester: bool
    body: str
    attachments: list[Attachment]


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    # Internal notes never leave the staff side, in any channel (django-helpdesk L8/L9).
    return (
        ticket.messages.exclude(kind=MessageKind.INTERNAL_NOTE)
        .prefetch_related("attachments").order_by("created_at", "id")
    )


def public_conversation(ticket: Ticket) -> list[PublicEntry]:
    """The request itself, then every public message, oldest first (two queries)."""
    messages = list(public_messages(ticket))
    first_files = [a for a in ticket.attachments.all() if a.message_id is None]
    entries = [PublicEntry(ticket.received_at, True, ticket.description, first_files)]
    entries += [
        PublicEntry(m.created_at, m.kind == MessageKind.REQUESTER, m.body, list(m.attachments.all()))
        for m in messages
    ]
    return entries


# --- Staff -------------------------------------------------------------------------------------

def queues_of(user: Any) -> QuerySet[Queue]:
    """Queues a member of staff works (member) or oversees (manager)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Queue.objects.none()
    return Queue.objects.filter(Q(members=user) | Q(managers=user)).distinct()


# The membership changes a queue's page lists, newest first (the rest are in the admin).
MEMBERSHIP_CHANGES_SHOWN = 100


def queue_memberships(queues: QuerySet[Queue]) -> list[Queue]:
    """The queues with their members, managers and latest membership changes, in four queries
    whatever their number (each queue's changes cut at MEMBERSHIP_CHANGES_SHOWN by the database)."""
    changes = QueueMembershipChange.objects.order_by("-at", "-id")
    return list(queues.order_by("name").prefetch_related(
        "members", "managers",
        Prefetch("membership_changes", queryset=changes[:MEMBERSHIP_CHANGES_SHOWN],
                 to_attr="latest_changes")))


def ticket_visible_to(user: Any) -> QuerySet[Ticket]:
    """Every staff read of tickets starts here: a ticket outside it is a 404, never a 403, so
    that its existence does not leak (STYLE.md). Being an administrator grants nothing here:
    only membership or management of the ticket's queue does."""
    return Ticket.objects.filter(queue__in=queues_of(user).values("pk"))


def ticket_for_staff(user: Any, reference: str) -> Ticket:
    # The requests it follows up and that follow it up, by reference, in the same query (issue 16,
    # item 7): the ticket page links both ways.
    later = Ticket.objects.filter(follow_up_of=OuterRef("pk")).order_by("-id").values("reference")[:1]
    ticket = (
        ticket_visible_to(user).select_related("queue", "assignee")
        .annotate(follows_reference=F("follow_up_of__reference"), followed_by_reference=Subquery(later))
        .filter(reference=reference).first()
    )
    if ticket is None:
        raise Http404
    return ticket


# Sort keys a request may ask for; anything else falls back to the default (GHSA-mxcg-7m22-x9pj).
SORTS = {
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "priority": ("-priority", "due_date", "id"),
}


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = tuple(sorted(s.value for s in OPEN_STATUSES))
    kind: str = ""
    regime: str = ""
    queue_id: int | None = None
    assignee: str = ""  # "", "mine", "unassigned" or a user id
    escalation_level: int | None = None
    due_within_days: int | None = None
    search: str = ""
    sort: str = "due"


def ticket_queue(user: Any, wanted: QueueFilter, *, today: datetime.date) -> QuerySet[Ticket]:
    """The agent's queue: the user's tickets, filtered, soonest due (so overdue) first."""
    tickets = ticket_visible_to(user).select_related("queue", "assignee")
    tickets = _filter_fields(tickets, wanted, user)
    if wanted.due_within_days is not None:
        tickets = tickets.filter(due_date__lte=today + datetime.timedelta(days=wanted.due_within_days))
    if wanted.search:
        # By reference, or by the requester's whole email address through its keyed hash: the
        # name and the email are encrypted, so SQL cannot match a part of them (desk/crypto.py).
        # Both are equalities on an index (the unique reference, ticket_requester_email_digest):
        # references are upper case ("PD-2026-000051"), so the term is, rather than UPPER() on the
        # column, which no index serves once the search spans every status (QueueFilterForm).
        term = wanted.search.strip()
        tickets = tickets.filter(Q(reference=term.upper()) | Q(requester_email_digest=email_digest(term)))
    return tickets.order_by(*SORTS.get(wanted.sort, SORTS["due"]))


def _filter_fields(tickets: QuerySet[Ticket], wanted: QueueFilter, user: Any) -> QuerySet[Ticket]:
    if wanted.statuses:
        tickets = tickets.filter(status__in=wanted.statuses)
    if wanted.kind:
        tickets = tickets.filter(kind=wanted.kind)
    if wanted.regime:
        tickets = tickets.filter(regime=wanted.regime)
    if wanted.queue_id is not None:
        tickets = tickets.filter(queue_id=wanted.queue_id)
    if wanted.assignee == "mine":
        tickets = tickets.filter(assignee=user)
    elif wanted.assignee == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif wanted.assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(wanted.assignee))
    if wanted.escalation_level is not None:
        tickets = tickets.filter(escalation_level=wanted.escalation_level)
    return tickets


# The queue page counts each status up to here: "10000+" closed tickets is as useful to an agent
# as the exact number, and costs a bounded read whatever the desk's size (status_counts).
STATUS_COUNT_CAP = 10_000


def status_counts(user: Any, *, cap: int | None = None) -> dict[str, int]:
    """How many of the user's tickets are in each status, each counted up to `cap` + 1 (a value
    above `cap` means "more than `cap`"; STATUS_COUNT_CAP unless given), in one query.

    Why capped: closed tickets stay for years (retention), so an exact count reads every row of
    the user's queues: at a million tickets a parallel scan of the whole table, 550-700 ms, the
    queue page's whole cost (bench/pages.py). Each status here is a subquery that stops at
    cap + 1 entries of the (queue, status, due_date) index, read from the index alone: 5-10 ms
    at a million tickets, and no more at ten million."""
    cap = STATUS_COUNT_CAP if cap is None else cap
    visible = ticket_visible_to(user).order_by()  # no ORDER BY: the LIMIT stops the index scan early
    statuses = [status.value for status in Status]
    parts = [visible.filter(status=status).values("id")[:cap + 1].query.sql_with_params()
             for status in statuses]
    # SQL from the ORM's own compilation, with its parameters; only the wrapper is written here
    # (the ORM cannot count a sliced subquery, and SQLite refuses LIMIT inside a UNION).
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM ({part}) AS capped_{index})"  # noqa: S608 - the ORM's SQL
                                for index, (part, _params) in enumerate(parts))
    params = [param for _part, part_params in parts for param in part_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        totals = cursor.fetchone()
    return dict(zip(statuses, totals, strict=True))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "message", "note", "requester", "change"
    actor: str
    text: str
    changes: tuple[FieldChange, ...] = ()
    attachments: tuple[Attachment, ...] = ()


STATUS_VALUES = frozenset(status.value for status in Status)
TRACKED_FIELDS = ("status", "assignee", "queue", "priority", "due_date", "escalation_level", "outcome")
# The tracked fields in words; their values are shown by `_value_shown`.
FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "assignee": gettext_lazy("Assignee"),
    "queue": gettext_lazy("Queue"),
    "priority": gettext_lazy("Priority"),
    "due_date": gettext_lazy("Due"),
    "escalation_level": gettext_lazy("Escalation level"),
    "outcome": gettext_lazy("Outcome"),
}


def ticket_timeline(ticket: Ticket) -> list[TimelineEntry]:
    """Messages, notes and every recorded change, oldest first, in a fixed number of queries;
    what the desk wrote in the reader's language, what people wrote as they wrote it."""
    entries = [TimelineEntry(ticket.received_at, "requester", ticket.requester_name, ticket.description,
                             attachments=tuple(a for a in ticket.attachments.all() if a.message_id is None))]
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    for message in messages:
        kind = {"internal_note": "note", "requester": "requester"}.get(message.kind, "message")
        author = str(message.author) if message.author else ticket.requester_name
        entries.append(TimelineEntry(message.created_at, kind, author, message.body,
                                     attachments=tuple(message.attachments.all())))
    entries += [TimelineEntry(change.at, "change", change.actor, change.reason_shown, change.changes)
                for change in ticket_changes(ticket)]
    return sorted(entries, key=lambda entry: entry.at)


class FieldChange(NamedTuple):
    """One tracked field of one history entry: the field, its name and its values in words."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One entry of a ticket's history: when, who, why, and the tracked fields it changed. `reason`
    is as stored (English, in the audit chain); `actor` and `reason_shown` are in the reader's
    language (tickets/reasons.py)."""

    at: datetime.datetime
    actor: str
    reason: str
    changes: tuple[FieldChange, ...]
    reason_shown: str = ""


def ticket_changes(ticket: Ticket) -> list[Change]:
    """The ticket's history, oldest first, in three queries whatever its length."""
    history = list(ticket.history.select_related("history_user").order_by("history_date", "history_id"))
    names = _names_for(history)
    result, previous = [], None
    for record in history:
        changes = _changes(previous, record, names) if previous is not None else (
            _field_change("status", None, record.status, names),)
        stored = record.history_change_reason or ""
        result.append(Change(record.history_date, reasons.actor_shown(record.history_user, stored),
                             stored, changes, reasons.reason_shown(stored)))
        previous = record
    return result


def _names_for(history: list[Any]) -> dict[str, dict[str, str]]:
    """Names of the users and queues the history mentions: two queries, whatever its length."""
    from django.contrib.auth import get_user_model

    user_ids = {record.assignee_id for record in history if record.assignee_id}
    queue_ids = {record.queue_id for record in history if record.queue_id}
    users = get_user_model().objects.filter(pk__in=user_ids) if user_ids else []
    queues = Queue.objects.filter(pk__in=queue_ids) if queue_ids else []
    return {"assignee": {str(user.pk): str(user) for user in users},
            "queue": {str(queue.pk): queue.name for queue in queues}}


def _changes(before: Any, after: Any, names: dict[str, dict[str, str]]) -> tuple[FieldChange, ...]:
    result = []
    for name in TRACKED_FIELDS:
        # Foreign keys by their id: reading the related object would cost a query per entry.
        attribute = f"{name}_id" if name in ("assignee", "queue") else name
        old, new = getattr(before, attribute), getattr(after, attribute)
        if old != new:
            result.append(_field_change(name, old, new, names))
    return tuple(result)


def _field_change(name: str, old: Any, new: Any, names: dict[str, dict[str, str]]) -> FieldChange:
    return FieldChange(name, str(FIELD_LABELS[name]), _value_shown(name, old, names),
                       _value_shown(name, new, names))


def _value_shown(name: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    """A tracked field's value as the reader reads it: a status or an outcome by its label, a
    date in the page's format, a person or a queue by name; nothing as ""."""
    if value is None or value == "":
        return ""
    if name in names:
        return names[name].get(str(value), str(value))
    if name == "status" and value in STATUS_VALUES:
        return str(STATUS_LABELS[Status(value)])
    if name == "outcome" and value in Outcome.values:
        return str(Outcome(value).label)
    if name == "priority" and value in Priority.values:
        return str(Priority(value).label)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def ticket_neighbours(user: Any, ticket: Ticket) -> tuple[Ticket | None, Ticket | None]:
    """The open tickets before and after this one in the user's queue order (soonest due first)."""
    open_tickets = ticket_visible_to(user).filter(status__in=[s.value for s in OPEN_STATUSES])
    # "Before (due, id)" as a range on the due date less the same day's later ids, not as
    # "due < d OR (due = d AND id < pk)": the range is an index condition on the open tickets'
    # (due_date, id) index (ticket_open_due_id), which the walk stops reading at the first row;
    # the OR made PostgreSQL read and sort every open ticket of the day and beyond, 13-18 ms
    # each at a million tickets (bench/pages.py).
    same_day = ticket.due_date
    previous = (open_tickets.filter(due_date__lte=same_day).exclude(due_date=same_day, id__gte=ticket.pk)
                .order_by("-due_date", "-id").only("reference").first())
    following = (open_tickets.filter(due_date__gte=same_day).exclude(due_date=same_day, id__lte=ticket.pk)
                 .order_by("due_date", "id").only("reference").first())
    return previous, following
