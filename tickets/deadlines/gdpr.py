"""EU GDPR: response, refusal and extension periods in months; the 72-hour breach clock.

research/deadlines.md §2 and §4. A month period ends on the same date one month after receipt,
or on the last day of a shorter month (Reg. 1182/71 Art. 3(2)(c)), and moves to the next working
day of the organisation's country when that day is closed (Art. 3(4); EDPB 01/2022 §161).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tickets.deadlines.arithmetic import add_months
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.inputs import PAUSE_LABELS
from tickets.deadlines.messages import Message, gettext_noop, ngettext_lazy, say
from tickets.deadlines.results import Deadline

# EDPB 01/2022 §159: the clock is suspended while the controller waits for identity or for the
# request to be specified. Nothing is said of fees (GDPR Art. 12(5): free as a rule).
EU_STOPS = ("identity", "clarification")
# research/deadlines.md §2.4 (pauses), §2.6 (the extension), §4 (the breach clock).
EU_PAUSE_NOTE = gettext_noop(
    "EU pause arithmetic: EDPB 01/2022 §159 suspends the clock but gives no formula; the desk adds "
    "(answer date - question date) days, the question day excluded (conservative); the UK-style "
    "count with both days included would give one more day per pause."
)
EU_EXTENSION_NOTE = gettext_noop(
    "EU extension method: the earlier of receipt + 3 months and the one-month date + 2 months "
    "(conservative); the ICO method uses receipt + 3 months."
)
BREACH_NOTE = gettext_noop(
    "Art. 33(1) '72 hours after having become aware': counted as exactly 72 hours from the moment "
    "of awareness (conservative); leaving out the starting hour (Reg. 1182/71 Art. 3(1)) would end "
    "up to an hour later. A period in hours is not moved off weekends or holidays (Art. 3(4))."
)
CLOCK_CHANGE_NOTE = gettext_noop(
    "The clocks change within the 72 hours: the earlier of 72 hours by the wall clock (%(wall)s) "
    "and of elapsed time (%(elapsed)s) is used."
)
BREACH_HOURS = 72

REG_1182_71 = say(gettext_noop("Reg. 1182/71 Art. 3(2)(c), 3(4)"))
BASIS = {
    "respond": (say(gettext_noop("GDPR Art. 12(3)")), REG_1182_71),
    "refusal": (say(gettext_noop("GDPR Art. 12(4)")), REG_1182_71),
    "extension_notice": (say(gettext_noop("GDPR Art. 12(3) (notice within one month)")), REG_1182_71),
    "extended": (say(gettext_noop("GDPR Art. 12(3) (two further months)")), REG_1182_71),
    "breach_notice": (
        say(gettext_noop("GDPR Art. 33(1)")),
        say(gettext_noop("Reg. 1182/71 Art. 3(4) (periods in hours are not moved)")),
    ),
}
SUBJECTS = {
    "respond": gettext_noop(
        "The GDPR response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "refusal": gettext_noop(
        "The GDPR notice of refusal (with the right to complain) for a request received on "
        "%(received)s is due by the end of %(due)s."
    ),
    "extension_notice": gettext_noop(
        "The last day to notify an extension, with reasons, of a GDPR request received on "
        "%(received)s is due by the end of %(due)s."
    ),
}
ONE_MONTH = gettext_noop("One month from receipt ends on %(end)s.")
PAUSED = ngettext_lazy(
    "%(days)d paused day moves it to %(nominal)s.", "%(days)d paused days move it to %(nominal)s.", "days"
)
NOT_STOPPED = gettext_noop("The pause from %(start)s (%(kind)s) does not stop the GDPR clock.")
TOO_LATE = gettext_noop("The pause from %(start)s began after the period had ended; not counted.")
ADDED = ngettext_lazy(
    "Paused %(start)s to %(end)s (%(kind)s): %(days)d day added.",
    "Paused %(start)s to %(end)s (%(kind)s): %(days)d days added.",
    "days",
)
NOTICE_LAST_DAY = gettext_noop("After this date the extension is no longer available (GDPR Art. 12(3)).")
EXTENSION_GIVEN = gettext_noop("Extension notified on %(notified)s. The reason given: %(reason)s")
EXTENSION_ASSUMED = gettext_noop(
    "Assumes the extension is notified, with reasons, by the end of %(notice_due)s."
)
EXTENDED_SUBJECT = gettext_noop(
    "The extended GDPR response to a request received on %(received)s is due by the end of %(due)s."
)
EXTENDED_RECKONING = gettext_noop(
    "Two further months end on %(end)s: the earlier of receipt + 3 months (%(by_receipt)s) and the "
    "one-month date + 2 months (%(by_first_month)s)."
)
BREACH_SUBJECTS = {
    "gdpr": gettext_noop(
        "The GDPR Art. 33 notice of a personal data breach to the supervisory authority, the "
        "controller having become aware of it on %(received)s, is due by %(due)s."
    ),
    "uk_gdpr": gettext_noop(
        "The UK GDPR Art. 33 notice of a personal data breach to the supervisory authority, the "
        "controller having become aware of it on %(received)s, is due by %(due)s."
    ),
}
BREACH_RECKONING = gettext_noop("It is counted as 72 hours from awareness, weekends and holidays included.")
BREACH_NO_PAUSE = gettext_noop("Pauses do not stop the Art. 33 clock.")
BREACH_NO_TIME = gettext_noop(
    "No time of awareness was given: counted from the start of that day (conservative)."
)
# Told to the requester (the status page): the law and its period, in plain words.
REQUESTER_MONTH = gettext_noop(
    "The EU General Data Protection Regulation gives us one month from the day we received your "
    "request, %(received)s."
)
REQUESTER_EXTENDED = gettext_noop(
    "The EU General Data Protection Regulation gives us one month from the day we received your "
    "request, %(received)s, and lets us take two further months when a request is complex or we "
    "have received many; we have told you why we needed them."
)


@dataclass(frozen=True)
class FirstMonth:
    month_end: date  # one month from receipt
    nominal: date  # month_end plus the paused days
    pause_days: int
    notes: tuple[Message, ...]
    interpretations: tuple[Message, ...]


def first_month(request: Request) -> FirstMonth:
    """One month from receipt, suspended for identity and clarification pauses (EDPB §159)."""
    month_end = add_months(request.received, 1)
    added = 0
    counted = False
    notes: list[Message] = []
    for span in request.pauses:
        if span.kind not in EU_STOPS:
            notes.append(say(NOT_STOPPED, start=span.start, kind=PAUSE_LABELS[span.kind]))
        elif span.start > month_end + timedelta(days=added):
            notes.append(say(TOO_LATE, start=span.start))
        else:
            days = (span.end - span.start).days
            added += days
            counted = True
            notes.append(say(ADDED, start=span.start, end=span.end, kind=PAUSE_LABELS[span.kind], days=days))
    return FirstMonth(
        month_end=month_end,
        nominal=month_end + timedelta(days=added),
        pause_days=added,
        notes=tuple(notes),
        interpretations=(say(EU_PAUSE_NOTE),) if counted else (),
    )


def pause_sentences(days: int, nominal: date) -> tuple[Message, ...]:
    return (say(PAUSED, days=days, nominal=nominal),) if days else ()


def _one_month(request: Request, event: str, notes: tuple[Message, ...] = ()) -> Deadline:
    first = first_month(request)
    due, moved = request.calendar.roll_forward(first.nominal)
    return conclude(
        request,
        Finding(
            subject=say(SUBJECTS[event]),
            reckoning=(
                say(ONE_MONTH, end=first.month_end),
                *pause_sentences(first.pause_days, first.nominal),
            ),
            basis=BASIS[event],
            period="1 month",
            nominal=first.nominal,
            due=due,
            moved=moved,
            pause_days=first.pause_days,
            stops_for=EU_STOPS,
            interpretations=first.interpretations,
            notes=first.notes + notes,
            requester=say(REQUESTER_MONTH),
        ),
    )


def respond(request: Request) -> Deadline:
    # GDPR Art. 12(3): within one month of receipt of the request.
    return _one_month(request, "respond")


def refusal(request: Request) -> Deadline:
    # GDPR Art. 12(4): reasons for not acting, at the latest within one month of receipt.
    return _one_month(request, "refusal")


def extension_notice(request: Request) -> Deadline:
    # GDPR Art. 12(3): inform of an extension, with reasons, within one month of receipt.
    return _one_month(request, "extension_notice", (say(NOTICE_LAST_DAY),))


def extension_note(request: Request, notice_due: date) -> Message:
    if request.extension is not None:
        return say(EXTENSION_GIVEN, notified=request.extension.notified, reason=request.extension.reason)
    return say(EXTENSION_ASSUMED, notice_due=notice_due)


def extended(request: Request) -> Deadline:
    # GDPR Art. 12(3): "extended by two further months"; computed from the nominal dates (§2.6).
    first = first_month(request)
    by_receipt = add_months(request.received, 3)
    by_first_month = add_months(first.month_end, 2)
    nominal = min(by_receipt, by_first_month) + timedelta(days=first.pause_days)
    due, moved = request.calendar.roll_forward(nominal)
    notice_due = respond(request).due
    return conclude(
        request,
        Finding(
            subject=say(EXTENDED_SUBJECT),
            reckoning=(
                say(
                    EXTENDED_RECKONING,
                    end=min(by_receipt, by_first_month),
                    by_receipt=by_receipt,
                    by_first_month=by_first_month,
                ),
                *pause_sentences(first.pause_days, nominal),
            ),
            basis=BASIS["extended"],
            period="3 months",
            nominal=nominal,
            due=due,
            moved=moved,
            pause_days=first.pause_days,
            stops_for=EU_STOPS,
            interpretations=(say(EU_EXTENSION_NOTE), *first.interpretations),
            notes=(*first.notes, extension_note(request, notice_due)),
            requester=say(REQUESTER_EXTENDED),
        ),
    )


def plus_hours(start: datetime, hours: int) -> tuple[datetime, Message | None]:
    """`hours` later, and a note when a clock change makes wall-clock and elapsed time differ.

    A naive start is local wall-clock time. For an aware start the earlier of the two is used.
    """
    wall = start + timedelta(hours=hours)
    if start.tzinfo is None:
        return wall, None
    elapsed = (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)
    if wall.timestamp() == elapsed.timestamp():
        return wall, None
    earlier = min(wall, elapsed, key=lambda moment: moment.timestamp())
    return earlier, say(CLOCK_CHANGE_NOTE, wall=wall, elapsed=elapsed)


def breach_deadline(request: Request, *, basis: tuple[Message, ...]) -> Deadline:
    """72 hours from awareness, in hours, never moved (GDPR / UK GDPR Art. 33(1); §4)."""
    moment = request.received_at
    notes = [say(BREACH_NO_PAUSE)] if request.pauses or request.open_pause else []
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)  # naive local time, as given
        notes.append(say(BREACH_NO_TIME))
    due, clock_change = plus_hours(moment, BREACH_HOURS)
    return conclude(
        request,
        Finding(
            subject=say(BREACH_SUBJECTS[request.regime]),
            reckoning=(say(BREACH_RECKONING),),
            basis=basis,
            period="72 hours",
            clock_start=moment,
            nominal=due,
            due=due,
            interpretations=tuple(note for note in (say(BREACH_NOTE), clock_change) if note is not None),
            notes=tuple(notes),
        ),
    )


def breach_notice(request: Request) -> Deadline:
    return breach_deadline(request, basis=BASIS["breach_notice"])


SPEC = RegimeSpec(
    name="gdpr",
    events={
        "respond": respond,
        "refusal": refusal,
        "extension_notice": extension_notice,
        "extended": extended,
        "breach_notice": breach_notice,
    },
    extendable=True,
)
