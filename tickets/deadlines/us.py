"""California (CCPA/CPRA and its regulations) and the other US state privacy laws.

research/deadlines.md §5 and §6. Calendar-day periods are never moved off weekends or holidays
(no statute provides for it: conservative). Business-day periods count the days strictly after
receipt that are Monday to Friday and not US federal holidays (observed days included). No pause
stops these clocks: §7021(b) runs the 45 days "regardless of time required to verify".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tickets.deadlines.arithmetic import long_date
from tickets.deadlines.context import Finding, RegimeSpec, Request, Rule, conclude
from tickets.deadlines.results import Deadline

CCPA_DAY_ONE_NOTE = (
    "CCPA day count: 11 CCR §7021(b) says the period 'will begin on the day that the business "
    "receives the request', so the day of receipt is day 1 (used, conservative); reading 'after "
    "receipt' with Gov. Code §6800 (first day excluded, a holiday last day excluded) gives a later "
    "date. Not moved off weekends: the regulations say nothing (research/deadlines.md §5.4)."
)
BUSINESS_DAY_NOTE = (
    "CCPA business days: not defined in 11 CCR §7001; counted strictly after the day of receipt, "
    "Monday to Friday less US federal holidays (observed days included), the smaller, conservative "
    "set; a US-CA calendar would also skip California state holidays (research/deadlines.md §5.4)."
)
NO_MOVE_NOTE = (
    "{day} is closed in {calendar}, but the statute provides no move off weekends or holidays, "
    "so the date stands (research/deadlines.md §6, conservative)."
)
CCPA_NO_PAUSE = (
    "The CCPA clock does not stop for verification or questions (11 CCR §7021(b)); pauses are ignored."
)
STATE_NO_PAUSE = "{law} has no stop-the-clock: pauses are ignored."


def _calendar_days(
    request: Request,
    *,
    days: int,
    basis: str,
    subject: str,
    extra: tuple[str, ...] = (),
    interpretations: tuple[str, ...] = (),
    pause_note: str,
    reckoning: str = "",
    period: str = "",
) -> Deadline:
    """`days` calendar days after receipt, never moved; flagged where it lands on a closed day."""
    due = request.received + timedelta(days=days)
    closed = request.calendar.closed_reason(due)
    notes = [*extra]
    choices = list(interpretations)
    if closed is not None:
        choices.append(
            NO_MOVE_NOTE.format(day=f"{long_date(due)} ({closed})", calendar=request.calendar.code)
        )
    if request.pauses or request.open_pause:
        notes.append(pause_note)
    return conclude(
        request,
        Finding(
            subject=f"{subject} received on {request.received_text}",
            reckoning=(reckoning or f"{days} calendar days after receipt")
            + ", not moved off weekends or holidays",
            basis=basis,
            period=period or f"{days} calendar days",
            nominal=due,
            due=due,
            interpretations=tuple(choices),
            notes=tuple(notes),
        ),
    )


def _business_days(request: Request, *, count: int, basis: str, subject: str) -> Deadline:
    due, skipped = request.calendar.add_working_days(request.received, count)
    skipped_text = ", skipping " + ", ".join(f"{off.name} ({off.day})" for off in skipped) if skipped else ""
    return conclude(
        request,
        Finding(
            subject=f"{subject} received on {request.received_text}",
            reckoning=f"the {count}th business day after receipt{skipped_text}",
            basis=basis,
            period=f"{count} business days",
            nominal=due,
            due=due,
            skipped=skipped,
            interpretations=(BUSINESS_DAY_NOTE,),
            notes=(CCPA_NO_PAUSE,) if request.pauses or request.open_pause else (),
        ),
    )


def ccpa_acknowledge(request: Request) -> Deadline:
    # 11 CCR §7021(a): confirm receipt no later than 10 business days after receiving.
    return _business_days(
        request,
        count=10,
        basis="11 CCR §7021(a)",
        subject="The CCPA confirmation of receipt of a request",
    )


def _ccpa_45(request: Request, subject: str, extra: tuple[str, ...] = ()) -> Deadline:
    # 11 CCR §7021(b): 45 calendar days, the day of receipt being day 1 -> receipt + 44.
    return _calendar_days(
        request,
        days=44,
        basis="Cal. Civ. Code §1798.130(a)(2)(A); 11 CCR §7021(b)",
        subject=subject,
        extra=extra,
        interpretations=(CCPA_DAY_ONE_NOTE,),
        pause_note=CCPA_NO_PAUSE,
        reckoning="day 45 counting the day of receipt as day 1",
        period="45 calendar days",
    )


def ccpa_respond(request: Request) -> Deadline:
    return _ccpa_45(request, "The CCPA response to a request to know, delete or correct")


def ccpa_extension_notice(request: Request) -> Deadline:
    return _ccpa_45(
        request,
        "The last day to notify an extension, with an explanation, of a CCPA request",
        ("The notice must reach the consumer within the first 45-day period (§1798.130(a)(2)(A)).",),
    )


def ccpa_extended(request: Request) -> Deadline:
    # 11 CCR §7021(b): "a maximum total of 90 calendar days from the day the request is received".
    return _calendar_days(
        request,
        days=89,
        basis="Cal. Civ. Code §1798.130(a)(2)(A); 11 CCR §7021(b)",
        subject="The extended CCPA response to a request",
        extra=(extended_note(request, ccpa_respond(request)),),
        interpretations=(CCPA_DAY_ONE_NOTE,),
        pause_note=CCPA_NO_PAUSE,
        reckoning="day 90 counting the day of receipt as day 1",
        period="90 calendar days",
    )


def ccpa_opt_out(request: Request) -> Deadline:
    # 11 CCR §7026(f): stop selling/sharing no later than 15 business days from receipt.
    return _business_days(
        request,
        count=15,
        basis="11 CCR §7026(f)",
        subject="Compliance with a CCPA request to opt out of sale or sharing",
    )


def ccpa_limit_spi(request: Request) -> Deadline:
    # 11 CCR §7027(g): the same 15 business days for a request to limit sensitive PI.
    return _business_days(
        request,
        count=15,
        basis="11 CCR §7027(g)",
        subject="Compliance with a CCPA request to limit the use of sensitive personal information",
    )


def extended_note(request: Request, notice: Deadline) -> str:
    if request.extension is not None:
        return f"Extension notified on {request.extension.notified}: {request.extension.reason}"
    return f"Assumes the extension is notified, with the reason, by {notice.due}."


CCPA = RegimeSpec(
    name="ccpa",
    events={
        "acknowledge": ccpa_acknowledge,
        "respond": ccpa_respond,
        "extension_notice": ccpa_extension_notice,
        "extended": ccpa_extended,
        "opt_out": ccpa_opt_out,
        "limit_spi": ccpa_limit_spi,
    },
    extendable=True,
)


@dataclass(frozen=True)
class StateLaw:
    """A state law of the 45 (+45) day pattern (research/deadlines.md §6)."""

    regime: str
    law: str
    basis: str
    appeal_days: int | None = None
    appeal_basis: str = ""
    appeal_note: str = ""  # set where the appeal period is unverified

    def rules(self) -> dict[str, Rule]:
        rules: dict[str, Rule] = {
            "respond": lambda request: self._period(request, 45, "The {law} response to a request"),
            "refusal": lambda request: self._period(
                request, 45, "The {law} notice of refusal (with how to appeal) for a request"
            ),
            "extension_notice": lambda request: self._period(
                request,
                45,
                "The last day to notify an extension, with the reason, of a request under the {law}",
            ),
            "extended": self._extended,
        }
        if self.appeal_days is not None:
            rules["appeal"] = self._appeal
        return rules

    def _period(self, request: Request, days: int, subject: str, extra: tuple[str, ...] = ()) -> Deadline:
        return _calendar_days(
            request,
            days=days,
            basis=self.basis,
            subject=subject.format(law=self.law),
            extra=extra,
            pause_note=STATE_NO_PAUSE.format(law=self.law),
        )

    def _extended(self, request: Request) -> Deadline:
        # "may be extended once by 45 additional days", notified within the initial 45 days.
        notice = self._period(request, 45, "The {law} response to a request")
        return self._period(
            request,
            90,
            "The extended {law} response to a request",
            (extended_note(request, notice),),
        )

    def _appeal(self, request: Request) -> Deadline:
        days = self.appeal_days or 0
        return _calendar_days(
            request,
            days=days,
            basis=self.appeal_basis,
            subject=f"The {self.law} decision on an appeal",
            interpretations=(self.appeal_note,) if self.appeal_note else (),
            pause_note=STATE_NO_PAUSE.format(law=self.law),
        )


UNVERIFIED_APPEAL = (
    "The {law} appeal period ({days} days after receipt of the appeal, extendable by 60) is from "
    "the researcher's own knowledge, unverified (research/deadlines.md §6); the shorter period "
    "is used."
)
STATES = (
    StateLaw("us_va", "VCDPA", "Va. Code §59.1-577(B)(1)", 60, "Va. Code §59.1-577(C)"),
    StateLaw(
        "us_ct",
        "CTDPA",
        "Conn. Gen. Stat. §42-518 (PA 22-15 §4)",
        60,
        "Conn. Gen. Stat. §42-518 (PA 22-15 §4(d))",
    ),
    StateLaw(
        "us_co",
        "CPA",
        "C.R.S. §6-1-1306",
        45,
        "C.R.S. §6-1-1306(3)",
        UNVERIFIED_APPEAL.format(law="Colorado", days=45),
    ),
    StateLaw("us_ut", "UCPA", "Utah Code §13-61-203(2)"),
    StateLaw(
        "us_or",
        "OCPA",
        "Oregon Consumer Privacy Act §4(5)(a)",
        45,
        "Oregon Consumer Privacy Act §4(6)",
        UNVERIFIED_APPEAL.format(law="Oregon", days=45),
    ),
)
STATE_SPECS = {
    state.regime: RegimeSpec(name=state.regime, events=state.rules(), extendable=True) for state in STATES
}
