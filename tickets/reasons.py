"""The reasons the desk itself writes into a ticket's history, each defined once (issue 16).

Written in English, as `stored` says: the history is the audit trail a regulator reads, and each
entry's reason is sealed into its hash chain (tickets/audit.py), so a stored reason keeps its
wording for ever and old entries are read with the same patterns. Shown in the reader's language
(`reason_shown`): a stored reason is recognised by its pattern, its words translated, its codes
(an outcome, a rule, a kind) shown as their labels, and what staff typed after a prefix
("extended: …") shown as typed. A reason it does not recognise is what staff typed: shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tickets.choices import Kind, Outcome, PauseKind
from tickets.escalation_rules import rule_label

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Reason:
    """One system reason: the English the history keeps (`stored`, with {parameters}) and the
    words a reader is shown (`shown`, a msgid with %(parameters)s)."""

    stored: str
    shown: str
    # Who acted when the entry names no member of staff: the requester, or the desk on its own.
    by_requester: bool = False
    parameters: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(_PLACEHOLDER.findall(self.stored)))

    def __call__(self, **values: Any) -> str:
        """The English to store, e.g. RESOLVED(outcome="refused") -> "resolved: refused"."""
        return self.stored.format(**values)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.stored)


@cache
def _pattern(stored: str) -> re.Pattern[str]:
    """The regular expression that recognises a stored reason and captures its parameters; the
    last parameter takes the rest (staff-typed text may hold anything, colons and brackets too)."""
    parts, position = [], 0
    matches = list(_PLACEHOLDER.finditer(stored))
    for index, match in enumerate(matches):
        parts.append(re.escape(stored[position:match.start()]))
        last = index == len(matches) - 1 and match.end() == len(stored)
        parts.append(f"(?P<{match.group(1)}>{'.*' if last else '.+?'})")
        position = match.end()
    parts.append(re.escape(stored[position:]))
    return re.compile("".join(parts), re.DOTALL)


# --- The requester ------------------------------------------------------------------------------
SUBMITTED = Reason("submitted by the requester through the public form",
                   gettext_noop("Submitted by the requester through the public form"), by_requester=True)
SUBMITTED_DEMO = Reason("demo data (seed_demo)", gettext_noop("Submitted by the requester (demo data)"),
                        by_requester=True)
REQUESTER_MESSAGE = Reason("message from the requester on the status page",
                           gettext_noop("Message from the requester on the status page"), by_requester=True)
REQUESTER_ANSWERED = Reason("the requester answered; the clock runs again",
                            gettext_noop("The requester answered; the clock runs again"), by_requester=True)
PAUSE_ANSWERED = Reason("the requester answered", gettext_noop("The requester answered"), by_requester=True)
SATISFACTION_ANSWERED = Reason("the requester answered the satisfaction question",
                               gettext_noop("The requester answered the satisfaction question"),
                               by_requester=True)
SATISFACTION_RATED = Reason("the requester rated how they were treated: {score}/5",
                            gettext_noop("The requester rated how they were treated: %(score)s out of 5"),
                            by_requester=True)
LINKS_RESENT = Reason("the requester asked for their links again",
                      gettext_noop("The requester asked for their links again"), by_requester=True)
# A message after the answer, or after the end (tickets/services/intake.py), and a withdrawal
# (tickets/services/requester.py).
REQUESTER_REOPENED = Reason("the requester wrote after the answer; the request is open again",
                            gettext_noop("The requester wrote after the answer; the request is open again"),
                            by_requester=True)
FOLLOW_UP_OPENED = Reason("the requester wrote after the request had ended; follow-up {reference} opened",
                          gettext_noop("The requester wrote after the request had ended; follow-up "
                                       "%(reference)s opened"), by_requester=True)
FOLLOW_UP_OF = Reason("follow-up of {reference}: the requester wrote after it had ended",
                      gettext_noop("Follow-up of %(reference)s: the requester wrote after it had ended"),
                      by_requester=True)
WITHDRAWN_BY_REQUESTER = Reason("withdrawn by the requester on the status page",
                                gettext_noop("Withdrawn by the requester on the status page"),
                                by_requester=True)
WITHDRAWAL_ENDS_PAUSE = Reason("the requester withdrew the request",
                               gettext_noop("The requester withdrew the request"), by_requester=True)
WITHDRAWAL_WORDS = Reason("the requester's reason for withdrawing the request",
                          gettext_noop("The requester's reason for withdrawing the request"),
                          by_requester=True)

# --- Staff --------------------------------------------------------------------------------------
CLAIMED = Reason("claimed", gettext_noop("Claimed"))
ASSIGNED = Reason("assigned to {user}", gettext_noop("Assigned to %(user)s"))
UNASSIGNED = Reason("unassigned", gettext_noop("No longer assigned"))
MOVED = Reason("moved to {queue}", gettext_noop("Moved to the queue %(queue)s"))
REPLY_SENT = Reason("reply sent to the requester", gettext_noop("Reply sent to the requester"))
REPLY = Reason("reply to the requester", gettext_noop("Reply to the requester"))
NOTE_ADDED = Reason("internal note added", gettext_noop("Internal note added"))
NOTE = Reason("internal note", gettext_noop("Internal note"))
ASKED_FOR_IDENTITY = Reason("asked the requester for identity; the clock is paused",
                            gettext_noop("Asked the requester for proof of identity; the clock is paused"))
ASKED_FOR_CLARIFICATION = Reason("asked the requester for clarification; the clock is paused",
                                 gettext_noop("Asked the requester for more details; the clock is paused"))
ASKED_FOR_IDENTITY_MESSAGE = Reason("asked the requester for identity",
                                    gettext_noop("Asked the requester for proof of identity"))
ASKED_FOR_CLARIFICATION_MESSAGE = Reason("asked the requester for clarification",
                                         gettext_noop("Asked the requester for more details"))
EXTENDED = Reason("extended: {text}", gettext_noop("Extended: %(text)s"))
RESOLVED = Reason("resolved: {outcome}", gettext_noop("Resolved: %(outcome)s"))
CLOSED = Reason("closed", gettext_noop("Closed"))
REOPENED = Reason("reopened", gettext_noop("Reopened"))
REOPENED_BECAUSE = Reason("reopened: {text}", gettext_noop("Reopened: %(text)s"))
REJECTED = Reason("rejected: {text}", gettext_noop("Rejected: %(text)s"))

# --- The desk on its own ------------------------------------------------------------------------
ESCALATED = Reason("escalation ({rule})", gettext_noop("Escalated: %(rule)s"))
RETENTION_ERASED = Reason("system:retention: personal data erased ({kind}: {days} days after closure)",
                          gettext_noop("Personal data erased under the retention rule "
                                       "(%(kind)s: %(days)s days after closure)"))

REASONS: tuple[Reason, ...] = tuple(value for value in globals().values() if isinstance(value, Reason))


def asked_for(kind: str) -> Reason:
    """The history's reason when staff ask for proof of identity or for more details."""
    return ASKED_FOR_IDENTITY if kind == PauseKind.IDENTITY else ASKED_FOR_CLARIFICATION


