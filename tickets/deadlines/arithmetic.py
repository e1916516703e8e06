"""Calendar arithmetic with no notion of working days: months, Easter, names of days.

Pure functions of their arguments; nothing here reads a clock.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def add_months(day: date, months: int) -> date:
    """The same date `months` later; the last day of that month where the date does not exist.

    Reg. 1182/71 Art. 3(2)(c) (research/deadlines.md §2.2): a month period ends on the day
    that "falls on the same date" and, where that day does not occur in the last month, on
    the last day of that month. 28 Feb + 1 month is 28 Mar, not 31 Mar.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    last_day = monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def easter_sunday(year: int) -> date:
    """Western Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    moon_correction = (century + 8) // 25
    sun_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - sun_correction + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday_shift = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    march_correction = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * march_correction + 114, 31)
    return date(year, month, day + 1)


def long_date(day: date) -> str:
    """'Monday 1 February 2027': English names whatever the process locale is."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def long_moment(moment: date) -> str:
    """A date as long_date; a date-time with its clock time and, if aware, its UTC offset."""
    if not isinstance(moment, datetime):
        return long_date(moment)
    text = f"{long_date(moment.date())} at {moment:%H:%M}"
    offset = moment.strftime("%z")
    if offset:
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text


def iso_moment(moment: date) -> str:
    """ISO 8601: a date as YYYY-MM-DD, a date-time to the minute unless it has seconds."""
    if isinstance(moment, datetime):
        precise = moment.second or moment.microsecond
        return moment.isoformat(timespec="auto" if precise else "minutes")
    return moment.isoformat()
