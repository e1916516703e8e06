"""Brazil (LGPD), Canada (PIPEDA) and Switzerland (FADP): day periods with the day of receipt
excluded. None of them has a stop-the-clock in the sources, so pauses are ignored (conservative).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tickets.deadlines.arithmetic import WEEKDAY_NAMES
from tickets.deadlines.calendars import DayOff
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.gdpr import EXTENSION_GIVEN
from tickets.deadlines.messages import Message, gettext_noop, ngettext_lazy, say
from tickets.deadlines.results import Deadline

NO_PAUSE = {
    "lgpd": gettext_noop("The LGPD has no stop-the-clock in the sources: pauses are ignored (conservative)."),
    "pipeda": gettext_noop("PIPEDA has no stop-the-clock in the sources: pauses are ignored (conservative)."),
    "fadp": gettext_noop("The FADP has no stop-the-clock in the sources: pauses are ignored (conservative)."),
}
# research/deadlines.md §7 (LGPD weekends) and §13 (FADP, not moved).
LGPD_WEEKEND_NOTE = gettext_noop(
    "LGPD: Civil Code Art. 132 §1 moves a last day that is a holiday to the next business day; "
    "commentary extends this to weekends, and the desk follows it, which gives a later date than "
    "moving off holidays only."
)
FADP_NO_MOVE_NOTE = gettext_noop(
    "FADP: %(day)s is not a working day. Code of Obligations Art. 78 and the 1963 act on Saturdays "
    "may move it to the next working day (own knowledge, unverified); the desk does not move it "
    "(conservative)."
)
DAYS_AFTER_RECEIPT = ngettext_lazy(
    "%(days)d day after receipt ends on %(end)s.", "%(days)d days after receipt end on %(end)s.", "days"
)
LGPD_SUBJECT = gettext_noop(
    "The LGPD complete declaration (Art. 19(II)) for a request received on %(received)s is due by "
    "the end of %(due)s."
)
LGPD_BASIS = (say(gettext_noop("LGPD Art. 19(II)")), say(gettext_noop("Civil Code Art. 132")))
LGPD_SMALL_AGENT = say(
    gettext_noop("Resolução CD/ANPD nº 2/2022 (double time for small processing agents)")
)
LGPD_REQUESTER = ngettext_lazy(
    "Brazil's General Data Protection Law (LGPD) gives us %(days)d day from the day we received "
    "your request, %(received)s, to give you a complete answer.",
    "Brazil's General Data Protection Law (LGPD) gives us %(days)d days from the day we received "
    "your request, %(received)s, to give you a complete answer.",
    "days",
)
INTERPRETATION_ACT = say(gettext_noop("Interpretation Act ss.26, 27, 35"))
PIPEDA_SUBJECTS = {
    "respond": gettext_noop(
        "The PIPEDA response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "refusal": gettext_noop(
        "The PIPEDA written refusal, with reasons and recourse, for a request received on "
        "%(received)s is due by the end of %(due)s."
    ),
    "extension_notice": gettext_noop(
        "The last day to send a PIPEDA notice of extension for a request received on %(received)s "
        "is due by the end of %(due)s."
    ),
    "extended": gettext_noop(
        "The extended PIPEDA response to a request received on %(received)s is due by the end of %(due)s."
    ),
}
PIPEDA_REQUESTER = gettext_noop(
    "Canada's Personal Information Protection and Electronic Documents Act (PIPEDA) gives us 30 "
    "days from the day we received your request, %(received)s."
)
PIPEDA_REQUESTER_EXTENDED = gettext_noop(
    "Canada's Personal Information Protection and Electronic Documents Act (PIPEDA) gives us 30 "
    "days from the day we received your request, %(received)s, and lets us take up to 30 more days "
    "when necessary; we have told you why, and that you may complain to the Privacy Commissioner "
    "of Canada."
)
PIPEDA_DEEMED_REFUSAL = gettext_noop("No response in time is a deemed refusal (s.8(5)).")
PIPEDA_NOTICE_CONTENT = gettext_noop(
    "The notice gives the new time limit, the reasons and the right to complain to the "
    "Commissioner (s.8(4))."
)
PIPEDA_ASSUMED = gettext_noop("Assumes the notice of extension is sent by %(notice_due)s.")
PIPEDA_EXTENDED_RECKONING = gettext_noop(
    "The 30-day limit (%(first_limit)s) plus at most 30 more days ends on %(end)s."
)
PIPEDA_FORMAT = gettext_noop("An extension to convert to an alternative format (s.8(4)(b)) has no fixed cap.")
FADP_SUBJECTS = {
    "respond": gettext_noop(
        "The FADP access response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "refusal": gettext_noop(
        "The FADP notice of refusal, restriction or deferral for a request received on %(received)s "
        "is due by the end of %(due)s."
    ),
}
FADP_BASIS = {
    "respond": (say(gettext_noop("FADP Art. 25(7)")), say(gettext_noop("DPO Art. 18(1)"))),
    "refusal": (say(gettext_noop("FADP Art. 26")), say(gettext_noop("DPO Art. 18"))),
}
FADP_RECKONING = gettext_noop(
    "30 days after receipt end on %(end)s; the date is not moved off weekends or holidays."
)
FADP_LATE_INFORMATION = gettext_noop(
    "If the information cannot be given in time, tell the person within the same period when they "
    "will have it (DPO Art. 18)."
)
FADP_REQUESTER = gettext_noop(
    "The Swiss Federal Act on Data Protection (FADP) gives us 30 days from the day we received your "
    "request, %(received)s."
)


def _pause_notes(request: Request, regime: str) -> tuple[Message, ...]:
    return (say(NO_PAUSE[regime]),) if request.pauses or request.open_pause else ()


def _days(
    request: Request,
    days: int,
    *,
    basis: tuple[Message, ...],
    subject: str,
    notes: tuple[Message, ...] = (),
    requester: Message,
) -> Finding:
    nominal = request.received + timedelta(days=days)
    due, moved = request.calendar.roll_forward(nominal)
    return Finding(
        subject=say(subject),
        reckoning=(say(DAYS_AFTER_RECEIPT, days=days, end=nominal),),
        basis=basis,
        period=f"{days} days",
        nominal=nominal,
        due=due,
        moved=moved,
        notes=(*notes, *_pause_notes(request, request.regime)),
        requester=requester,
    )


def lgpd_respond(request: Request) -> Deadline:
    # LGPD Art. 19(II): 15 days from the request, start day excluded (Civil Code Art. 132);
    # small processing agents get double time (Resolução CD/ANPD nº 2/2022, research §7).
    days = 30 if request.small_agent else 15
    basis = (*LGPD_BASIS, LGPD_SMALL_AGENT) if request.small_agent else LGPD_BASIS
    finding = _days(
        request, days, basis=basis, subject=LGPD_SUBJECT, requester=say(LGPD_REQUESTER, days=days)
    )
    if any(off.name in WEEKDAY_NAMES for off in finding.moved):
        finding = replace(finding, interpretations=(say(LGPD_WEEKEND_NOTE),))
    return conclude(request, finding)


def _pipeda(request: Request, basis: Message, notes: tuple[Message, ...] = ()) -> Deadline:
    # PIPEDA s.8(3): not later than 30 days after receipt; Interpretation Act s.27 excludes the
    # day of receipt and s.26 moves a holiday last day (s.35: Sundays and listed days) forward.
    return conclude(
        request,
        _days(
            request,
            30,
            basis=(basis, INTERPRETATION_ACT),
            subject=PIPEDA_SUBJECTS[request.event],
            notes=notes,
            requester=say(PIPEDA_REQUESTER),
        ),
    )


def pipeda_respond(request: Request) -> Deadline:
    return _pipeda(request, say(gettext_noop("PIPEDA s.8(3)")), (say(PIPEDA_DEEMED_REFUSAL),))


def pipeda_refusal(request: Request) -> Deadline:
    return _pipeda(request, say(gettext_noop("PIPEDA s.8(3), (7)")))


def pipeda_extension_notice(request: Request) -> Deadline:
    return _pipeda(request, say(gettext_noop("PIPEDA s.8(4)")), (say(PIPEDA_NOTICE_CONTENT),))


def pipeda_extended(request: Request) -> Deadline:
    # PIPEDA s.8(4)(a): extend the time limit "for a maximum of thirty days", from the nominal
    # first time limit (s.26 only lets the act be done on the next day; the limit is unchanged).
    first_limit = request.received + timedelta(days=30)
    nominal = first_limit + timedelta(days=30)
    due, moved = request.calendar.roll_forward(nominal)
    notice = pipeda_extension_notice(request)
    extension = (
        say(EXTENSION_GIVEN, notified=request.extension.notified, reason=request.extension.reason)
        if request.extension
        else say(PIPEDA_ASSUMED, notice_due=notice.due)
    )
    return conclude(
        request,
        Finding(
            subject=say(PIPEDA_SUBJECTS["extended"]),
            reckoning=(say(PIPEDA_EXTENDED_RECKONING, first_limit=first_limit, end=nominal),),
            basis=(say(gettext_noop("PIPEDA s.8(4)(a)")), INTERPRETATION_ACT),
            period="60 days",
            nominal=nominal,
            due=due,
            moved=moved,
            notes=(extension, say(PIPEDA_FORMAT), *_pause_notes(request, "pipeda")),
            requester=say(PIPEDA_REQUESTER_EXTENDED),
        ),
    )


def _fadp(request: Request) -> Deadline:
    # FADP Art. 25(7) and DPO Art. 18(1): within 30 days of receipt; not moved (research §13).
    due = request.received + timedelta(days=30)
    closed = request.calendar.closed_reason(due)
    choices = (say(FADP_NO_MOVE_NOTE, day=request.calendar.closed(DayOff(due, closed))),) if closed else ()
    return conclude(
        request,
        Finding(
            subject=say(FADP_SUBJECTS[request.event]),
            reckoning=(say(FADP_RECKONING, end=due),),
            basis=FADP_BASIS[request.event],
            period="30 days",
            nominal=due,
            due=due,
            interpretations=choices,
            notes=(say(FADP_LATE_INFORMATION), *_pause_notes(request, "fadp")),
            requester=say(FADP_REQUESTER),
        ),
    )


def fadp_respond(request: Request) -> Deadline:
    return _fadp(request)


def fadp_refusal(request: Request) -> Deadline:
    return _fadp(request)


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