def asked_for_message(kind: str) -> Reason:
    """The reason on the message and the pause that carry the question."""
    return ASKED_FOR_IDENTITY_MESSAGE if kind == PauseKind.IDENTITY else ASKED_FOR_CLARIFICATION_MESSAGE


def _choice_label(choices: Any) -> Callable[[str], str]:
    return lambda value: str(choices(value).label) if value in choices.values else value


# How a parameter's stored value is shown; one not listed here (a name, a number, staff-typed
# text) is shown as stored.
_SHOWN_VALUES: dict[str, Callable[[str], str]] = {
    "outcome": _choice_label(Outcome),
    "kind": _choice_label(Kind),
    "rule": rule_label,
}


@cache
def _by_stored_text() -> dict[str, Reason]:
    return {reason.stored: reason for reason in REASONS if not reason.parameters}


def reason_for(stored: str) -> tuple[Reason, dict[str, str]] | None:
    """The catalogue's reason a stored text was written from, with its parameters; None for a
    reason staff typed."""
    plain = _by_stored_text().get(stored)
    if plain is not None:
        return plain, {}
    for reason in REASONS:
        if reason.parameters:
            match = reason.pattern.fullmatch(stored)
            if match is not None:
                return reason, match.groupdict()
    return None


def reason_shown(stored: str) -> str:
    """A stored reason in the active language ("resolved: partly_fulfilled" -> "Ratkaistu: osittain
    toteutettu"); staff's own words as they typed them."""
    found = reason_for(stored)
    if found is None:
        return stored
    reason, values = found
    shown = {name: _SHOWN_VALUES.get(name, str)(value) for name, value in values.items()}
    return gettext(reason.shown) % shown if shown else gettext(reason.shown)


REQUESTER = _("The requester")
THE_DESK = _("The desk (automatic)")


def actor_shown(user: Any, stored_reason: str) -> str:
    """Who made a change: the member of staff, else the requester or the desk itself, as the
    reason tells (the history keeps no user for either)."""
    if user is not None:
        return str(user)
    found = reason_for(stored_reason)
    return str(REQUESTER if found is not None and found[0].by_requester else THE_DESK)
