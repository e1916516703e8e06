"""What the requester does on their status page besides writing, and how staff hear of it.

Writing is `intake.ticket_add_requester_message`; withdrawing is here. Whatever the requester does
reaches a person (issue 16, item 7: a message after the answer was seen by nobody): the ticket's
assignee, or with none the queue's members and managers, each in the in-app list and by email,
through the outbox, in the transaction of the change itself."""

from __future__ import annotations

import enum
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from notifications.rendering import render_message
from notifications.services import STATUS_URL, outbox_enqueue, outbox_enqueue_many
from notifications.services import Message as Outgoing
from tickets import reasons
from tickets.choices import Kind, MessageKind, Outcome
from tickets.errors import Refusal
from tickets.lifecycle import OPEN_STATUSES, Status
from tickets.models import Message, Ticket
from tickets.services.common import record, stamp
from tickets.services.workflow import _move, refuse_if_erased

logger = logging.getLogger(__name__)

class WithdrawalRefused(Refusal):
    """The request cannot be withdrawn (any more): nothing was changed."""

    code = "withdrawal_not_allowed"


class News(enum.StrEnum):
    """What staff are told the requester did."""

    WROTE = "wrote"  # a message on an open request
    REOPENED = "reopened"  # a message on an answered request, which is open again
    FOLLOW_UP = "follow_up"  # a message on an ended request, which opened this follow-up
    WITHDREW = "withdrew"


def staff_tell(*, ticket: Ticket, news: News, key: str, follows: Ticket | None = None) -> int:
    """Tell the people of the ticket what its requester did, in the caller's transaction: an in-app
    notification each and an email to each address, in the staff's language. The message names
    the ticket, not what the requester wrote: that stays on the ticket page, behind the sign-in.
    `key` makes the notice once per event whatever retries do; returns the emails written."""
    people = _people_to_tell(ticket)
    if not people:
        logger.warning("the requester of %s %s: nobody on its queue to tell", ticket.reference, news)
        return 0
    event = "requester_withdrew" if news == News.WITHDREW else "requester_message"
    language = settings.DESK_STAFF_LANGUAGE
    rendered = render_message(event=event, language=language, context={
        "reference": ticket.reference, "news": news.value,
        "follows": follows.reference if follows is not None else "",
        "ticket_url": f"{settings.DESK_PUBLIC_BASE_URL}/staff/tickets/{ticket.reference}/",
    })
    return outbox_enqueue_many(messages=[
        Outgoing(dedupe_key=f"{event}:{key}:{user_id}", event=event, ticket_id=ticket.pk, user_id=user_id,
                 recipient=email, language=language, subject=rendered.subject,
                 body_text=rendered.body_text, body_html=rendered.body_html,
                 notification_event=f"requester.{news.value}")
        for user_id, email in people
    ])


def _people_to_tell(ticket: Ticket) -> list[tuple[int, str]]:
    """(user id, email) of the assignee if active, else of the queue's active members and managers;
    and the managers too when nobody of those has an email address, so that someone is emailed."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active:
        people = [(assignee.pk, assignee.email or "")]
    else:
        people = _queue_people(ticket.queue_id, Q(desk_queues=ticket.queue_id)
                               | Q(managed_desk_queues=ticket.queue_id))
    if not any(email for _user, email in people):
        told = {user_id for user_id, _email in people}
        people += [(user_id, email) for user_id, email
                   in _queue_people(ticket.queue_id, Q(managed_desk_queues=ticket.queue_id))
                   if email and user_id not in told]
    return people


def _queue_people(queue_id: int, of_queue: Q) -> list[tuple[int, str]]:
    people = get_user_model().objects.filter(of_queue, is_active=True).distinct().order_by("pk")
    return [(user_id, email or "") for user_id, email in people.values_list("pk", "email")]


def ticket_withdraw_by_requester(*, ticket_id: int, reason: str = "") -> Ticket:
    """The requester withdraws their open request from the status page: it ends as withdrawn (a
    waiting clock stops), their reason, if they gave one, is kept as their message, staff are
    told, and the requester gets a confirmation by email. A request already answered, ended or
    withdrawn is refused with the reason, and nothing changes."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        refuse_if_erased(ticket)
        _refuse_unless_open(ticket)
        now = timezone.now()
        pause = ticket.pauses.filter(ended_at__isnull=True).first()
        if pause is not None:  # the desk was waiting for them: it waits no more
            pause.ended_at = now
            stamp(pause, actor=None, reason=reasons.WITHDRAWAL_ENDS_PAUSE())
            pause.save(update_fields=["ended_at"])
        fields = _move(ticket, Status.WITHDRAWN)
        ticket.outcome = Outcome.WITHDRAWN.value
        if reason.strip():
            message = Message(ticket=ticket, kind=MessageKind.REQUESTER, body=reason.strip())
            stamp(message, actor=None, reason=reasons.WITHDRAWAL_WORDS())
            message.save()
        record(ticket, actor=None, reason=reasons.WITHDRAWN_BY_REQUESTER(), fields=[*fields, "outcome"])
        staff_tell(ticket=ticket, news=News.WITHDREW, key=str(ticket.pk))
        outbox_enqueue(
            # A withdrawn request stays withdrawn: one confirmation per ticket.
            dedupe_key=f"ticket:{ticket.pk}:withdrawn:requester", event="withdrawn", ticket=ticket,
            recipient=ticket.requester_email, language=ticket.language,
            context={"reference": ticket.reference, "name": ticket.requester_name,
                     "kind": Kind(ticket.kind).label, "withdrawn_at": now, "status_url": STATUS_URL,
                     "form_url": f"{settings.DESK_PUBLIC_BASE_URL}/",
                     "organisation_name": settings.DESK_ORGANISATION_NAME},
        )
    return ticket


def _refuse_unless_open(ticket: Ticket) -> None:
    status = Status(ticket.status)
    if status in OPEN_STATUSES:
        return
    if status == Status.WITHDRAWN:
        day = formats.date_format(timezone.localtime(ticket.closed_at or ticket.updated_at), "DATE_FORMAT")
        raise WithdrawalRefused(_("You withdrew this request already, on %(day)s. Nothing was changed.")
                                % {"day": day})
    if status in (Status.RESOLVED, Status.CLOSED):
        raise WithdrawalRefused(_("We have already answered this request, so it can no longer be "
                                  "withdrawn. Nothing was changed."))
    raise WithdrawalRefused(_("This request is closed, so it can no longer be withdrawn. Nothing was "
                              "changed."))
