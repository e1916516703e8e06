"""UK GDPR (as amended by the Data (Use and Access) Act 2025) and DPA 2018 s.164A.

research/deadlines.md §3. The period is one month from the "relevant time": the latest of
receipt of the request, receipt of the identity information asked for, and payment of a fee
(Art. 12A; DPA 2018 s.54(3) pattern) - a restart, not a pause. While the controller waits for
clarification, every day from the day it asks through the day it gets the answer, both
included, "does not count" (s.54(3C) pattern), for the response and for the extension notice.
The ICO moves a closed last day to the next working day of the nation's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tickets.deadlines.arithmetic import add_months, long_date
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.gdpr import breach_deadline, extension_note, pause_phrase
from tickets.deadlines.results import Deadline

UK_STOPS = ("identity", "clarification", "fee")
RESTART_KINDS = ("identity", "fee")
COMPLAINTS_IN_FORCE = date(2026, 6, 19)  # s.164A, SI 2026/82 reg 3 (research §3.1)
COMPLAINT_ACK_DAYS = 30

CLARIFICATION_NOTE = (
    "UK clarification pause: Art. 12A says the days from the request for clarification through "
    "its answer, both included, do not count; turning those days into a date by adding them to "
    "the one-month date is the natural reading but is not spelt out (research/deadlines.md §3.3)."
)
COMPLAINT_NOTE = (
    "DPA 2018 s.164A(3) '30 days beginning when the complaint is received': the ICO counts from "
    "the day after receipt and moves a closed last day to the next working day (used); counting "
    "the day of receipt as day 1 would end one day earlier (research/deadlines.md §3.5)."
)

BASIS = {
    "respond": "UK GDPR Art. 12(3), Art. 12A; ICO right of access guidance (calculating a month)",
    "refusal": "UK GDPR Art. 12(4), Art. 12A; ICO right of access guidance (calculating a month)",
    "extension_notice": "UK GDPR Art. 12A (notice within one month of the relevant time; "
    "DPA 2018 s.54(3B) pattern)",
    "extended": "UK GDPR Art. 12A (two further months); ICO: three months from the start date",
    "complaint_ack": "DPA 2018 s.164A(3); ICO complaints guidance (30 days from the day after receipt)",
    "breach_notice": "UK GDPR Art. 33(1) (periods in hours are not moved)",
}


@dataclass(frozen=True)
class Clock:
    relevant: date  # the relevant time: where the period runs from
    excluded: int  # clarification days that do not count
    notes: tuple[str, ...]
    interpretations: tuple[str, ...]


def _relevant_time(request: Request) -> tuple[date, list[str]]:
    relevant = request.received
    notes: list[str] = []
    for label, day in (
        ("identity information", request.identity_received),
        ("fee", request.fee_paid),
    ):
        if day is not None and day > relevant:
            relevant = day
            notes.append(f"The period runs from {day}, when the {label} was received (Art. 12A).")
    for span in request.pauses:
        if span.kind not in RESTART_KINDS:
            continue
        if span.start > add_months(relevant, 1):
            notes.append(
                f"The {span.kind} request of {span.start} came after the period had ended; not counted."
            )
        elif span.end > relevant:
            relevant = span.end
            notes.append(
                f"The period restarts from {span.end}, when the {span.kind} was received (Art. 12A)."
            )
    return relevant, notes


def _excluded_days(request: Request, relevant: date, notes: list[str]) -> set[date]:
    month_end = add_months(relevant, 1)
    excluded: set[date] = set()
    for span in request.pauses:
        if span.kind != "clarification":
            continue
        if request.kind not in (None, "access"):
            notes.append(
                "The clarification stop-the-clock applies to Art. 15 (access) requests only; not counted."
            )
        elif span.start > month_end + timedelta(days=len(excluded)):
            notes.append(
                f"The clarification asked on {span.start} came after the period had ended; not counted."
            )
        else:
            first = max(span.start, relevant)
            excluded.update(first + timedelta(days=n) for n in range((span.end - first).days + 1))
            notes.append(f"Clarification {span.start} to {span.end}: those days do not count (Art. 12A).")
    return excluded


def uk_clock(request: Request) -> Clock:
    relevant, notes = _relevant_time(request)
    excluded = _excluded_days(request, relevant, notes)
    return Clock(relevant, len(excluded), tuple(notes), (CLARIFICATION_NOTE,) if excluded else ())


def _months(request: Request, months: int, subject: str, extra: tuple[str, ...] = ()) -> Deadline:
    clock = uk_clock(request)
    period_end = add_months(clock.relevant, months)
    nominal = period_end + timedelta(days=clock.excluded)
    due, moved = request.calendar.roll_forward(nominal)
    start_text = "receipt" if clock.relevant == request.received else f"the relevant time ({clock.relevant})"
    return conclude(
        request,
        Finding(
            subject=f"{subject} received on {request.received_text}",
            reckoning=f"{'one month' if months == 1 else 'three months'} from {start_text} "
            f"end{'s' if months == 1 else ''} on {long_date(period_end)}"
            + pause_phrase(clock.excluded, nominal),
            basis=BASIS[request.event],
            period=f"{months} month{'s' if months != 1 else ''}",
            clock_start=clock.relevant,
            nominal=nominal,
            due=due,
            moved=moved,
            pause_days=clock.excluded,
            stops_for=UK_STOPS,
            interpretations=clock.interpretations,
            notes=clock.notes + extra,
        ),
    )


def respond(request: Request) -> Deadline:
    return _months(request, 1, "The UK GDPR response to a request")


def refusal(request: Request) -> Deadline:
    return _months(request, 1, "The UK GDPR notice of refusal (with the right to complain) for a request")


def extension_notice(request: Request) -> Deadline:
    return _months(
        request,
        1,
        "The last day to notify an extension, with reasons, of a UK GDPR request",
        ("After this date the extension is no longer available (DPA 2018 s.54(3B) pattern).",),
    )


def extended(request: Request) -> Deadline:
    # ICO: "calculate the extension as three months from the original start date".
    return _months(
        request,
        3,
        "The extended UK GDPR response to a request",
        (extension_note(request, respond(request).due),),
    )


def complaint_ack(request: Request) -> Deadline:
    # DPA 2018 s.164A(3): acknowledge within 30 days; ICO: from the day after receipt.
    nominal = request.received + timedelta(days=COMPLAINT_ACK_DAYS)
    due, moved = request.calendar.roll_forward(nominal)
    notes = ["s.164A has no stop-the-clock: pauses do not move this date."] if request.pauses else []
    if request.received < COMPLAINTS_IN_FORCE:
        notes.append(
            "s.164A is in force for complaints from 19 June 2026; before then this is good practice."
        )
    return conclude(
        request,
        Finding(
            subject=f"The acknowledgement of a complaint received on {request.received_text}",
            reckoning=f"30 days from the day after receipt end on {long_date(nominal)}",
            basis=BASIS["complaint_ack"],
            period="30 days",
            nominal=nominal,
            due=due,
            moved=moved,
            interpretations=(COMPLAINT_NOTE,),
            notes=tuple(notes),
        ),
    )


def breach_notice(request: Request) -> Deadline:
    return breach_deadline(request, basis=BASIS["breach_notice"], label="UK GDPR Art. 33")


SPEC = RegimeSpec(
    name="uk_gdpr",
    events={
        "respond": respond,
        "refusal": refusal,
        "extension_notice": extension_notice,
        "extended": extended,
        "complaint_ack": complaint_ack,
        "breach_notice": breach_notice,
    },
    extendable=True,
)
