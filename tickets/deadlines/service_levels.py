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
from tickets.deadlines.context import Finding, RegimeSpec, Request, conclude
from tickets.deadlines.inputs import BUSINESS_DAYS, PAUSE_KINDS, ServiceLevel
from tickets.deadlines.results import Deadline

BASIS = "Organisation service level (not statutory); research/deadlines.md §10"
SUBJECTS = {
    "first_response": "The first response to a ticket",
    "resolution": "The resolution of a ticket",
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
    due: date
    skipped: tuple[DayOff, ...] = ()
    if target.unit == BUSINESS_DAYS:
        due, skipped, given_back = _business_days(request, target.amount)
        reckoning = f"{target.describe()} after the day of receipt"
    else:
        due, given_back = _business_hours(request, target.amount)
        reckoning = (
            f"{target.describe()} of working time ({level.opening:%H:%M}-{level.closing:%H:%M} on "
            f"working days) after receipt"
        )
    if given_back:
        reckoning += f", plus {given_back} working day(s) while waiting for the requester"
    return conclude(
        request,
        Finding(
            subject=f"{SUBJECTS[request.event]} received on {request.received_text}",
            reckoning=reckoning,
            basis=f"{BASIS}: {request.event.replace('_', ' ')} within {target.describe()}",
            period=target.describe(),
            nominal=due,
            due=due,
            skipped=skipped,
            pause_days=given_back,
            stops_for=PAUSE_KINDS,
        ),
    )


SPEC = RegimeSpec(
    name="service_level",
    events={"first_response": service_level, "resolution": service_level},
    extendable=False,
)
