"""The permissions of the staff actions: for each, why a ticket does not allow it now (in words).

`tickets.actions.available_actions` asks each action's permission (one of the functions here, named
by its `Action` record) and answers for every place that offers or performs an action: the ticket
page shows only what is allowed (and, discreetly, why the rest is not), its POST handler and the API
refuse the rest with the same words before anything is parsed or written. The services keep their
own checks under the ticket's lock; this is what a person is told before they try (issue 16, item 11).

The answer rests on the state machine (tickets/lifecycle.py), the user's place in the ticket's
queue (`ticket_visible_to`, its members and managers), whether the personal data was erased, and
for an extension on the deadline engine: whether the law allows one at all, whether the ticket's
own schedule has an extension-notice date (complaints and CCPA opt-outs have none), whether the
ticket was extended already, and whether that date has passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tickets.choices import Regime
from tickets.deadlines import DeadlineError
from tickets.deadlines.engine import regime_spec
from tickets.deadlines.schedule import SERVICE_KINDS
from tickets.errors import (
    AssignmentRefused,
    ErasedRefused,
    ExtensionRefused,
    NothingToDo,
    PauseRefused,
    Refusal,
    TransitionRefused,
)
from tickets.lifecycle import OPEN_STATUSES, REOPENABLE_STATUSES, WAITING_STATUSES, Status, allowed_targets
from tickets.models import ClockPause, Extension, Queue, Ticket

# Tickets finished for good: nothing is done on them again.
ENDED = frozenset({Status.WITHDRAWN, Status.REJECTED})


@dataclass(frozen=True)
class Refused:
    """Why an action is not offered: the sentence a person reads (in the language active when the
    answer was made), and the refusal the handlers raise with it."""

    action: str
    label: str
    message: str
    refusal: type[Refusal]


@dataclass(frozen=True)
class Actions:
    """The answer of `available_actions`: each action is either allowed or refused with a reason."""

    names: tuple[str, ...]  # every action, in the page's order
    allowed: frozenset[str]
    refused: Mapping[str, Refused]
    # A reason that stops every action (the personal data was erased): said once, not per action.
    blocked: str = ""

    def allows(self, action: str) -> bool:
        return action in self.allowed

    def why_not(self, action: str) -> str:
        return self.refused[action].message if action in self.refused else ""

    def refuse_unless_allowed(self, action: str) -> None:
        """Raise the action's refusal, with its reason in words, unless the ticket allows it now."""
        if action not in self.allowed:
            refused = self.refused.get(action)
            if refused is None:  # not an action at all: the callers 404 before this
                raise TransitionRefused(_("This action does not exist."))
            raise refused.refusal(refused.message)

    @property
    def not_offered(self) -> list[Refused]:
        """The refused actions in the page's order, for its "why not" list."""
        return [self.refused[name] for name in self.names if name in self.refused]

    def as_list(self) -> list[dict[str, Any]]:
        """Every action with whether it is allowed and, if not, why (the API's `actions`)."""
        return [{"action": name, "allowed": name in self.allowed, "reason": self.why_not(name)}
                for name in self.names]


@dataclass(frozen=True)
class _Facts:
    """What the rules need beyond the ticket row, read in one query."""

    visible: bool  # the user works in (member) or manages the ticket's queue
    member: bool
    someone_to_assign: bool  # an active member other than the assignee, or an assignee to remove
    other_queue: bool  # the user reaches another queue to move the ticket to
    extended: bool
    waiting: bool  # an open pause: the desk waits for the requester


def _facts(ticket: Ticket, user: Any) -> _Facts:
    """One query, whatever the queue's size: each fact is an EXISTS on an index."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return _Facts(False, False, False, False, False, False)
    members = Queue.members.through.objects.filter(queue_id=ticket.queue_id)
    managers = Queue.managers.through.objects.filter(queue_id=ticket.queue_id, user_id=user.pk)
    reached = Queue.objects.filter(Q(members=user) | Q(managers=user)).exclude(pk=ticket.queue_id)
    row = Ticket.objects.filter(pk=ticket.pk).values(
        member=Exists(members.filter(user_id=user.pk)),
        manager=Exists(managers),
        someone_else=Exists(members.filter(user__is_active=True).exclude(user_id=ticket.assignee_id)
                            if ticket.assignee_id else members.filter(user__is_active=True)),
        other_queue=Exists(reached),
        extended=Exists(Extension.objects.filter(ticket=OuterRef("pk"))),
        waiting=Exists(ClockPause.objects.filter(ticket=OuterRef("pk"), ended_at__isnull=True)),
    ).first()
    if row is None:
        return _Facts(False, False, False, False, False, False)
    return _Facts(visible=row["member"] or row["manager"], member=row["member"],
                  someone_to_assign=row["someone_else"] or ticket.assignee_id is not None,
                  other_queue=row["other_queue"], extended=row["extended"], waiting=row["waiting"])


Reason = tuple[str, type[Refusal]] | None


@dataclass(frozen=True)
class Situation:
    """What an action's permission looks at: the ticket, the user, the ticket's status, the facts
    read once for all actions, and the organisation's date."""

    ticket: Ticket
    user: Any
    status: Status
    facts: _Facts
    today: datetime.date


def situation(ticket: Ticket, user: Any, *, today: datetime.date | None = None
              ) -> Situation | tuple[str, type[Refusal]]:
    """The situation the permissions judge, or the one reason that refuses every action (the
    user does not work in the queue, the personal data was erased)."""
    facts = _facts(ticket, user)
    if not facts.visible:
        # The callers 404 first (ticket_visible_to); this only keeps the answer safe on its own.
        return _("You do not work in this ticket's queue."), AssignmentRefused
    if ticket.personal_data_erased_at is not None:
        # The same words as the services' refusal (tickets/services/workflow.py).
        return (_("The personal data of this request was erased under the retention rule, so nothing "
                  "more can be done on it."), ErasedRefused)
    return Situation(ticket, user, Status(ticket.status), facts,
                     timezone.localdate() if today is None else today)


