"""The checked input one rule sees, and the one way a rule turns its findings into a Deadline
(with its explanation as messages, and in English)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tickets.deadlines.calendars import Calendar, DayOff
from tickets.deadlines.inputs import PAUSE_LABELS, Extension, Pause, ServiceLevel, Span
from tickets.deadlines.messages import Arg, Message, english, gettext_noop, ngettext_lazy, say
from tickets.deadlines.results import Deadline, Wording


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


Rule = Callable[[Request], Deadline]


@dataclass(frozen=True)
class RegimeSpec:
    """A regime's events (each a rule) and whether it allows one extension."""

    name: str
    events: Mapping[str, Rule]
    extendable: bool


OPEN_PAUSE_PROVISIONAL = gettext_noop(
    "The clock is paused since %(start)s (%(kind)s); it is counted as ending on the as-of date, "
    "so this date is provisional."
)
OPEN_PAUSE_PENDING = gettext_noop(
    "The clock is paused since %(start)s (%(kind)s); the open pause is not counted yet: the date "
    "moves when the requester answers."
)
MOVED = ngettext_lazy(
    "%(days)s is not a working day, so the deadline moves to the next working day.",
    "%(days)s are not working days, so the deadline moves to the next working day.",
    "count",
)
COUNTED_IN_BUSINESS_DAYS = ngettext_lazy(
    "It is counted as %(count)d business day after the day of receipt.",
    "It is counted as %(count)d business days after the day of receipt.",
    "count",
)
LEGAL_BASIS = gettext_noop("Legal basis: %(citations)s.")
REQUESTER_PAUSED = ngettext_lazy(
    "We did not count %(days)d day while we waited for your answer, so the date is that much later.",
    "We did not count %(days)d days while we waited for your answer, so the date is that much later.",
    "days",
)
REQUESTER_MOVED = gettext_noop(
    "The period would end on %(day)s, a day off, so the deadline moves to the next working day."
)


def _unique(messages: Iterable[Message | None]) -> tuple[Message, ...]:
    return tuple(dict.fromkeys(message for message in messages if message is not None))


def _open_pause_note(request: Request, stops_for: tuple[str, ...]) -> Message | None:
    pause = request.open_pause
    if pause is None or pause.kind not in stops_for:
        return None
    provisional = any(span.provisional for span in request.pauses)
    text = OPEN_PAUSE_PROVISIONAL if provisional else OPEN_PAUSE_PENDING
    return say(text, start=pause.start, kind=PAUSE_LABELS[pause.kind])


def _calendar_notes(request: Request, due: date, moved: tuple[DayOff, ...]) -> list[Message]:
    days = [off.day for off in moved]
    if not isinstance(due, datetime):
        days.append(due)
    return [note for day in days if (note := request.calendar.choice_note(day))]


def with_args(message: Message, **args: Arg) -> Message:
    """`message` with more arguments (the receipt and the due date, which conclude knows)."""
    return Message(message.msgid, (*message.args, *args.items()), message.plural, message.count)


@dataclass(frozen=True)
class Finding:
    """What a rule found; `conclude` adds the calendar's choices and writes the explanation.

    `subject` is the headline, a whole sentence with %(received)s and %(due)s, which conclude
    fills in; `reckoning` says how the date was counted; `requester` says it to the requester
    (with %(received)s, also filled in).
    """

    subject: Message  # "The GDPR response to a request received on %(received)s is due by ..."
    reckoning: tuple[Message, ...]  # "One month from receipt ends on %(end)s."
    basis: tuple[Message, ...]  # one citation each
    period: str
    nominal: date
    due: date
    clock_start: date | None = None
    moved: tuple[DayOff, ...] = ()
    skipped: tuple[DayOff, ...] = ()
    pause_days: int = 0
    stops_for: tuple[str, ...] = ()  # pause kinds that stop this clock
    interpretations: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    requester: Message | None = None


def _requester(request: Request, finding: Finding) -> tuple[Message, ...]:
    if finding.requester is None:
        return ()
    sentences = [with_args(finding.requester, received=request.received)]
    if finding.pause_days:
        sentences.append(say(REQUESTER_PAUSED, days=finding.pause_days))
    if finding.moved:
        sentences.append(say(REQUESTER_MOVED, day=request.calendar.closed(finding.moved[0])))
    return tuple(sentences)


def conclude(request: Request, finding: Finding) -> Deadline:
    """The Deadline for a rule's finding, with its explanation in messages and in English."""
    choices = _unique([*finding.interpretations, *_calendar_notes(request, finding.due, finding.moved)])
    open_note = _open_pause_note(request, finding.stops_for)
    closed = tuple(request.calendar.closed(off) for off in finding.moved)
    moved = (say(MOVED, days=closed, count=len(closed)),) if closed else ()
    wording = Wording(
        explanation=(
            with_args(finding.subject, received=request.received_at, due=finding.due),
            *finding.reckoning,
            *moved,
        ),
        basis=finding.basis,
        notes=_unique([*finding.notes, open_note]),
        interpretations=choices,
        requester=_requester(request, finding),
    )
    legal_basis = say(LEGAL_BASIS, citations=finding.basis)
    return Deadline(
        regime=request.regime,
        event=request.event,
        rule=f"{request.regime}.{request.event}",
        basis=english(finding.basis, "; "),
        calendar=request.calendar.code,
        received=request.received_at,
        clock_start=finding.clock_start or request.received_at,
        period=finding.period,
        nominal=finding.nominal,
        due=finding.due,
        moved_by=finding.moved,
        skipped=finding.skipped,
        pause_days=finding.pause_days,
        paused=open_note is not None,
        interpretation=bool(choices),
        interpretation_note=english(choices),
        notes=tuple(note.english() for note in wording.notes),
        explanation=english((*wording.explanation, legal_basis)),
        wording=wording,
    )
