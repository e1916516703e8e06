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

from tickets.deadlines.arithmetic import add_months
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.gdpr import breach_deadline, extension_note, pause_sentences
from tickets.deadlines.inputs import PAUSE_LABELS
from tickets.deadlines.messages import Message, gettext_noop, say
from tickets.deadlines.results import Deadline

UK_STOPS = ("identity", "clarification", "fee")
RESTART_KINDS = ("identity", "fee")
COMPLAINTS_IN_FORCE = date(2026, 6, 19)  # s.164A, SI 2026/82 reg 3 (research §3.1)
COMPLAINT_ACK_DAYS = 30

# research/deadlines.md §3.3 (clarification) and §3.5 (complaints).
CLARIFICATION_NOTE = gettext_noop(
    "UK clarification pause: Art. 12A says the days from the request for clarification through "
    "its answer, both included, do not count; turning those days into a date by adding them to "
    "the one-month date is the natural reading but is not spelt out."
)
COMPLAINT_NOTE = gettext_noop(
    "DPA 2018 s.164A(3) '30 days beginning when the complaint is received': the ICO counts from "
    "the day after receipt and moves a closed last day to the next working day (used); counting "
    "the day of receipt as day 1 would end one day earlier."
)

ICO_MONTH = say(gettext_noop("ICO right of access guidance (calculating a month)"))
BASIS = {
    "respond": (say(gettext_noop("UK GDPR Art. 12(3), Art. 12A")), ICO_MONTH),
    "refusal": (say(gettext_noop("UK GDPR Art. 12(4), Art. 12A")), ICO_MONTH),
    "extension_notice": (
        say(gettext_noop("UK GDPR Art. 12A (notice within one month of the relevant time)")),
        say(gettext_noop("DPA 2018 s.54(3B) (by analogy)")),
    ),
    "extended": (
        say(gettext_noop("UK GDPR Art. 12A (two further months)")),
        say(gettext_noop("ICO right of access guidance (three months from the start date)")),
    ),
    "complaint_ack": (
        say(gettext_noop("DPA 2018 s.164A(3)")),
        say(gettext_noop("ICO complaints guidance (30 days from the day after receipt)")),
    ),
    "breach_notice": (say(gettext_noop("UK GDPR Art. 33(1) (periods in hours are not moved)")),),
}
SUBJECTS = {
    "respond": gettext_noop(
        "The UK GDPR response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "refusal": gettext_noop(
        "The UK GDPR notice of refusal (with the right to complain) for a request received on "
        "%(received)s is due by the end of %(due)s."
    ),
    "extension_notice": gettext_noop(
        "The last day to notify an extension, with reasons, of a UK GDPR request received on "
        "%(received)s is due by the end of %(due)s."
    ),
    "extended": gettext_noop(
        "The extended UK GDPR response to a request received on %(received)s is due by the end of "
        "%(due)s."
    ),
}
# (months, from receipt) -> how the period was counted.
RECKONINGS = {
    (1, True): gettext_noop("One month from receipt ends on %(end)s."),
    (1, False): gettext_noop("One month from the relevant time, %(start)s, ends on %(end)s."),
    (3, True): gettext_noop("Three months from receipt end on %(end)s."),
    (3, False): gettext_noop("Three months from the relevant time, %(start)s, end on %(end)s."),
}
RUNS_FROM = {
    "identity information": gettext_noop(
        "The period runs from %(day)s, when the identity information was received (Art. 12A)."
    ),
    "fee": gettext_noop("The period runs from %(day)s, when the fee was received (Art. 12A)."),
}
RESTARTS_FROM = {
    "identity": gettext_noop(
        "The period restarts from %(day)s, when the proof of identity was received (Art. 12A)."
    ),
    "fee": gettext_noop("The period restarts from %(day)s, when the fee was received (Art. 12A)."),
}
LATE_REQUEST = gettext_noop(
    "The request of %(start)s (%(kind)s) came after the period had ended; not counted."
)
ACCESS_ONLY = gettext_noop(
    "The clarification stop-the-clock applies to Art. 15 (access) requests only; not counted."
)
LATE_CLARIFICATION = gettext_noop(
    "The clarification asked on %(start)s came after the period had ended; not counted."
)
CLARIFICATION_DAYS = gettext_noop("Clarification %(start)s to %(end)s: those days do not count (Art. 12A).")
NOTICE_LAST_DAY = gettext_noop(
    "After this date the extension is no longer available (DPA 2018 s.54(3B), by analogy)."
)
COMPLAINT_SUBJECT = gettext_noop(
    "The acknowledgement of a complaint received on %(received)s is due by the end of %(due)s."
)
COMPLAINT_RECKONING = gettext_noop("30 days from the day after receipt end on %(end)s.")
COMPLAINT_NO_PAUSE = gettext_noop("s.164A has no stop-the-clock: pauses do not move this date.")
COMPLAINT_NOT_IN_FORCE = gettext_noop(
    "s.164A is in force for complaints from 19 June 2026; before then this is good practice."
)
# Told to the requester (the status page).
REQUESTER_MONTH = gettext_noop(
    "UK data protection law (the UK GDPR) gives us one month from the day we received your "
    "request, %(received)s."
)
REQUESTER_MONTH_RELEVANT = gettext_noop(
    "UK data protection law (the UK GDPR) gives us one month from %(start)s, when we received "
    "what we needed from you to handle your request."
)
REQUESTER_EXTENDED = gettext_noop(
    "UK data protection law (the UK GDPR) gives us one month from the day we received your "
    "request, %(received)s, and lets us take up to three months when a request is complex or you "
    "have sent us several; we have told you why we needed them."
)
REQUESTER_EXTENDED_RELEVANT = gettext_noop(
    "UK data protection law (the UK GDPR) lets us take up to three months from %(start)s, when we "
    "received what we needed from you, when a request is complex or you have sent us several; we "
    "have told you why we needed them."
)
REQUESTER_COMPLAINT = gettext_noop(
    "UK data protection law (the Data Protection Act 2018) says we must acknowledge your complaint "
    "within 30 days of receiving it on %(received)s."
)


