"""Which actions a ticket allows now, for this member of staff, and why the others are not offered.

One answer for every place that offers or performs an action: the ticket page shows only what is
allowed (and, discreetly, why the rest is not), its POST handler and the API refuse the rest with
the same words before anything is parsed or written. The services keep their own checks under the
ticket's lock; this is what a person is told before they try (issue 16, item 11).

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
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import Regime
from tickets.deadlines import DeadlineError
from tickets.deadlines.engine import regime_spec
from tickets.deadlines.schedule import plan
from tickets.errors import (
    AssignmentRefused,
    ErasedRefused,
    ExtensionRefused,
    NothingToDo,
    PauseRefused,
    Refusal,
    TransitionRefused,
)
from tickets.lifecycle import OPEN_STATUSES, WAITING_STATUSES, Status, allowed_targets
from tickets.models import ClockPause, Extension, Queue, Ticket

# Every action, in the order the ticket page offers them, with the words of its button or form.
ACTION_LABELS: Mapping[str, Promise] = {
    "claim": gettext_lazy("Assign to me"),
    "reply": gettext_lazy("Reply to the requester"),
    "note": gettext_lazy("Internal note"),
    "request_information": gettext_lazy("Ask the requester"),
    "extend": gettext_lazy("Extend the deadline"),
    "resolve": gettext_lazy("Resolve"),
    "assign": gettext_lazy("Assign"),
    "move": gettext_lazy("Move to another queue"),
    "close": gettext_lazy("Close"),
    "reopen": gettext_lazy("Reopen"),
    "reject": gettext_lazy("Reject"),
}
ACTION_NAMES = tuple(ACTION_LABELS)
# Kinds answered within the organisation's own service levels, which are never extended.
SERVICE_LEVEL_KINDS = frozenset({"complaint", "question"})
# Tickets finished for good: nothing is done on them again.
ENDED = frozenset({Status.WITHDRAWN, Status.REJECTED})


@dataclass(frozen=True)
class Refused:
    """Why an action is not offered: the sentence a person reads (in the language active when the
    answer was made), and the refusal the handlers raise with it."""

    action: str
    message: str
    refusal: type[Refusal]

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass(frozen=True)
class Actions:
    """The answer of `available_actions`: each action is either allowed or refused with a reason."""

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
        return [self.refused[name] for name in ACTION_NAMES if name in self.refused]

    def as_list(self) -> list[dict[str, Any]]:
        """Every action with whether it is allowed and, if not, why (the API's `actions`)."""
        return [{"action": name, "allowed": name in self.allowed, "reason": self.why_not(name)}
                for name in ACTION_NAMES]


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


def available_actions(ticket: Ticket, user: Any, *, today: datetime.date | None = None) -> Actions:
    """Which actions `user` may take on `ticket` now, and why not the others (in the active
    language). `today` is the organisation's date (the extension-notice date is one of its days)."""
    today = timezone.localdate() if today is None else today
    facts = _facts(ticket, user)
    if not facts.visible:
        # The callers 404 first (ticket_visible_to); this only keeps the answer safe on its own.
        return _all_refused(_("You do not work in this ticket's queue."), AssignmentRefused)
    if ticket.personal_data_erased_at is not None:
        # The same words as the services' refusal (tickets/services/workflow.py).
        return _all_refused(_("The personal data of this request was erased under the retention rule, "
                              "so nothing more can be done on it."), ErasedRefused, blocked=True)
    status = Status(ticket.status)
    reasons: dict[str, tuple[str, type[Refusal]] | None] = {
        "claim": _claim(ticket, user, status, facts),
        "reply": _open_only(status),
        "note": None,  # internal notes are the desk's own record, whatever the status
        "request_information": _request_information(status, facts),
        "extend": _extend(ticket, status, facts, today),
        "resolve": _resolve(status),
        "assign": _assign(ticket, status, facts),
        "move": _move(status, facts),
        "close": _close(status),
        "reopen": _reopen(status),
        "reject": _reject(status),
    }
    refused = {name: Refused(name, reason[0], reason[1]) for name, reason in reasons.items() if reason}
    return Actions(allowed=frozenset(name for name, reason in reasons.items() if reason is None),
                   refused=refused)


def _all_refused(message: str, refusal: type[Refusal], *, blocked: bool = False) -> Actions:
    return Actions(allowed=frozenset(),
                   refused={name: Refused(name, message, refusal) for name in ACTION_NAMES},
                   blocked=message if blocked else "")


Reason = tuple[str, type[Refusal]] | None


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


def _open_only(status: Status) -> Reason:
    return None if status in OPEN_STATUSES else _status_reason(status)


def _not_ended(status: Status) -> Reason:
    """Claim, assign and move stay possible on a resolved ticket (someone owns its follow-up)."""
    return _status_reason(status) if status in ENDED or status == Status.CLOSED else None


def _claim(ticket: Ticket, user: Any, status: Status, facts: _Facts) -> Reason:
    if (reason := _not_ended(status)) is not None:
        return reason
    if ticket.assignee_id == user.pk:
        return _("This ticket is already yours."), NothingToDo
    if not facts.member:
        return (_("Only the agents of the queue %(queue)s can take its tickets.")
                % {"queue": ticket.queue.name}), AssignmentRefused
    return None


def _assign(ticket: Ticket, status: Status, facts: _Facts) -> Reason:
    if (reason := _not_ended(status)) is not None:
        return reason
    if not facts.someone_to_assign:
        return (_("Nobody else works in the queue %(queue)s, so there is no one to assign it to.")
                % {"queue": ticket.queue.name}), AssignmentRefused
    return None


def _move(status: Status, facts: _Facts) -> Reason:
    if (reason := _not_ended(status)) is not None:
        return reason
    if not facts.other_queue:
        return (_("You can move tickets only to queues you work in, and you work in no other queue."),
                AssignmentRefused)
    return None


def _request_information(status: Status, facts: _Facts) -> Reason:
    if facts.waiting or status in WAITING_STATUSES:
        return _("The desk is already waiting for the requester."), PauseRefused
    if not allowed_targets(status) & WAITING_STATUSES:
        return _status_reason(status)
    return None


def _resolve(status: Status) -> Reason:
    if Status.RESOLVED in allowed_targets(status):
        return None
    if status in WAITING_STATUSES:
        return (_("The desk is waiting for the requester's answer; the ticket can be resolved once "
                  "they answer."), TransitionRefused)
    if status == Status.RESOLVED:
        return _("The ticket is already resolved."), TransitionRefused
    return _status_reason(status)


def _reject(status: Status) -> Reason:
    if Status.REJECTED in allowed_targets(status):
        return None
    if status == Status.RESOLVED:
        return _("The ticket is already resolved."), TransitionRefused
    return _status_reason(status)


def _close(status: Status) -> Reason:
    if Status.CLOSED in allowed_targets(status):
        return None
    if status == Status.CLOSED:
        return _("The ticket is already closed."), TransitionRefused
    if status in OPEN_STATUSES:
        return _("Only a resolved ticket can be closed."), TransitionRefused
    return _status_reason(status)


def _reopen(status: Status) -> Reason:
    if status in (Status.RESOLVED, Status.CLOSED):
        return None
    if status in OPEN_STATUSES:
        # The same words as the service's refusal (tickets/services/workflow.py).
        return _("Only a resolved or closed ticket can be reopened."), TransitionRefused
    return _status_reason(status)


def _extend(ticket: Ticket, status: Status, facts: _Facts, today: datetime.date) -> Reason:
    if status not in OPEN_STATUSES:
        return _status_reason(status)
    law = Regime(ticket.regime).label if ticket.regime in Regime.values else ticket.regime.upper()
    try:
        extendable = regime_spec(ticket.regime).extendable
    except DeadlineError:
        extendable = False
    if not extendable:
        # LGPD, the Swiss FADP: the law gives one period and no more (research/deadlines.md).
        return _("%(law)s allows no extension of the deadline.") % {"law": law}, ExtensionRefused
    notice = _extension_notice_due(ticket)
    if notice is None:
        if ticket.kind in SERVICE_LEVEL_KINDS:
            return (_("Complaints and questions follow the organisation's own service levels, which "
                      "are not extended."), ExtensionRefused)
        # A CCPA opt-out or limit on sensitive data: 15 business days, never extended.
        return _("Under %(law)s, this kind of request cannot be extended.") % {"law": law}, ExtensionRefused
    if facts.extended:
        return _("This ticket has already been extended once."), ExtensionRefused
    if today > notice:
        # GDPR Art. 12(3) and its kin: the requester must be told within the first period.
        return (_("An extension had to be told to the requester by %(day)s, so it is no longer "
                  "possible.") % {"day": formats.date_format(notice, "DATE_FORMAT")}), ExtensionRefused
    return None


def _extension_notice_due(ticket: Ticket) -> datetime.date | None:
    """The last day to tell the requester of an extension, from the ticket's stored schedule (the
    engine's own date, pauses included); None when its schedule has no such date. A ticket whose
    schedule was never stored falls back on the engine's plan for its law and kind."""
    stored = (ticket.deadlines or {}).get("deadlines")
    if stored is None:
        try:
            steps, _final = plan(ticket.regime, ticket.kind)
        except DeadlineError:
            return None
        return ticket.due_date if any(name == "extension_notice" for name, _r, _e in steps) else None
    notice = stored.get("extension_notice")
    if not notice or not notice.get("due"):
        return None
    return datetime.date.fromisoformat(str(notice["due"])[:10])
