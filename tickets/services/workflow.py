"""What staff do to a ticket. Every action is one transaction that locks the ticket, checks its
rules under the lock, and leaves exactly one history entry on the ticket (with the actor and the
reason) plus the rows it creates; a refusal raises before anything is written."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import STATUS_URL, outbox_enqueue
from tickets import clock, reasons
from tickets.choices import REQUESTER_OUTCOME_LABELS, STATUS_LABELS, MessageKind, Outcome, PauseKind
from tickets.deadlines import DeadlineError
from tickets.errors import (
    AssignmentRefused,
    ErasedRefused,
    ExtensionRefused,
    NothingToDo,
    PauseRefused,
    TransitionRefused,
)
from tickets.lifecycle import REOPENABLE_STATUSES, IllegalTransition, Status, check_transition
from tickets.models import ClockPause, Extension, Message, Queue, Ticket
from tickets.services.common import Actor, record, stamp

Result = TypeVar("Result")
User = get_user_model()


def _in_locked_ticket(ticket_id: int, work: Callable[[Ticket], Result]) -> Result:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        refuse_if_erased(ticket)
        return work(ticket)


def refuse_if_erased(ticket: Ticket) -> None:
    if ticket.personal_data_erased_at is not None:
        raise ErasedRefused(_("The personal data of this request was erased under the retention "
                              "rule, so nothing more can be done on it."))


def _move(ticket: Ticket, target: Status) -> list[str]:
    """Change the status if the state machine allows it; the only writer of Ticket.status."""
    try:
        check_transition(Status(ticket.status), target)
    except IllegalTransition:
        raise TransitionRefused(
            _("A ticket that is %(current)s cannot become %(target)s.")
            % {"current": ticket.get_status_display(), "target": STATUS_LABELS[target]}
        ) from None
    ticket.status = target.value
    changed = ["status"]
    now = timezone.now()
    if target == Status.RESOLVED:
        ticket.resolved_at = now
        ticket.resolution_days = _working_days_to(ticket, now)
        changed += ["resolved_at", "resolution_days"]
    elif target == Status.IN_PROGRESS and ticket.resolved_at is not None:
        # Reopened: the request is not answered any more; the next resolution counts anew.
        ticket.resolved_at = ticket.resolution_days = None
        changed += ["resolved_at", "resolution_days"]
    if target in (Status.CLOSED, Status.WITHDRAWN, Status.REJECTED):
        ticket.closed_at = now
        changed.append("closed_at")
    return changed


def _schedule(ticket: Ticket, extension: Extension | None) -> clock.TicketClock:
    return clock.schedule(
        regime=ticket.regime, kind=ticket.kind, calendar_code=ticket.calendar,
        received_at=ticket.received_at, pauses=list(ticket.pauses.all()), extension=extension,
    )


def _recompute(ticket: Ticket) -> list[str]:
    """Deadlines again from the engine, after a pause or a resumption."""
    return _apply(ticket, _schedule(ticket, Extension.objects.filter(ticket=ticket).first()))


def _apply(ticket: Ticket, result: clock.TicketClock) -> list[str]:
    columns = result.columns()
    for name, value in columns.items():
        setattr(ticket, name, value)
    return list(columns)


def _tell_requester(ticket: Ticket, *, event: str, key: str, **context: Any) -> None:
    outbox_enqueue(
        dedupe_key=f"ticket:{ticket.pk}:{event}:{key}:requester", event=event, ticket=ticket,
        recipient=ticket.requester_email, language=ticket.language,
        context={
            "reference": ticket.reference, "name": ticket.requester_name,
            "due_date": ticket.due_date, "status_url": STATUS_URL,  # made at delivery (issue 15)
            "organisation_name": settings.DESK_ORGANISATION_NAME, **context,
        },
    )


def _public_message(ticket: Ticket, *, actor: Actor, body: str, reason: str) -> Message:
    message = Message(ticket=ticket, kind=MessageKind.REPLY, author=actor, body=body)
    stamp(message, actor=actor, reason=reason)
    message.save()
    return message


def _working_days_to(ticket: Ticket, at: datetime.datetime) -> int:
    return clock.working_days_since_receipt(ticket.calendar, ticket.received_at, at)


def _first_response(ticket: Ticket) -> list[str]:
    if ticket.first_response_at is None:
        ticket.first_response_at = timezone.now()
        ticket.first_response_days = _working_days_to(ticket, ticket.first_response_at)
        return ["first_response_at", "first_response_days"]
    return []


def _require_member(queue: Queue, user: Any) -> None:
    if user is None or not queue.members.filter(pk=user.pk).exists():
        raise AssignmentRefused(_("%(user)s does not work in the queue %(queue)s.")
                                % {"user": user, "queue": queue.name})


def ticket_transition(*, ticket_id: int, actor: Actor, target: Status, reason: str) -> Ticket:
    def work(ticket: Ticket) -> Ticket:
        record(ticket, actor=actor, reason=reason, fields=_move(ticket, target))
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_claim(*, ticket_id: int, actor: Actor) -> Ticket:
    def work(ticket: Ticket) -> Ticket:
        if actor is not None and ticket.assignee_id == actor.pk:
            raise NothingToDo(_("This ticket is already yours."))
        _require_member(ticket.queue, actor)
        ticket.assignee = actor
        record(ticket, actor=actor, reason=reasons.CLAIMED(), fields=["assignee"])
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_assign(*, ticket_id: int, actor: Actor, assignee_id: int | None, reason: str) -> Ticket:
    def work(ticket: Ticket) -> Ticket:
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first() if assignee_id else None
        if assignee_id and assignee is None:
            raise AssignmentRefused(_("No such member of staff."))
        if assignee is not None:
            _require_member(ticket.queue, assignee)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            raise NothingToDo(_("The ticket is already assigned so."))
        ticket.assignee = assignee
        default_reason = reasons.ASSIGNED(user=assignee) if assignee else reasons.UNASSIGNED()
        record(ticket, actor=actor, reason=reason or default_reason, fields=["assignee"])
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_move(*, ticket_id: int, actor: Actor, queue_id: int, reason: str) -> Ticket:
    def work(ticket: Ticket) -> Ticket:
        queue = Queue.objects.filter(pk=queue_id).first()
        if queue is None:
            raise AssignmentRefused(_("No such queue."))
        if queue.pk == ticket.queue_id:
            raise NothingToDo(_("The ticket is already in that queue."))
        reaches = Q(members=actor) | Q(managers=actor)
        if actor is None or not Queue.objects.filter(reaches, pk=queue.pk).exists():
            # Least access: a ticket goes only where its mover may follow it.
            raise AssignmentRefused(_("You can move tickets only to queues you work in."))
        fields = ["queue"]
        ticket.queue = queue
        if ticket.assignee_id and not queue.members.filter(pk=ticket.assignee_id).exists():
            ticket.assignee = None  # the old assignee cannot work the new queue
            fields.append("assignee")
        record(ticket, actor=actor, reason=reason or reasons.MOVED(queue=queue.name), fields=fields)
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_reply(*, ticket_id: int, actor: Actor, body: str) -> Message:
    def work(ticket: Ticket) -> Message:
        fields = _first_response(ticket)
        if ticket.status == Status.NEW:
            fields += _move(ticket, Status.IN_PROGRESS)
        message = _public_message(ticket, actor=actor, body=body, reason=reasons.REPLY())
        record(ticket, actor=actor, reason=reasons.REPLY_SENT(), fields=fields)
        _tell_requester(ticket, event="reply", key=str(message.pk), body=body)
        return message

    return _in_locked_ticket(ticket_id, work)


def ticket_add_note(*, ticket_id: int, actor: Actor, body: str) -> Message:
    def work(ticket: Ticket) -> Message:
        note = Message(ticket=ticket, kind=MessageKind.INTERNAL_NOTE, author=actor, body=body)
        stamp(note, actor=actor, reason=reasons.NOTE())
        note.save()
        record(ticket, actor=actor, reason=reasons.NOTE_ADDED())
        return note

    return _in_locked_ticket(ticket_id, work)


def ticket_request_information(*, ticket_id: int, actor: Actor, kind: str, body: str) -> ClockPause:
    """Ask for identity proof or clarification: the clock pauses as the regime says."""

    def work(ticket: Ticket) -> ClockPause:
        if ticket.pauses.filter(ended_at__isnull=True).exists():
            raise PauseRefused(_("The desk is already waiting for the requester."))
        target = Status.AWAITING_VERIFICATION if kind == PauseKind.IDENTITY else Status.AWAITING_REQUESTER
        fields = _move(ticket, target) + _first_response(ticket)
        pause = ClockPause(ticket=ticket, kind=kind, started_at=timezone.now(), requested_by=actor,
                           reason=body)
        stamp(pause, actor=actor, reason=reasons.asked_for_message(kind)())
        pause.save()
        _public_message(ticket, actor=actor, body=body, reason=reasons.asked_for_message(kind)())
        fields += _recompute(ticket)
        record(ticket, actor=actor, reason=reasons.asked_for(kind)(), fields=fields)
        _tell_requester(ticket, event="information_requested", key=str(pause.pk), body=body,
                        identity=kind == PauseKind.IDENTITY)
        return pause

    return _in_locked_ticket(ticket_id, work)


def ticket_resume_for_answer(ticket: Ticket) -> bool:
    """The requester answered on the status page: close the open pause and run the clock again.
    Runs inside the caller's transaction, with the ticket locked. Returns whether it resumed."""
    pause = ticket.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        return False
    pause.ended_at = timezone.now()
    stamp(pause, actor=None, reason=reasons.PAUSE_ANSWERED())
    pause.save(update_fields=["ended_at"])
    fields = _move(ticket, Status.IN_PROGRESS) + _recompute(ticket)
    record(ticket, actor=None, reason=reasons.REQUESTER_ANSWERED(), fields=fields)
    return True


