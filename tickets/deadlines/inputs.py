"""What the engine is given besides dates: pauses, an extension, the organisation's service level.

All are frozen values that check themselves when made, so a bad one never reaches a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import pairwise

from tickets.deadlines.errors import ExtensionNotAllowed, InvalidPause, InvalidServiceLevel
from tickets.deadlines.messages import Message, gettext_noop, say

# Why the desk waits for the requester. Each regime says what a pause of each kind does:
# research/deadlines.md §2.5 (EU suspends for identity and clarification), §3.3 (UK restarts
# for identity and fee, excludes the clarification days), §5.4 and §6 (US: no effect).
PAUSE_KINDS = ("identity", "clarification", "fee")
# Each kind in words, as a sentence names it in parentheses: "Paused ... (waiting for clarification)".
PAUSE_LABELS: dict[str, Message] = {
    "identity": say(gettext_noop("waiting for proof of identity")),
    "clarification": say(gettext_noop("waiting for clarification")),
    "fee": say(gettext_noop("waiting for the fee")),
}
BUSINESS_DAYS = "business_days"
BUSINESS_HOURS = "business_hours"
UNITS = (BUSINESS_DAYS, BUSINESS_HOURS)


def as_date(value: date, what: str) -> date:
    """The date of a date or date-time; anything else is refused."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidPause(f"{what} must be a date, not {value!r}")


@dataclass(frozen=True)
class Pause:
    """The desk asked the requester something on `start` and got the answer on `end`.

    `end=None` is a pause still open: it is ignored unless the computation is given `as_of`.
    """

    start: date
    end: date | None = None
    kind: str = "clarification"
    reason: str = ""

    def __post_init__(self) -> None:
        start = as_date(self.start, "a pause start")
        end = None if self.end is None else as_date(self.end, "a pause end")
        if self.kind not in PAUSE_KINDS:
            raise InvalidPause(f"unknown pause kind {self.kind!r}: use one of {', '.join(PAUSE_KINDS)}")
        if end is not None and end < start:
            raise InvalidPause(f"a pause cannot end ({end}) before it starts ({start})")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def is_open(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class Span:
    """A pause as the rules see it: closed, checked, and marked if it is still open in fact."""

    start: date
    end: date
    kind: str
    provisional: bool = False


@dataclass(frozen=True)
class Extension:
    """An extension of the response period, notified on `notified` with a reason."""

    notified: date
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ExtensionNotAllowed("an extension needs a reason told to the requester")
        object.__setattr__(self, "notified", as_date(self.notified, "an extension notice date"))


@dataclass(frozen=True)
class Target:
    """A service-level amount: so many business days, or business hours, after receipt."""

    amount: int
    unit: str = BUSINESS_DAYS

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise InvalidServiceLevel(
                f"a service level needs a whole number of at least 1, not {self.amount!r}"
            )
        if self.unit not in UNITS:
            raise InvalidServiceLevel(f"unknown service-level unit {self.unit!r}: use {' or '.join(UNITS)}")

    def describe(self) -> str:
        noun = "business day" if self.unit == BUSINESS_DAYS else "business hour"
        return f"{self.amount} {noun}{'s' if self.amount != 1 else ''}"


@dataclass(frozen=True)
class ServiceLevel:
    """The organisation's own targets for complaints and questions (SPEC: Regimes and clocks).

    Defaults follow research/deadlines.md §10: a first reply within 2 business days, well below
    the 30-day statutory UK acknowledgement, and resolution within 20 business days (about four
    weeks). Business hours run from `opening` to `closing` on the calendar's working days.
    """

    first_response: Target = Target(2)
    resolution: Target = Target(20)
    opening: time = time(8, 0)
    closing: time = time(16, 0)

    def __post_init__(self) -> None:
        if self.opening.tzinfo is not None or self.closing.tzinfo is not None:
            raise InvalidServiceLevel("business hours are local clock times without a time zone")
        if self.opening >= self.closing:
            raise InvalidServiceLevel(
                f"business hours must open ({self.opening}) before they close ({self.closing})"
            )

    def target(self, event: str) -> Target:
        return self.first_response if event == "first_response" else self.resolution


def arrange_pauses(
    pauses: Iterable[Pause], received: date, as_of: date | None
) -> tuple[tuple[Span, ...], Pause | None]:
    """Check the pauses; return the closed ones in order and the open one, if any.

    A pause may not start before receipt or overlap another (one may start on the day the
    previous one ended). An open pause counts as ending on `as_of` when that is given.
    """
    ordered = sorted(pauses, key=lambda pause: pause.start)
    for pause in ordered:
        if pause.start < received:
            raise InvalidPause(f"a pause cannot start ({pause.start}) before receipt ({received})")
    for earlier, later in pairwise(ordered):
        if earlier.end is None or later.start < earlier.end:
            raise InvalidPause(f"pauses overlap: one from {earlier.start}, another from {later.start}")
    spans = [Span(pause.start, pause.end, pause.kind) for pause in ordered if pause.end is not None]
    open_pause = ordered[-1] if ordered and ordered[-1].is_open else None
    if open_pause is not None and as_of is not None:
        if as_of < open_pause.start:
            raise InvalidPause(f"as_of ({as_of}) is before the open pause started ({open_pause.start})")
        spans.append(Span(open_pause.start, as_of, open_pause.kind, provisional=True))
    return tuple(spans), open_pause
