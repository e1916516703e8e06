"""One table from an action's name to its service, for the staff pages and the API alike.

Each entry takes the ticket's id, the actor and the parsed input (a form's or a serializer's
cleaned data); "move" reads the target queue's id from `queue_id`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

Perform = Callable[[int, Actor, dict[str, Any]], object]

ACTIONS: dict[str, Perform] = {
    "claim": lambda ticket_id, actor, data: ticket_claim(ticket_id=ticket_id, actor=actor),
    "assign": lambda ticket_id, actor, data: ticket_assign(
        ticket_id=ticket_id, actor=actor, assignee_id=data["assignee"], reason=data["reason"]),
    "move": lambda ticket_id, actor, data: ticket_move(
        ticket_id=ticket_id, actor=actor, queue_id=data["queue_id"], reason=data["reason"]),
    "reply": lambda ticket_id, actor, data: ticket_reply(ticket_id=ticket_id, actor=actor, body=data["body"]),
    "note": lambda ticket_id, actor, data: ticket_add_note(
        ticket_id=ticket_id, actor=actor, body=data["body"]),
    "request_information": lambda ticket_id, actor, data: ticket_request_information(
        ticket_id=ticket_id, actor=actor, kind=data["kind"], body=data["body"]),
    "extend": lambda ticket_id, actor, data: ticket_extend(
        ticket_id=ticket_id, actor=actor, reason=data["reason"]),
    "resolve": lambda ticket_id, actor, data: ticket_resolve(
        ticket_id=ticket_id, actor=actor, outcome=data["outcome"], body=data["body"], reason=data["reason"]),
    "reject": lambda ticket_id, actor, data: ticket_reject(
        ticket_id=ticket_id, actor=actor, reason=data["reason"]),
    "close": lambda ticket_id, actor, data: ticket_close(
        ticket_id=ticket_id, actor=actor, reason=data["reason"]),
    "reopen": lambda ticket_id, actor, data: ticket_reopen(
        ticket_id=ticket_id, actor=actor, reason=data["reason"]),
}


def ticket_act(*, action: str, ticket_id: int, actor: Actor, data: dict[str, Any]) -> None:
    """Do the named action through its one service (a Refusal if its rules say no)."""
    ACTIONS[action](ticket_id, actor, data)
