"""The organisation's own service levels for complaints and questions (SPEC: Regimes and clocks).

Not statutory: the GDPR sets no deadline for a complaint made to the controller, and the UK
sets only the 30-day acknowledgement (research/deadlines.md §10). Business days are the
calendar's working days strictly after the day of receipt; business hours run between the
service level's opening and closing times on working days. A pause (waiting for the requester)
suspends the clock: each working day after the question, through the day of the answer, is
given back (as a business day, or as a working day's hours).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tickets.deadlines.calendars import Calendar, DayOff
from tickets.deadlines.context import COUNTED_IN_BUSINESS_DAYS, Finding, RegimeSpec, Request, conclude
from tickets.deadlines.inputs import BUSINESS_DAYS, PAUSE_KINDS, ServiceLevel
from tickets.deadlines.messages import Message, gettext_noop, ngettext_lazy, say
from tickets.deadlines.results import Deadline

# (event, counted in business days) -> the headline; a period in hours ends at a time of day.
SUBJECTS = {
    ("first_response", True): gettext_noop(
        "The first response to a ticket received on %(received)s is due by the end of %(due)s."
    ),
    ("first_response", False): gettext_noop(
        "The first response to a ticket received on %(received)s is due by %(due)s."
    ),
    ("resolution", True): gettext_noop(
        "The resolution of a ticket received on %(received)s is due by the end of %(due)s."
    ),
    ("resolution", False): gettext_noop(
        "The resolution of a ticket received on %(received)s is due by %(due)s."
    ),
}
# Not a law (research/deadlines.md §10): the basis says so in words.
BASIS = {
    ("first_response", True): ngettext_lazy(
        "The organisation's own service level, not a law: a first response within %(amount)d business day",
        "The organisation's own service level, not a law: a first response within %(amount)d business days",
        "amount",
    ),
    ("first_response", False): ngettext_lazy(
        "The organisation's own service level, not a law: a first response within %(amount)d business hour",
        "The organisation's own service level, not a law: a first response within %(amount)d business hours",
        "amount",
    ),
    ("resolution", True): ngettext_lazy(
        "The organisation's own service level, not a law: resolution within %(amount)d business day",
        "The organisation's own service level, not a law: resolution within %(amount)d business days",
        "amount",
    ),
    ("resolution", False): ngettext_lazy(
        "The organisation's own service level, not a law: resolution within %(amount)d business hour",
        "The organisation's own service level, not a law: resolution within %(amount)d business hours",
        "amount",
    ),
}
COUNTED_IN_HOURS = ngettext_lazy(
    "It is counted as %(amount)d business hour of working time (%(opening)s-%(closing)s on working "
    "days) after receipt.",
    "It is counted as %(amount)d business hours of working time (%(opening)s-%(closing)s on working "
    "days) after receipt.",
    "amount",
)
GIVEN_BACK = ngettext_lazy(
    "%(days)d working day is added while waiting for the requester.",
    "%(days)d working days are added while waiting for the requester.",
    "days",
)
REQUESTER = {
    ("first_response", True): ngettext_lazy(
        "No law sets this date: it is our own promise to give a first response within %(amount)d "
        "business day of receiving a message, and we received yours on %(received)s.",
        "No law sets this date: it is our own promise to give a first response within %(amount)d "
        "business days of receiving a message, and we received yours on %(received)s.",
        "amount",
    ),
    ("first_response", False): ngettext_lazy(
        "No law sets this date: it is our own promise to give a first response within %(amount)d "
        "business hour of receiving a message, and we received yours on %(received)s.",
        "No law sets this date: it is our own promise to give a first response within %(amount)d "
        "business hours of receiving a message, and we received yours on %(received)s.",
        "amount",
    ),
    ("resolution", True): ngettext_lazy(
        "No law sets this date: it is our own promise to resolve complaints and questions within "
        "%(amount)d business day of receiving them, and we received yours on %(received)s.",
        "No law sets this date: it is our own promise to resolve complaints and questions within "
        "%(amount)d business days of receiving them, and we received yours on %(received)s.",
        "amount",
    ),
    ("resolution", False): ngettext_lazy(
        "No law sets this date: it is our own promise to resolve complaints and questions within "
        "%(amount)d business hour of receiving them, and we received yours on %(received)s.",
        "No law sets this date: it is our own promise to resolve complaints and questions within "
        "%(amount)d business hours of receiving them, and we received yours on %(received)s.",
        "amount",
    ),
}


def next_business_moment(calendar: Calendar, moment: datetime, level: ServiceLevel) -> datetime:
    """`moment` if it is within business hours, else the next opening."""
    day = moment.date()
    if moment.time() >= level.closing:
        day += timedelta(days=1)
    opened, _ = calendar.roll_forward(day)
    if opened != moment.date() or moment.time() < level.opening:
        return datetime.combine(opened, level.opening, tzinfo=moment.tzinfo)
    return moment


def add_business_hours(
    calendar: Calendar, start: datetime, amount: timedelta, level: ServiceLevel
) -> datetime:
    """The moment when `amount` of business time has run from `start` (wall-clock local time)."""
    moment = next_business_moment(calendar, start, level)
    remaining = amount
    while True:
        closing = datetime.combine(moment.date(), level.closing, tzinfo=moment.tzinfo)
        if remaining <= closing - moment:
            return moment + remaining
        remaining -= closing - moment
        moment = next_business_moment(calendar, closing, level)


def _as_moment(received: date) -> datetime:
    if isinstance(received, datetime):
        return received
    return datetime.combine(received, time.min)  # a date only: its start, local time


def _given_back(calendar: Calendar, span_start: date, span_end: date) -> int:
    return calendar.working_days_between(span_start + timedelta(days=1), span_end)


def _business_days(request: Request, count: int) -> tuple[date, tuple[DayOff, ...], int]:
    calendar = request.calendar.business_week()
    due, skipped = calendar.add_working_days(request.received, count)
    total = 0
    for span in request.pauses:
        if span.start <= due:
            days = _given_back(calendar, span.start, span.end)
            due, more = calendar.add_working_days(due, days)
            skipped, total = skipped + more, total + days
    return due, skipped, total


def _business_hours(request: Request, count: int) -> tuple[datetime, int]:
    level = request.service_level
    day_length = datetime.combine(date.min, level.closing) - datetime.combine(date.min, level.opening)
    calendar = request.calendar.business_week()
    due = add_business_hours(calendar, _as_moment(request.received_at), timedelta(hours=count), level)
    total = 0
    for span in request.pauses:
        if span.start <= due.date():
            days = _given_back(calendar, span.start, span.end)
            due = add_business_hours(calendar, due, day_length * days, level)
            total += days
    return due, total


def service_level(request: Request) -> Deadline:
    target = request.service_level.target(request.event)
    level = request.service_level
    in_days = target.unit == BUSINESS_DAYS
    due: date
    skipped: tuple[DayOff, ...] = ()
    reckoning: list[Message]
    if in_days:
        due, skipped, given_back = _business_days(request, target.amount)
        reckoning = [say(COUNTED_IN_BUSINESS_DAYS, count=target.amount)]
    else:
        due, given_back = _business_hours(request, target.amount)
        hours = say(COUNTED_IN_HOURS, amount=target.amount, opening=level.opening, closing=level.closing)
        reckoning = [hours]
    if given_back:
        reckoning.append(say(GIVEN_BACK, days=given_back))
    key = (request.event, in_days)
    return conclude(
        request,
        Finding(
            subject=say(SUBJECTS[key]),
            reckoning=tuple(reckoning),
            basis=(say(BASIS[key], amount=target.amount),),
            period=target.describe(),
            nominal=due,
            due=due,
            skipped=skipped,
            pause_days=given_back,
            stops_for=PAUSE_KINDS,
            requester=say(REQUESTER[key], amount=target.amount),
        ),
    )


SPEC = RegimeSpec(
    name="service_level",
    events={"first_response": service_level, "resolution": service_level},
    extendable=False,
)
