"""California (CCPA/CPRA and its regulations) and the other US state privacy laws.

research/deadlines.md §5 and §6. Calendar-day periods are never moved off weekends or holidays
(no statute provides for it: conservative). Business-day periods count the days strictly after
receipt that are Monday to Friday and not US federal holidays (observed days included). No pause
stops these clocks: §7021(b) runs the 45 days "regardless of time required to verify".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tickets.deadlines.calendars import DayOff
from tickets.deadlines.context import COUNTED_IN_BUSINESS_DAYS, Finding, RegimeSpec, Request, Rule, conclude
from tickets.deadlines.gdpr import extension_note
from tickets.deadlines.messages import Message, Plural, gettext_noop, ngettext_lazy, say
from tickets.deadlines.results import Deadline

# research/deadlines.md §5.4 (the CCPA's day count and business days) and §6 (no move).
CCPA_DAY_ONE_NOTE = gettext_noop(
    "CCPA day count: 11 CCR §7021(b) says the period 'will begin on the day that the business "
    "receives the request', so the day of receipt is day 1 (used, conservative); reading 'after "
    "receipt' with Gov. Code §6800 (first day excluded, a holiday last day excluded) gives a later "
    "date. Not moved off weekends: the regulations say nothing."
)
BUSINESS_DAY_NOTE = gettext_noop(
    "CCPA business days: not defined in 11 CCR §7001; counted strictly after the day of receipt, "
    "Monday to Friday less US federal holidays (observed days included), the smaller, conservative "
    "set; a calendar of California would also skip the state's own holidays."
)
NO_MOVE_NOTE = gettext_noop(
    "%(day)s is not a working day, but the statute provides no move off weekends or holidays, so "
    "the date stands (conservative)."
)
CCPA_NO_PAUSE = gettext_noop(
    "The CCPA clock does not stop for verification or questions (11 CCR §7021(b)); pauses are ignored."
)
STATE_NO_PAUSE = gettext_noop("%(law)s has no stop-the-clock: pauses are ignored.")
CALENDAR_DAYS = ngettext_lazy(
    "%(days)d calendar day after receipt ends on %(end)s; the date is not moved off weekends or holidays.",
    "%(days)d calendar days after receipt end on %(end)s; the date is not moved off weekends or holidays.",
    "days",
)
DAY_COUNTING_RECEIPT = gettext_noop(
    "Day %(day)d, counting the day of receipt as day 1, is %(end)s; the date is not moved off "
    "weekends or holidays."
)
SKIPPED = ngettext_lazy(
    "The holiday skipped on the way: %(days)s.", "The holidays skipped on the way: %(days)s.", "count"
)
CCPA_NOTICE_NOTE = gettext_noop(
    "The notice must reach the consumer within the first 45-day period (§1798.130(a)(2)(A))."
)
CCPA_45_BASIS = (
    say(gettext_noop("Cal. Civ. Code §1798.130(a)(2)(A)")),
    say(gettext_noop("11 CCR §7021(b)")),
)
CCPA_SUBJECTS = {
    "acknowledge": gettext_noop(
        "The CCPA confirmation of receipt of a request received on %(received)s is due by the end "
        "of %(due)s."
    ),
    "respond": gettext_noop(
        "The CCPA response to a request to know, delete or correct received on %(received)s is "
        "due by the end of %(due)s."
    ),
    "extension_notice": gettext_noop(
        "The last day to notify an extension, with an explanation, of a CCPA request received on "
        "%(received)s is due by the end of %(due)s."
    ),
    "extended": gettext_noop(
        "The extended CCPA response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "opt_out": gettext_noop(
        "Compliance with a CCPA request to opt out of sale or sharing received on %(received)s is "
        "due by the end of %(due)s."
    ),
    "limit_spi": gettext_noop(
        "Compliance with a CCPA request to limit the use of sensitive personal information received "
        "on %(received)s is due by the end of %(due)s."
    ),
}
CCPA_REQUESTER = {
    "acknowledge": gettext_noop(
        "The California Consumer Privacy Act asks us to confirm within 10 business days that we "
        "received your request of %(received)s."
    ),
    "respond": gettext_noop(
        "The California Consumer Privacy Act gives us 45 calendar days, counting the day we "
        "received your request, %(received)s, as the first."
    ),
    "extended": gettext_noop(
        "The California Consumer Privacy Act gives us 45 calendar days from the day we received "
        "your request, %(received)s, and lets us take up to 90 days in all when necessary; we have "
        "told you why."
    ),
    "opt_out": gettext_noop(
        "The California Consumer Privacy Act gives us 15 business days from the day we received "
        "your request, %(received)s, to stop selling or sharing your personal information."
    ),
    "limit_spi": gettext_noop(
        "The California Consumer Privacy Act gives us 15 business days from the day we received "
        "your request, %(received)s, to limit the use of your sensitive personal information."
    ),
}
STATE_SUBJECTS = {
    "respond": gettext_noop(
        "The %(law)s response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "refusal": gettext_noop(
        "The %(law)s notice of refusal (with how to appeal) for a request received on %(received)s "
        "is due by the end of %(due)s."
    ),
    "extension_notice": gettext_noop(
        "The last day to notify an extension, with the reason, of a request under the %(law)s "
        "received on %(received)s is due by the end of %(due)s."
    ),
    "extended": gettext_noop(
        "The extended %(law)s response to a request received on %(received)s is due by the end of %(due)s."
    ),
    "appeal": gettext_noop(
        "The %(law)s decision on an appeal received on %(received)s is due by the end of %(due)s."
    ),
}
STATE_REQUESTER: dict[str, str | Plural] = {
    "respond": gettext_noop(
        "The %(name)s gives us 45 days from the day we received your request, %(received)s."
    ),
    "extended": gettext_noop(
        "The %(name)s gives us 45 days from the day we received your request, %(received)s, and "
        "lets us take 45 more days when necessary; we have told you why."
    ),
    "appeal": ngettext_lazy(
        "The %(name)s gives us %(days)d day from the day we received your appeal, %(received)s, "
        "to decide on it.",
        "The %(name)s gives us %(days)d days from the day we received your appeal, %(received)s, "
        "to decide on it.",
        "days",
    ),
}


def _calendar_days(
    request: Request,
    *,
    days: int,
    basis: tuple[Message, ...],
    subject: Message,
    extra: tuple[Message, ...] = (),
    interpretations: tuple[Message, ...] = (),
    pause_note: Message,
    day_one: bool = False,
    period: str = "",
    requester: Message | None = None,
) -> Deadline:
    """`days` calendar days after receipt, never moved; flagged where it lands on a closed day.

    `day_one`: the period counts the day of receipt as day 1 (so `days` is one less than the
    period's length, and the reckoning says "day N").
    """
    due = request.received + timedelta(days=days)
    closed = request.calendar.closed_reason(due)
    notes = [*extra]
    choices = list(interpretations)
    if closed is not None:
        choices.append(say(NO_MOVE_NOTE, day=request.calendar.closed(DayOff(due, closed))))
    if request.pauses or request.open_pause:
        notes.append(pause_note)
    if day_one:
        reckoning = say(DAY_COUNTING_RECEIPT, day=days + 1, end=due)
    else:
        reckoning = say(CALENDAR_DAYS, days=days, end=due)
    return conclude(
        request,
        Finding(
            subject=subject,
            reckoning=(reckoning,),
            basis=basis,
            period=period or f"{days} calendar days",
            nominal=due,
            due=due,
            interpretations=tuple(choices),
            notes=tuple(notes),
            requester=requester,
        ),
    )


def _business_days(request: Request, *, count: int, basis: tuple[Message, ...]) -> Deadline:
    due, skipped = request.calendar.add_working_days(request.received, count)
    reckoning = [say(COUNTED_IN_BUSINESS_DAYS, count=count)]
    if skipped:
        days = tuple(request.calendar.closed(off) for off in skipped)
        reckoning.append(say(SKIPPED, days=days, count=len(days)))
    return conclude(
        request,
        Finding(
            subject=say(CCPA_SUBJECTS[request.event]),
            reckoning=tuple(reckoning),
            basis=basis,
            period=f"{count} business days",
            nominal=due,
            due=due,
            skipped=skipped,
            interpretations=(say(BUSINESS_DAY_NOTE),),
            notes=(say(CCPA_NO_PAUSE),) if request.pauses or request.open_pause else (),
            requester=say(CCPA_REQUESTER[request.event]),
        ),
    )


def ccpa_acknowledge(request: Request) -> Deadline:
    # 11 CCR §7021(a): confirm receipt no later than 10 business days after receiving.
    return _business_days(request, count=10, basis=(say(gettext_noop("11 CCR §7021(a)")),))


def _ccpa_45(request: Request, extra: tuple[Message, ...] = ()) -> Deadline:
    # 11 CCR §7021(b): 45 calendar days, the day of receipt being day 1 -> receipt + 44.
    return _calendar_days(
        request,
        days=44,
        basis=CCPA_45_BASIS,
        subject=say(CCPA_SUBJECTS[request.event]),
        extra=extra,
        interpretations=(say(CCPA_DAY_ONE_NOTE),),
        pause_note=say(CCPA_NO_PAUSE),
        day_one=True,
        period="45 calendar days",
        requester=say(CCPA_REQUESTER["respond"]),
    )


def ccpa_respond(request: Request) -> Deadline:
    return _ccpa_45(request)


def ccpa_extension_notice(request: Request) -> Deadline:
    return _ccpa_45(request, (say(CCPA_NOTICE_NOTE),))


def ccpa_extended(request: Request) -> Deadline:
    # 11 CCR §7021(b): "a maximum total of 90 calendar days from the day the request is received".
    return _calendar_days(
        request,
        days=89,
        basis=CCPA_45_BASIS,
        subject=say(CCPA_SUBJECTS["extended"]),
        extra=(extension_note(request, ccpa_respond(request).due),),
        interpretations=(say(CCPA_DAY_ONE_NOTE),),
        pause_note=say(CCPA_NO_PAUSE),
        day_one=True,
        period="90 calendar days",
        requester=say(CCPA_REQUESTER["extended"]),
    )


def ccpa_opt_out(request: Request) -> Deadline:
    # 11 CCR §7026(f): stop selling/sharing no later than 15 business days from receipt.
    return _business_days(request, count=15, basis=(say(gettext_noop("11 CCR §7026(f)")),))


def ccpa_limit_spi(request: Request) -> Deadline:
    # 11 CCR §7027(g): the same 15 business days for a request to limit sensitive PI.
    return _business_days(request, count=15, basis=(say(gettext_noop("11 CCR §7027(g)")),))


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
    """A state law of the 45 (+45) day pattern (research/deadlines.md §6).

    `law` is its short name, shown as it is; `name` its full name, a message id (the requester
    reads it); each citation is a message id too.
    """

    regime: str
    law: str
    name: str
    basis: str
    appeal_days: int | None = None
    appeal_basis: str = ""
    appeal_note: str = ""  # set where the appeal period is unverified

    def rules(self) -> dict[str, Rule]:
        rules: dict[str, Rule] = {
            "respond": lambda request: self._period(request, 45),
            "refusal": lambda request: self._period(request, 45),
            "extension_notice": lambda request: self._period(request, 45),
            "extended": self._extended,
        }
        if self.appeal_days is not None:
            rules["appeal"] = self._appeal
        return rules

    def _requester(self, text: str | Plural, **args: int) -> Message:
        return say(text, name=say(self.name), **args)

    def _period(self, request: Request, days: int, extra: tuple[Message, ...] = ()) -> Deadline:
        return _calendar_days(
            request,
            days=days,
            basis=(say(self.basis),),
            subject=say(STATE_SUBJECTS[request.event], law=self.law),
            extra=extra,
            pause_note=say(STATE_NO_PAUSE, law=self.law),
            requester=self._requester(STATE_REQUESTER["extended" if days > 45 else "respond"]),
        )

    def _extended(self, request: Request) -> Deadline:
        # "may be extended once by 45 additional days", notified within the initial 45 days.
        notice = self._period(request, 45)
        return self._period(request, 90, (extension_note(request, notice.due),))

    def _appeal(self, request: Request) -> Deadline:
        days = self.appeal_days or 0
        return _calendar_days(
            request,
            days=days,
            basis=(say(self.appeal_basis),),
            subject=say(STATE_SUBJECTS["appeal"], law=self.law),
            interpretations=(say(self.appeal_note),) if self.appeal_note else (),
            pause_note=say(STATE_NO_PAUSE, law=self.law),
            requester=self._requester(STATE_REQUESTER["appeal"], days=days),
        )


# research/deadlines.md §6: the two appeal periods known only from the researcher's own knowledge.
UNVERIFIED_COLORADO_APPEAL = gettext_noop(
    "The Colorado appeal period (45 days after receipt of the appeal, extendable by 60) is from "
    "the researcher's own knowledge, unverified; the shorter period is used."
)
UNVERIFIED_OREGON_APPEAL = gettext_noop(
    "The Oregon appeal period (45 days after receipt of the appeal, extendable by 60) is from "
    "the researcher's own knowledge, unverified; the shorter period is used."
)
STATES = (
    StateLaw(
        "us_va",
        "VCDPA",
        gettext_noop("Virginia Consumer Data Protection Act"),
        gettext_noop("Va. Code §59.1-577(B)(1)"),
        60,
        gettext_noop("Va. Code §59.1-577(C)"),
    ),
    StateLaw(
        "us_ct",
        "CTDPA",
        gettext_noop("Connecticut Data Privacy Act"),
        gettext_noop("Conn. Gen. Stat. §42-518 (PA 22-15 §4)"),
        60,
        gettext_noop("Conn. Gen. Stat. §42-518 (PA 22-15 §4(d))"),
    ),
    StateLaw(
        "us_co",
        "CPA",
        gettext_noop("Colorado Privacy Act"),
        gettext_noop("C.R.S. §6-1-1306"),
        45,
        gettext_noop("C.R.S. §6-1-1306(3)"),
        UNVERIFIED_COLORADO_APPEAL,
    ),
    StateLaw(
        "us_ut",
        "UCPA",
        gettext_noop("Utah Consumer Privacy Act"),
        gettext_noop("Utah Code §13-61-203(2)"),
    ),
    StateLaw(
        "us_or",
        "OCPA",
        gettext_noop("Oregon Consumer Privacy Act"),
        gettext_noop("Oregon Consumer Privacy Act §4(5)(a)"),
        45,
        gettext_noop("Oregon Consumer Privacy Act §4(6)"),
        UNVERIFIED_OREGON_APPEAL,
    ),
)
STATE_SPECS = {
    state.regime: RegimeSpec(name=state.regime, events=state.rules(), extendable=True) for state in STATES
}