@dataclass(frozen=True)
class Clock:
    relevant: date  # the relevant time: where the period runs from
    excluded: int  # clarification days that do not count
    notes: tuple[Message, ...]
    interpretations: tuple[Message, ...]


def _relevant_time(request: Request) -> tuple[date, list[Message]]:
    relevant = request.received
    notes: list[Message] = []
    for label, day in (
        ("identity information", request.identity_received),
        ("fee", request.fee_paid),
    ):
        if day is not None and day > relevant:
            relevant = day
            notes.append(say(RUNS_FROM[label], day=day))
    for span in request.pauses:
        if span.kind not in RESTART_KINDS:
            continue
        if span.start > add_months(relevant, 1):
            notes.append(say(LATE_REQUEST, start=span.start, kind=PAUSE_LABELS[span.kind]))
        elif span.end > relevant:
            relevant = span.end
            notes.append(say(RESTARTS_FROM[span.kind], day=span.end))
    return relevant, notes


def _excluded_days(request: Request, relevant: date, notes: list[Message]) -> set[date]:
    month_end = add_months(relevant, 1)
    excluded: set[date] = set()
    for span in request.pauses:
        if span.kind != "clarification":
            continue
        if request.kind not in (None, "access"):
            notes.append(say(ACCESS_ONLY))
        elif span.start > month_end + timedelta(days=len(excluded)):
            notes.append(say(LATE_CLARIFICATION, start=span.start))
        else:
            first = max(span.start, relevant)
            excluded.update(first + timedelta(days=n) for n in range((span.end - first).days + 1))
            notes.append(say(CLARIFICATION_DAYS, start=span.start, end=span.end))
    return excluded


def uk_clock(request: Request) -> Clock:
    relevant, notes = _relevant_time(request)
    excluded = _excluded_days(request, relevant, notes)
    return Clock(relevant, len(excluded), tuple(notes), (say(CLARIFICATION_NOTE),) if excluded else ())


def _months(request: Request, months: int, extra: tuple[Message, ...] = ()) -> Deadline:
    clock = uk_clock(request)
    period_end = add_months(clock.relevant, months)
    nominal = period_end + timedelta(days=clock.excluded)
    due, moved = request.calendar.roll_forward(nominal)
    from_receipt = clock.relevant == request.received
    if months == 1:
        requester = REQUESTER_MONTH if from_receipt else REQUESTER_MONTH_RELEVANT
    else:
        requester = REQUESTER_EXTENDED if from_receipt else REQUESTER_EXTENDED_RELEVANT
    return conclude(
        request,
        Finding(
            subject=say(SUBJECTS[request.event]),
            reckoning=(
                say(RECKONINGS[months, from_receipt], start=clock.relevant, end=period_end),
                *pause_sentences(clock.excluded, nominal),
            ),
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
            requester=say(requester, start=clock.relevant),
        ),
    )


def respond(request: Request) -> Deadline:
    return _months(request, 1)


def refusal(request: Request) -> Deadline:
    return _months(request, 1)


def extension_notice(request: Request) -> Deadline:
    return _months(request, 1, (say(NOTICE_LAST_DAY),))


def extended(request: Request) -> Deadline:
    # ICO: "calculate the extension as three months from the original start date".
    return _months(request, 3, (extension_note(request, respond(request).due),))


def complaint_ack(request: Request) -> Deadline:
    # DPA 2018 s.164A(3): acknowledge within 30 days; ICO: from the day after receipt.
    nominal = request.received + timedelta(days=COMPLAINT_ACK_DAYS)
    due, moved = request.calendar.roll_forward(nominal)
    notes = [say(COMPLAINT_NO_PAUSE)] if request.pauses else []
    if request.received < COMPLAINTS_IN_FORCE:
        notes.append(say(COMPLAINT_NOT_IN_FORCE))
    return conclude(
        request,
        Finding(
            subject=say(COMPLAINT_SUBJECT),
            reckoning=(say(COMPLAINT_RECKONING, end=nominal),),
            basis=BASIS["complaint_ack"],
            period="30 days",
            nominal=nominal,
            due=due,
            moved=moved,
            interpretations=(say(COMPLAINT_NOTE),),
            notes=tuple(notes),
            requester=say(REQUESTER_COMPLAINT),
        ),
    )


def breach_notice(request: Request) -> Deadline:
    return breach_deadline(request, basis=BASIS["breach_notice"])


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
