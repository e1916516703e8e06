"""Every write to ticket data. Each service owns its transaction, writes its history rows (with the
actor and a reason) and its outbox rows in that same transaction (STYLE.md: The shape of the code).

intake: requests coming in (the public form, the status page, imports); workflow: what staff do.
"""

from __future__ import annotations

from tickets.services.access import access_record
from tickets.services.common import Actor, stamp, status_link_issue, token_digest
from tickets.services.intake import (
    REQUESTER_REASON,
    Submission,
    ticket_add_requester_message,
    ticket_create,
    ticket_submit,
)
from tickets.services.queues import queue_membership_change
from tickets.services.requester import ticket_withdraw_by_requester
from tickets.services.retention import retention_due, retention_sweep, ticket_erase_personal_data
from tickets.services.satisfaction import satisfaction_askable, satisfaction_record
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
    ticket_resume_for_answer,
    ticket_transition,
)

__all__ = [
    "REQUESTER_REASON",
    "Actor",
    "Submission",
    "access_record",
    "queue_membership_change",
    "retention_due",
    "retention_sweep",
    "satisfaction_askable",
    "satisfaction_record",
    "stamp",
    "status_link_issue",
    "ticket_add_note",
    "ticket_add_requester_message",
    "ticket_assign",
    "ticket_claim",
    "ticket_close",
    "ticket_create",
    "ticket_erase_personal_data",
    "ticket_extend",
    "ticket_move",
    "ticket_reject",
    "ticket_reopen",
    "ticket_reply",
    "ticket_request_information",
    "ticket_resolve",
    "ticket_resume_for_answer",
    "ticket_submit",
    "ticket_transition",
    "ticket_withdraw_by_requester",
    "token_digest",
]
