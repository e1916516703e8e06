"""Brazil (LGPD), Canada (PIPEDA) and Switzerland (FADP): day periods with the day of receipt
excluded. None of them has a stop-the-clock in the sources, so pauses are ignored (conservative).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tickets.deadlines.arithmetic import WEEKDAY_NAMES, long_date
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.results import Deadline

NO_PAUSE = "{law} has no stop-the-clock in the sources: pauses are ignored (conservative)."
LGPD_WEEKEND_NOTE = (
    "LGPD: Civil Code Art. 132 §1 moves a last day that is a holiday to the next business day; "
    "commentary extends this to weekends, and the desk follows it (research/deadlines.md §7), "
    "which gives a later date than moving off holidays only."
)
FADP_NO_MOVE_NOTE = (
    "FADP: {day} is closed in {calendar}. Code of Obligations Art. 78 and the 1963 act on "
    "Saturdays may move it to the next working day (own knowledge, unverified); the desk does not "
    "move it (research/deadlines.md §13, conservative)."
)


def _pause_notes(request: Request, law: str) -> tuple[str, ...]:
    return (NO_PAUSE.format(law=law),) if request.pauses or request.open_pause else ()


def _days(
    request: Request,
    days: int,
    *,
    basis: str,
    subject: str,
    notes: tuple[str, ...] = (),
    law: str,
) -> Finding:
    nominal = request.received + timedelta(days=days)
    due, moved = request.calendar.roll_forward(nominal)
    return Finding(
        subject=f"{subject} received on {request.received_text}",
        reckoning=f"{days} days after receipt end on {long_date(nominal)}",
        basis=basis,
        period=f"{days} days",
        nominal=nominal,
        due=due,
        moved=moved,
        notes=(*notes, *_pause_notes(request, law)),
    )


def lgpd_respond(request: Request) -> Deadline:
    # LGPD Art. 19(II): 15 days from the request, start day excluded (Civil Code Art. 132);
    # small processing agents get double time (Resolução CD/ANPD nº 2/2022, research §7).
    days = 30 if request.small_agent else 15
    basis = "LGPD Art. 19(II); Civil Code Art. 132"
    if request.small_agent:
        basis += "; Resolução CD/ANPD nº 2/2022 (double time for small processing agents)"
    finding = _days(
        request,
        days,
        basis=basis,
        law="The LGPD",
        subject="The LGPD complete declaration (Art. 19(II)) for a request",
    )
    if any(off.name in WEEKDAY_NAMES for off in finding.moved):
        finding = replace(finding, interpretations=(LGPD_WEEKEND_NOTE,))
    return conclude(request, finding)


def _pipeda(request: Request, subject: str, basis: str, notes: tuple[str, ...] = ()) -> Deadline:
    # PIPEDA s.8(3): not later than 30 days after receipt; Interpretation Act s.27 excludes the
    # day of receipt and s.26 moves a holiday last day (s.35: Sundays and listed days) forward.
    return conclude(request, _days(request, 30, basis=basis, subject=subject, notes=notes, law="PIPEDA"))


def pipeda_respond(request: Request) -> Deadline:
    return _pipeda(
        request,
        "The PIPEDA response to a request",
        "PIPEDA s.8(3); Interpretation Act ss.26, 27, 35",
        ("No response in time is a deemed refusal (s.8(5)).",),
    )


def pipeda_refusal(request: Request) -> Deadline:
    return _pipeda(
        request,
        "The PIPEDA written refusal, with reasons and recourse, for a request",
        "PIPEDA s.8(3), (7); Interpretation Act ss.26, 27, 35",
    )


def pipeda_extension_notice(request: Request) -> Deadline:
    return _pipeda(
        request,
        "The last day to send a PIPEDA notice of extension for a request",
        "PIPEDA s.8(4); Interpretation Act ss.26, 27, 35",
        (
            "The notice gives the new time limit, the reasons and the right to complain "
            "to the Commissioner (s.8(4)).",
        ),
    )


def pipeda_extended(request: Request) -> Deadline:
    # PIPEDA s.8(4)(a): extend the time limit "for a maximum of thirty days", from the nominal
    # first time limit (s.26 only lets the act be done on the next day; the limit is unchanged).
    first_limit = request.received + timedelta(days=30)
    nominal = first_limit + timedelta(days=30)
    due, moved = request.calendar.roll_forward(nominal)
    notice = pipeda_extension_notice(request)
    extension = (
        f"Extension notified on {request.extension.notified}: {request.extension.reason}"
        if request.extension
        else f"Assumes the notice of extension is sent by {notice.due}."
    )
    return conclude(
        request,
        Finding(
            subject=f"The extended PIPEDA response to a request received on {request.received_text}",
            reckoning=f"the 30-day limit ({first_limit}) plus at most 30 more days ends on "
            f"{long_date(nominal)}",
            basis="PIPEDA s.8(4)(a); Interpretation Act ss.26, 27, 35",
            period="60 days",
            nominal=nominal,
            due=due,
            moved=moved,
            notes=(
                extension,
                "An extension to convert to an alternative format (s.8(4)(b)) has no fixed cap.",
                *_pause_notes(request, "PIPEDA"),
            ),
        ),
    )


def _fadp(request: Request, subject: str, basis: str) -> Deadline:
    # FADP Art. 25(7) and DPO Art. 18(1): within 30 days of receipt; not moved (research §13).
    due = request.received + timedelta(days=30)
    closed = request.calendar.closed_reason(due)
    choices = (
        (FADP_NO_MOVE_NOTE.format(day=f"{long_date(due)} ({closed})", calendar=request.calendar.code),)
        if closed
        else ()
    )
    return conclude(
        request,
        Finding(
            subject=f"{subject} received on {request.received_text}",
            reckoning="30 days after receipt, not moved off weekends or holidays",
            basis=basis,
            period="30 days",
            nominal=due,
            due=due,
            interpretations=choices,
            notes=(
                "If the information cannot be given in time, tell the person within the same "
                "period when they will have it (DPO Art. 18).",
                *_pause_notes(request, "The FADP"),
            ),
        ),
    )


def fadp_respond(request: Request) -> Deadline:
    return _fadp(request, "The FADP access response to a request", "FADP Art. 25(7); DPO Art. 18(1)")


def fadp_refusal(request: Request) -> Deadline:
    return _fadp(
        request,
        "The FADP notice of refusal, restriction or deferral for a request",
        "FADP Art. 26; DPO Art. 18",
    )


LGPD = RegimeSpec(name="lgpd", events={"respond": lgpd_respond}, extendable=False)
PIPEDA = RegimeSpec(
    name="pipeda",
    events={
        "respond": pipeda_respond,
        "refusal": pipeda_refusal,
        "extension_notice": pipeda_extension_notice,
        "extended": pipeda_extended,
    },
    extendable=True,
)
FADP = RegimeSpec(name="fadp", events={"respond": fadp_respond, "refusal": fadp_refusal}, extendable=False)
