"""Every staff action, once: its words, its permission, its service, its form and its API input.

One `Action` record per action, in the order the ticket page offers them. The ticket page builds
the form the record names, the API the serializer it names (each face resolves only its own, so
neither imports the other); both ask `available_actions` first and call `ticket_act`, which runs
the record's service. `tests/test_architecture.py` checks that every name resolves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tickets.errors import ErasedRefused
from tickets.models import Ticket
from tickets.selectors import actions as permissions
from tickets.selectors.actions import Actions, Reason, Refused, Situation
from tickets.services.common import Actor
from tickets.services.workflow import (
    ticket_add_note,
    ticket_assign,
    ticket_claim,
    ticket_close,
    ticket_extend,
    ticket_move,
    ticket_reject,
    ticket_reopen,
    ticket_reply,
    ticket_request_information,
    ticket_resolve,
)

_FORMS = "tickets.staff_forms"
_INPUTS = "tickets.api.serializers"


@dataclass(frozen=True)
class Action:
    """A staff action.

    `label`: its button or form title; `done`: what the page says after it; `permission`: why a
    ticket does not allow it now (tickets/selectors/actions.py); `service`: its one service, given
    the ticket's id, the actor and, as keyword arguments, the parsed input's fields that `takes`
    names (argument: field); `form` and `prefix`: the ticket page's form
    (dotted path) and its fields' prefix; `shown`: the page shows the form (else a single button);
    `serializer`: the API's input (dotted path)."""

    name: str
    label: Promise
    done: Promise
    permission: Callable[[Situation], Reason]
    service: Callable[..., object]
    takes: Mapping[str, str] = field(default_factory=dict)
    form: str = ""
    serializer: str = ""
    prefix: str | None = None
    shown: bool = True

    @property
    def endpoint(self) -> str:
        """The API's path segment: /api/v1/tickets/<reference>/<endpoint>/."""
        return self.name.replace("_", "-")


def _same(*names: str) -> Mapping[str, str]:
    return {name: name for name in names}


ACTIONS: tuple[Action, ...] = (
    Action("claim", _("Assign to me"), _("The ticket is now yours."), permissions.may_claim, ticket_claim,
           form=f"{_FORMS}.StrictForm", serializer=f"{_INPUTS}.EmptyInput", shown=False),
    Action("reply", _("Reply to the requester"), _("Your reply was sent to the requester."),
           permissions.may_reply, ticket_reply, _same("body"),
           form=f"{_FORMS}.BodyForm", serializer=f"{_INPUTS}.BodyInput", prefix="reply"),
    Action("note", _("Internal note"), _("The internal note was added."), permissions.may_note,
           ticket_add_note, _same("body"),
           form=f"{_FORMS}.BodyForm", serializer=f"{_INPUTS}.BodyInput", prefix="note"),
    Action("request_information", _("Ask the requester"),
           _("The requester was asked, and the clock is paused."), permissions.may_request_information,
           ticket_request_information, _same("kind", "body"),
           form=f"{_FORMS}.RequestInformationForm", serializer=f"{_INPUTS}.RequestInformationInput",
           prefix="info"),
    Action("extend", _("Extend the deadline"), _("The deadline was extended and the requester was told why."),
           permissions.may_extend, ticket_extend, _same("reason"),
           form=f"{_FORMS}.ReasonForm", serializer=f"{_INPUTS}.ReasonInput", prefix="extend"),
    Action("resolve", _("Resolve"), _("The ticket was resolved and the requester was told."),
           permissions.may_resolve, ticket_resolve, _same("outcome", "body", "reason"),
           form=f"{_FORMS}.ResolveForm", serializer=f"{_INPUTS}.ResolveInput", prefix="resolve"),
    Action("assign", _("Assign"), _("The assignee was changed."), permissions.may_assign,
           ticket_assign, {"assignee_id": "assignee", "reason": "reason"},
           form=f"{_FORMS}.AssignForm", serializer=f"{_INPUTS}.AssignInput"),
    Action("move", _("Move to another queue"), _("The ticket was moved."), permissions.may_move,
           ticket_move, _same("queue_id", "reason"),
           form=f"{_FORMS}.MoveForm", serializer=f"{_INPUTS}.MoveInput"),
    Action("close", _("Close"), _("The ticket was closed."), permissions.may_close,
           ticket_close, _same("reason"),
           form=f"{_FORMS}.OptionalReasonForm", serializer=f"{_INPUTS}.OptionalReasonInput", shown=False),
    Action("reopen", _("Reopen"), _("The ticket was reopened."), permissions.may_reopen,
           ticket_reopen, _same("reason"),
           form=f"{_FORMS}.OptionalReasonForm", serializer=f"{_INPUTS}.OptionalReasonInput", shown=False),
    Action("reject", _("Reject"), _("The ticket was rejected."), permissions.may_reject,
           ticket_reject, _same("reason"),
           form=f"{_FORMS}.ReasonForm", serializer=f"{_INPUTS}.ReasonInput", prefix="reject"),
)
BY_NAME: Mapping[str, Action] = {action.name: action for action in ACTIONS}
NAMES = tuple(BY_NAME)


def available_actions(ticket: Ticket, user: Any, *, today: datetime.date | None = None) -> Actions:
    """Which actions `user` may take on `ticket` now, and why not the others (in the active
    language). `today` is the organisation's date (the extension-notice date is one of its days)."""
    now = permissions.situation(ticket, user, today=today)
    if not isinstance(now, Situation):  # one reason refuses them all
        message, refusal = now
        return Actions(names=NAMES, allowed=frozenset(),
                       refused={a.name: Refused(a.name, str(a.label), message, refusal) for a in ACTIONS},
                       blocked=message if refusal is ErasedRefused else "")
    refused: dict[str, Refused] = {}
    for action in ACTIONS:
        reason = action.permission(now)
        if reason is not None:
            refused[action.name] = Refused(action.name, str(action.label), *reason)
    return Actions(names=NAMES, allowed=frozenset(NAMES) - set(refused), refused=refused)


def ticket_act(*, action: str, ticket_id: int, actor: Actor, data: dict[str, Any]) -> None:
    """Do the named action through its one service (a Refusal if its rules say no)."""
    record = BY_NAME[action]
    record.service(ticket_id=ticket_id, actor=actor,
                   **{argument: data[given] for argument, given in record.takes.items()})