def ticket_extend(*, ticket_id: int, actor: Actor, reason: str) -> Extension:
    """The one extension the law allows, only while the first period runs; the requester is told."""

    def work(ticket: Ticket) -> Extension:
        if Extension.objects.filter(ticket=ticket).exists():
            raise ExtensionRefused(_("This ticket has already been extended once."))
        if Status(ticket.status) not in (Status.NEW, Status.IN_PROGRESS, Status.AWAITING_REQUESTER,
                                         Status.AWAITING_VERIFICATION):
            raise ExtensionRefused(_("Only an open ticket can be extended."))
        previous = ticket.due_date
        grant = Extension(ticket=ticket, notified_at=timezone.now(), reason=reason, granted_by=actor,
                          previous_due_date=previous, new_due_date=previous)
        try:
            result = _schedule(ticket, grant)
        except DeadlineError:
            # The engine's message is for developers (regime codes, event names); the person is
            # told in words (the page and the API say which rule first: tickets/actions.py).
            raise ExtensionRefused(_("The law allows no extension of this ticket's deadline now.")) from None
        grant.new_due_date = result.due_date
        stamp(grant, actor=actor, reason=reason)
        grant.save()
        fields = _apply(ticket, result)
        record(ticket, actor=actor, reason=reasons.EXTENDED(text=reason), fields=fields)
        _tell_requester(ticket, event="extended", key="1", reason=reason,
                        previous_due_date=previous)
        return grant

    return _in_locked_ticket(ticket_id, work)


