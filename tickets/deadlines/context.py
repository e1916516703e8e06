"""The checked input one rule sees, and the one way a rule turns its findings into a Deadline."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tickets.deadlines.arithmetic import WEEKDAY_NAMES, long_date, long_moment
from tickets.deadlines.calendars import Calendar, DayOff
from tickets.deadlines.inputs import Extension, Pause, ServiceLevel, Span
from tickets.deadlines.results import Deadline


def receipt_date(moment: date) -> date:
    """The receipt date: a request received at 23:59 counts that day (research §2.2)."""
    return moment.date() if isinstance(moment, datetime) else moment


@dataclass(frozen=True)
class Request:
    """Everything a rule may use; made and checked by engine.deadline_for."""

    regime: str
    event: str
    received_at: date  # as given: a date, or a date-time for clocks counted in hours
    calendar: Calendar
    pauses: tuple[Span, ...] = ()
    open_pause: Pause | None = None
    extension: Extension | None = None
    identity_received: date | None = None
    fee_paid: date | None = None
    small_agent: bool = False
    service_level: ServiceLevel = field(default_factory=ServiceLevel)
    kind: str | None = None

    @property
    def received(self) -> date:
        return receipt_date(self.received_at)

    @property
    def received_text(self) -> str:
        return long_moment(self.received_at)


Rule = Callable[[Request], Deadline]


@dataclass(frozen=True)
class RegimeSpec:
    """A regime's events (each a rule) and whether it allows one extension."""

    name: str
    events: Mapping[str, Rule]
    extendable: bool


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text for text in texts if text))


def _open_pause_note(request: Request, stops_for: tuple[str, ...]) -> str:
    pause = request.open_pause
    if pause is None or pause.kind not in stops_for:
        return ""
    since = f"The clock is paused since {long_date(pause.start)} ({pause.kind})"
    if any(span.provisional for span in request.pauses):
        return f"{since}; it is counted as ending on the as-of date, so this date is provisional."
    return f"{since}; the open pause is not counted yet: the date moves when the requester answers."


def _move_phrase(request: Request, moved: tuple[DayOff, ...]) -> str:
    if not moved:
        return ""
    days = ", ".join(
        long_date(off.day)
        if off.name == WEEKDAY_NAMES[off.day.weekday()]
        else f"{long_date(off.day)} ({off.name})"
        for off in moved
    )
    verb = "is" if len(moved) == 1 else "are"
    return f"; {days} {verb} closed in {request.calendar.code}, so it moves to the next working day"


def _calendar_notes(request: Request, due: date, moved: tuple[DayOff, ...]) -> list[str]:
    days = [off.day for off in moved]
    if not isinstance(due, datetime):
        days.append(due)
    return [note for day in days if (note := request.calendar.choice_note(day))]


@dataclass(frozen=True)
class Finding:
    """What a rule found; `conclude` adds the calendar's choices and writes the explanation."""

    subject: str  # "The GDPR response to a request received on ..."
    reckoning: str  # "one month from receipt ends on ..."
    basis: str
    period: str
    nominal: date
    due: date
    clock_start: date | None = None
    moved: tuple[DayOff, ...] = ()
    skipped: tuple[DayOff, ...] = ()
    pause_days: int = 0
    stops_for: tuple[str, ...] = ()  # pause kinds that stop this clock
    interpretations: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def conclude(request: Request, finding: Finding) -> Deadline:
    """The Deadline for a rule's finding, with its explanation sentence."""
    choices = _unique([*finding.interpretations, *_calendar_notes(request, finding.due, finding.moved)])
    open_note = _open_pause_note(request, finding.stops_for)
    due_text = long_moment(finding.due)
    if not isinstance(finding.due, datetime):
        due_text = f"the end of {due_text}"
    explanation = (
        f"{finding.subject} is due by {due_text}: {finding.reckoning}"
        f"{_move_phrase(request, finding.moved)} ({finding.basis})."
    )
    return Deadline(
        regime=request.regime,
        event=request.event,
        rule=f"{request.regime}.{request.event}",
        basis=finding.basis,
        calendar=request.calendar.code,
        received=request.received_at,
        clock_start=finding.clock_start or request.received_at,
        period=finding.period,
        nominal=finding.nominal,
        due=finding.due,
        moved_by=finding.moved,
        skipped=finding.skipped,
        pause_days=finding.pause_days,
        paused=bool(open_note),
        interpretation=bool(choices),
        interpretation_note=" ".join(choices),
        notes=_unique([*finding.notes, open_note]),
        explanation=explanation,
    )
