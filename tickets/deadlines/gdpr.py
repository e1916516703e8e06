"""EU GDPR: response, refusal and extension periods in months; the 72-hour breach clock.

research/deadlines.md §2 and §4. A month period ends on the same date one month after receipt,
or on the last day of a shorter month (Reg. 1182/71 Art. 3(2)(c)), and moves to the next working
day of the organisation's country when that day is closed (Art. 3(4); EDPB 01/2022 §161).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tickets.deadlines.arithmetic import add_months, long_date
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.results import Deadline

# EDPB 01/2022 §159: the clock is suspended while the controller waits for identity or for the
# request to be specified. Nothing is said of fees (GDPR Art. 12(5): free as a rule).
EU_STOPS = ("identity", "clarification")
EU_PAUSE_NOTE = (
    "EU pause arithmetic: EDPB 01/2022 §159 suspends the clock but gives no formula; the desk adds "
    "(answer date - question date) days, the question day excluded (research/deadlines.md §2.4, "
    "conservative); the UK-style count with both days included would give one more day per pause."
)
EU_EXTENSION_NOTE = (
    "EU extension method: the earlier of receipt + 3 months and the one-month date + 2 months "
    "(research/deadlines.md §2.6, conservative); the ICO method uses receipt + 3 months."
)
BREACH_NOTE = (
    "Art. 33(1) '72 hours after having become aware': counted as exactly 72 hours from the moment "
    "of awareness (conservative); leaving out the starting hour (Reg. 1182/71 Art. 3(1)) would end "
    "up to an hour later. A period in hours is not moved off weekends or holidays (Art. 3(4))."
)
BREACH_HOURS = 72

BASIS = {
    "respond": "GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)",
    "refusal": "GDPR Art. 12(4); Reg. 1182/71 Art. 3(2)(c), 3(4)",
    "extension_notice": "GDPR Art. 12(3) (notice within one month); Reg. 1182/71 Art. 3(2)(c), 3(4)",
    "extended": "GDPR Art. 12(3) (two further months); Reg. 1182/71 Art. 3(2)(c), 3(4)",
    "breach_notice": "GDPR Art. 33(1); Reg. 1182/71 Art. 3(4) (periods in hours are not moved)",
}


@dataclass(frozen=True)
class FirstMonth:
    month_end: date  # one month from receipt
    nominal: date  # month_end plus the paused days
    pause_days: int
    notes: tuple[str, ...]
    interpretations: tuple[str, ...]


def first_month(request: Request) -> FirstMonth:
    """One month from receipt, suspended for identity and clarification pauses (EDPB §159)."""
    month_end = add_months(request.received, 1)
    added = 0
    counted = False
    notes: list[str] = []
    for span in request.pauses:
        if span.kind not in EU_STOPS:
            notes.append(f"The {span.kind} pause from {span.start} does not stop the GDPR clock.")
        elif span.start > month_end + timedelta(days=added):
            notes.append(f"The pause from {span.start} began after the period had ended; not counted.")
        else:
            days = (span.end - span.start).days
            added += days
            counted = True
            notes.append(f"Paused {span.start} to {span.end} ({span.kind}): {days} day(s) added.")
    return FirstMonth(
        month_end=month_end,
        nominal=month_end + timedelta(days=added),
        pause_days=added,
        notes=tuple(notes),
        interpretations=(EU_PAUSE_NOTE,) if counted else (),
    )


def pause_phrase(days: int, nominal: date) -> str:
    if not days:
        return ""
    moves = "day moves" if days == 1 else "days move"
    return f", and {days} paused {moves} it to {long_date(nominal)}"


def _one_month(request: Request, subject: str, notes: tuple[str, ...] = ()) -> Deadline:
    first = first_month(request)
    due, moved = request.calendar.roll_forward(first.nominal)
    return conclude(
        request,
        Finding(
            subject=f"{subject} received on {request.received_text}",
            reckoning=f"one month from receipt ends on {long_date(first.month_end)}"
            + pause_phrase(first.pause_days, first.nominal),
            basis=BASIS[request.event],
            period="1 month",
            nominal=first.nominal,
            due=due,
            moved=moved,
            pause_days=first.pause_days,
            stops_for=EU_STOPS,
            interpretations=first.interpretations,
            notes=first.notes + notes,
        ),
    )


def respond(request: Request) -> Deadline:
    # GDPR Art. 12(3): within one month of receipt of the request.
    return _one_month(request, "The GDPR response to a request")


def refusal(request: Request) -> Deadline:
    # GDPR Art. 12(4): reasons for not acting, at the latest within one month of receipt.
    return _one_month(request, "The GDPR notice of refusal (with the right to complain) for a request")


def extension_notice(request: Request) -> Deadline:
    # GDPR Art. 12(3): inform of an extension, with reasons, within one month of receipt.
    return _one_month(
        request,
        "The last day to notify an extension, with reasons, of a GDPR request",
        ("After this date the extension is no longer available (GDPR Art. 12(3)).",),
    )


def extension_note(request: Request, notice_due: date) -> str:
    if request.extension is not None:
        return f"Extension notified on {request.extension.notified}: {request.extension.reason}"
    return f"Assumes the extension is notified, with reasons, by the end of {long_date(notice_due)}."


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
            subject=f"The extended GDPR response to a request received on {request.received_text}",
            reckoning="two further months end on "
            f"{long_date(min(by_receipt, by_first_month))} (the "
            f"earlier of receipt + 3 months, {by_receipt}, and the one-month date + 2 months, "
            f"{by_first_month})" + pause_phrase(first.pause_days, nominal),
            basis=BASIS["extended"],
            period="3 months",
            nominal=nominal,
            due=due,
            moved=moved,
            pause_days=first.pause_days,
            stops_for=EU_STOPS,
            interpretations=(EU_EXTENSION_NOTE, *first.interpretations),
            notes=(*first.notes, extension_note(request, notice_due)),
        ),
    )


def plus_hours(start: datetime, hours: int) -> tuple[datetime, str]:
    """`hours` later, and a note when a clock change makes wall-clock and elapsed time differ.

    A naive start is local wall-clock time. For an aware start the earlier of the two is used.
    """
    wall = start + timedelta(hours=hours)
    if start.tzinfo is None:
        return wall, ""
    elapsed = (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)
    if wall.timestamp() == elapsed.timestamp():
        return wall, ""
    earlier = min(wall, elapsed, key=lambda moment: moment.timestamp())
    return earlier, (
        f"The clocks change within the {hours} hours: the earlier of {hours} hours by the wall "
        f"clock ({wall:%Y-%m-%d %H:%M}) and of elapsed time ({elapsed:%Y-%m-%d %H:%M}) is used."
    )


def breach_deadline(request: Request, *, basis: str, label: str) -> Deadline:
    """72 hours from awareness, in hours, never moved (GDPR / UK GDPR Art. 33(1); §4)."""
    moment = request.received_at
    notes = ["Pauses do not stop the Art. 33 clock."] if request.pauses or request.open_pause else []
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)  # naive local time, as given
        notes.append("No time of awareness was given: counted from the start of that day (conservative).")
    due, clock_change = plus_hours(moment, BREACH_HOURS)
    return conclude(
        request,
        Finding(
            subject=f"The {label} notice of a personal data breach to the supervisory authority, "
            f"the controller having become aware of it on {request.received_text},",
            reckoning="72 hours from awareness, weekends and holidays included",
            basis=basis,
            period="72 hours",
            clock_start=moment,
            nominal=due,
            due=due,
            interpretations=(BREACH_NOTE, clock_change),
            notes=tuple(notes),
        ),
    )


def breach_notice(request: Request) -> Deadline:
    return breach_deadline(request, basis=BASIS["breach_notice"], label="GDPR Art. 33")


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