def ticket_resolve(*, ticket_id: int, actor: Actor, outcome: str, body: str, reason: str = "") -> Ticket:
    """Resolve with an outcome; the requester is told, with their right to complain to the authority."""

    def work(ticket: Ticket) -> Ticket:
        if outcome == Outcome.REFUSED and not reason.strip():
            raise TransitionRefused(_("A refusal needs its legal reason."))
        target = Status.WITHDRAWN if outcome == Outcome.WITHDRAWN else Status.RESOLVED
        fields = _move(ticket, target) + _first_response(ticket)
        ticket.outcome, ticket.outcome_reason = outcome, reason
        _public_message(ticket, actor=actor, body=body, reason=reasons.RESOLVED(outcome=outcome))
        record(ticket, actor=actor, reason=reasons.RESOLVED(outcome=outcome),
                fields=[*fields, "outcome", "outcome_reason"])
        _tell_requester(ticket, event="resolved", key=str(ticket.resolved_at or ticket.closed_at),
                        body=body, outcome=REQUESTER_OUTCOME_LABELS[outcome], refusal_reason=reason,
                        regime=ticket.regime)  # whose authority to complain to (templatetags/complaints.py)
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_close(*, ticket_id: int, actor: Actor, reason: str) -> Ticket:
    return ticket_transition(ticket_id=ticket_id, actor=actor, target=Status.CLOSED,
                             reason=reason or reasons.CLOSED())


def ticket_reopen(*, ticket_id: int, actor: Actor, reason: str) -> Ticket:
    def work(ticket: Ticket) -> Ticket:
        if ticket.status not in REOPENABLE_STATUSES:
            raise TransitionRefused(_("Only a resolved or closed ticket can be reopened."))
        because = reasons.REOPENED_BECAUSE(text=reason) if reason else reasons.REOPENED()
        record(ticket, actor=actor, reason=because, fields=_move(ticket, Status.IN_PROGRESS))
        return ticket

    return _in_locked_ticket(ticket_id, work)


def ticket_reject(*, ticket_id: int, actor: Actor, reason: str) -> Ticket:
    if not reason.strip():
        raise TransitionRefused(_("A rejection needs a reason."))
    return ticket_transition(ticket_id=ticket_id, actor=actor, target=Status.REJECTED,
                             reason=reasons.REJECTED(text=reason))