def _status_reason(status: Status) -> Reason:
    """Why a ticket in this status takes no work: resolved or closed wait for a reopening,
    withdrawn and rejected requests are finished."""
    if status == Status.RESOLVED:
        return _("The ticket is resolved. Reopen it first."), TransitionRefused
    if status == Status.CLOSED:
        return _("The ticket is closed. Reopen it first."), TransitionRefused
    if status == Status.WITHDRAWN:
        return _("The requester withdrew the request, so nothing more can be done on it."), TransitionRefused
    if status == Status.REJECTED:
        return _("The request was rejected, so nothing more can be done on it."), TransitionRefused
    return None


def _not_ended(status: Status) -> Reason:
    """Claim, assign and move stay possible on a resolved ticket (someone owns its follow-up)."""
    return _status_reason(status) if status in ENDED or status == Status.CLOSED else None


# The permissions, one per action (named by its record in tickets/actions.py): None when the
# situation allows the action, else why not and the refusal the handlers raise.

def may_claim(now: Situation) -> Reason:
    if (reason := _not_ended(now.status)) is not None:
        return reason
    if now.ticket.assignee_id == now.user.pk:
        return _("This ticket is already yours."), NothingToDo
    if not now.facts.member:
        return (_("Only the agents of the queue %(queue)s can take its tickets.")
                % {"queue": now.ticket.queue.name}), AssignmentRefused
    return None


def may_assign(now: Situation) -> Reason:
    if (reason := _not_ended(now.status)) is not None:
        return reason
    if not now.facts.someone_to_assign:
        return (_("Nobody else works in the queue %(queue)s, so there is no one to assign it to.")
                % {"queue": now.ticket.queue.name}), AssignmentRefused
    return None


def may_move(now: Situation) -> Reason:
    if (reason := _not_ended(now.status)) is not None:
        return reason
    if not now.facts.other_queue:
        return (_("You can move tickets only to queues you work in, and you work in no other queue."),
                AssignmentRefused)
    return None


def may_reply(now: Situation) -> Reason:
    return None if now.status in OPEN_STATUSES else _status_reason(now.status)


def may_note(now: Situation) -> Reason:
    return None  # internal notes are the desk's own record, whatever the status


def may_request_information(now: Situation) -> Reason:
    if now.facts.waiting or now.status in WAITING_STATUSES:
        return _("The desk is already waiting for the requester."), PauseRefused
    if not allowed_targets(now.status) & WAITING_STATUSES:
        return _status_reason(now.status)
    return None


def may_resolve(now: Situation) -> Reason:
    if Status.RESOLVED in allowed_targets(now.status):
        return None
    if now.status in WAITING_STATUSES:
        return (_("The desk is waiting for the requester's answer; the ticket can be resolved once "
                  "they answer."), TransitionRefused)
    if now.status == Status.RESOLVED:
        return _("The ticket is already resolved."), TransitionRefused
    return _status_reason(now.status)


def may_reject(now: Situation) -> Reason:
    if Status.REJECTED in allowed_targets(now.status):
        return None
    if now.status == Status.RESOLVED:
        return _("The ticket is already resolved."), TransitionRefused
    return _status_reason(now.status)


def may_close(now: Situation) -> Reason:
    if Status.CLOSED in allowed_targets(now.status):
        return None
    if now.status == Status.CLOSED:
        return _("The ticket is already closed."), TransitionRefused
    if now.status in OPEN_STATUSES:
        return _("Only a resolved ticket can be closed."), TransitionRefused
    return _status_reason(now.status)


def may_reopen(now: Situation) -> Reason:
    if now.status in REOPENABLE_STATUSES:
        return None
    if now.status in OPEN_STATUSES:
        # The same words as the service's refusal (tickets/services/workflow.py).
        return _("Only a resolved or closed ticket can be reopened."), TransitionRefused
    return _status_reason(now.status)


def may_extend(now: Situation) -> Reason:
    """The engine decides: the law allows an extension at all, the ticket's schedule planned an
    extension-notice date (stored on it: complaints and CCPA opt-outs have none), it was not
    extended already, and that date has not passed."""
    ticket = now.ticket
    if now.status not in OPEN_STATUSES:
        return _status_reason(now.status)
    law = Regime(ticket.regime).label if ticket.regime in Regime.values else ticket.regime.upper()
    try:
        extendable = regime_spec(ticket.regime).extendable
    except DeadlineError:
        extendable = False
    if not extendable:
        # LGPD, the Swiss FADP: the law gives one period and no more (research/deadlines.md).
        return _("%(law)s allows no extension of the deadline.") % {"law": law}, ExtensionRefused
    notice = ticket.extension_notice_due
    if notice is None:
        if ticket.kind in SERVICE_KINDS:  # the organisation's own service levels
            return (_("Complaints and questions follow the organisation's own service levels, which "
                      "are not extended."), ExtensionRefused)
        # A CCPA opt-out or limit on sensitive data: 15 business days, never extended.
        return _("Under %(law)s, this kind of request cannot be extended.") % {"law": law}, ExtensionRefused
    if now.facts.extended:
        return _("This ticket has already been extended once."), ExtensionRefused
    if now.today > notice:
        # GDPR Art. 12(3) and its kin: the requester must be told within the first period.
        return (_("An extension had to be told to the requester by %(day)s, so it is no longer "
                  "possible.") % {"day": formats.date_format(notice, "DATE_FORMAT")}), ExtensionRefused
    return None
