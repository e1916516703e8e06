"""Working-day calendars: which days are closed, and why.

A calendar is named by a code: a country ("FI", "SE", "DE", "US", "BR", "CH") or a country and
one of its subdivisions ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "US-CA", "CH-ZH"), as the pinned
`holidays` package knows them. A day is closed when it is a weekend day of that country, a
public holiday in `holidays` (observed days included), or one of the organisation's own closed
days. Two calendars are built differently, as the law requires (research/deadlines.md):

* FI: 24 December is a WORKING day by default. The e-Justice list of Finnish non-working days
  for Reg. 1182/71 leaves Christmas Eve out, while `holidays` FI and Act 150/1930 §5 include it
  (§2.7) [interpretation: conservative]. `christmas_eve_closed=True` follows `holidays` instead.
* CA: PIPEDA counts with the federal Interpretation Act, whose s.35 "holiday" is Sunday plus a
  fixed list, not Saturday (§8). The `holidays` CA list is too short, so the set is built here.
  "CA-XX" adds the province's holidays from `holidays`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

from tickets.deadlines.arithmetic import WEEKDAY_NAMES, easter_sunday, long_date
from tickets.deadlines.errors import DeadlineError, UnknownCalendar
from tickets.deadlines.messages import HOLIDAY, ORGANISATION, WEEKEND, Closed, Message, gettext_noop, say

# No real calendar closes more than a few days in a row; a run this long means a misconfiguration.
LONGEST_CLOSED_RUN = 370
SATURDAY = 5
SUNDAY = 6
CANADA = "CA"
FINLAND = "FI"

# research/deadlines.md §2.7 (Christmas Eve) and §11.8 (the Canadian Saturday): the choices below.
CHRISTMAS_EVE_OPEN = gettext_noop(
    "24 December: the e-Justice list of Finnish non-working days for Reg. 1182/71 leaves Christmas "
    "Eve out, while the holidays package and Act 150/1930 §5 treat it as closed; this calendar treats "
    "it as a working day (conservative)."
)
CHRISTMAS_EVE_CLOSED = gettext_noop(
    "24 December: the e-Justice list of Finnish non-working days for Reg. 1182/71 leaves Christmas "
    "Eve out, while the holidays package and Act 150/1930 §5 treat it as closed; this calendar is "
    "configured to treat it as closed (the later date)."
)
CANADA_SATURDAY_NOTE = gettext_noop(
    "Saturday is not a holiday under the Interpretation Act s.35, so a PIPEDA period is not moved "
    "off it (an open choice; conservative)."
)
CANADA_SUNDAY_BEFORE = {
    (1, 2): gettext_noop(
        "New Year's Day fell on the Sunday before; whether this Monday is also a holiday "
        "(Interpretation Act s.35(2), Holidays Act s.2(2)) is unverified, so it is treated as a "
        "working day (conservative)."
    ),
    (7, 2): gettext_noop(
        "Canada Day fell on the Sunday before; whether this Monday is also a holiday "
        "(Interpretation Act s.35(2), Holidays Act s.2(2)) is unverified, so it is treated as a "
        "working day (conservative)."
    ),
    (11, 12): gettext_noop(
        "Remembrance Day fell on the Sunday before; whether this Monday is also a holiday "
        "(Interpretation Act s.35(2), Holidays Act s.2(2)) is unverified, so it is treated as a "
        "working day (conservative)."
    ),
}
CANADA_THANKSGIVING_NOTE = gettext_noop(
    "Thanksgiving Day is proclaimed, which may make it an s.35 holiday; it is not on the list the "
    "desk uses and is treated as a working day (conservative)."
)


@dataclass(frozen=True)
class DayOff:
    """A closed day that a result names: the date and why it is closed."""

    day: date
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), "name": self.name}


@dataclass(frozen=True)
class ClosedDay:
    """One of the organisation's own closed days: every year (year=None) or one date."""

    month: int
    day: int
    year: int | None = None
    name: str = "organisation closed day"

    def __post_init__(self) -> None:
        # A 29 February with no year is allowed (it matches leap years only): check with 2000.
        try:
            date(self.year or 2000, self.month, self.day)
        except ValueError as error:
            raise DeadlineError(f"not a day of the year: {self.month}-{self.day} ({error})") from None

    @classmethod
    def parse(cls, text: str, name: str = "organisation closed day") -> ClosedDay:
        """'2026-12-31' (that date only) or '12-24' (every year)."""
        parts = text.strip().split("-")
        if len(parts) == 2 and all(part.isdigit() for part in parts):
            return cls(month=int(parts[0]), day=int(parts[1]), name=name)
        try:
            one = date.fromisoformat(text.strip())
        except ValueError:
            raise DeadlineError(f"a closed day is YYYY-MM-DD or MM-DD, not {text!r}") from None
        return cls(month=one.month, day=one.day, year=one.year, name=name)

    def matches(self, day: date) -> bool:
        same_day = (day.month, day.day) == (self.month, self.day)
        return same_day and self.year in (None, day.year)


@lru_cache(maxsize=64)
def _english(country: str) -> str | None:
    """An English language for the holiday names, where the package has one."""
    table = holidays.country_holidays(country)
    if str(table.default_language or "en").startswith("en"):
        return None
    return "en_US" if "en_US" in table.supported_languages else None


@lru_cache(maxsize=1024)
def _package_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    table = holidays.country_holidays(country, subdiv=subdivision, years=year, language=_english(country))
    return MappingProxyType({day: "; ".join(table.get_list(day)) for day in sorted(table)})


@lru_cache(maxsize=64)
def _package_weekend(country: str, subdivision: str | None) -> frozenset[int]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision).weekend)


def _first_monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


@lru_cache(maxsize=256)
def canada_s35_holidays(year: int) -> Mapping[date, str]:
    """The Interpretation Act s.35 holidays besides Sunday (research/deadlines.md §8)."""
    easter = easter_sunday(year)
    may_24 = date(year, 5, 24)
    days = {
        date(year, 1, 1): "New Year's Day",
        easter - timedelta(days=2): "Good Friday",
        easter + timedelta(days=1): "Easter Monday",
        # Victoria Day: the Monday preceding 25 May.
        may_24 - timedelta(days=may_24.weekday()): "Victoria Day",
        date(year, 7, 1): "Canada Day",
        _first_monday_on_or_after(date(year, 9, 1)): "Labour Day",
        date(year, 11, 11): "Remembrance Day",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Boxing Day",
    }
    return MappingProxyType(days)


def _canada_choice_note(day: date) -> str | None:
    """Days that may be s.35 holidays but are treated as working days (the earlier date)."""
    if day.weekday() == SATURDAY:
        return CANADA_SATURDAY_NOTE
    sunday_before = CANADA_SUNDAY_BEFORE.get((day.month, day.day))
    if sunday_before and day.weekday() == 0:
        return sunday_before
    if day.month == 10 and day.weekday() == 0 and 8 <= day.day <= 14:
        return CANADA_THANKSGIVING_NOTE
    return None


def _split_code(code: str) -> tuple[str, str | None]:
    country, _, subdivision = code.strip().upper().partition("-")
    return country, subdivision or None


@lru_cache(maxsize=128)
def _check_code(country: str, subdivision: str | None) -> None:
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise UnknownCalendar(
            f"unknown calendar {country}{'-' + subdivision if subdivision else ''}: {error}"
        ) from None


@dataclass(frozen=True)
class Calendar:
    """Working days of one country or subdivision, plus the organisation's own closed days."""

    code: str
    christmas_eve_closed: bool = False
    extra_closed: tuple[ClosedDay, ...] = ()
    # Weekday numbers (Monday 0) closed every week; None: the country's own weekend.
    weekend: frozenset[int] | None = None
    country: str = field(init=False, repr=False, compare=False)
    subdivision: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise UnknownCalendar(f"a calendar code is a country such as FI or GB-SCT, not {self.code!r}")
        country, subdivision = _split_code(self.code)
        _check_code(country, subdivision)
        object.__setattr__(self, "code", f"{country}-{subdivision}" if subdivision else country)
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "subdivision", subdivision)
        object.__setattr__(self, "extra_closed", tuple(self.extra_closed))
        if self.weekend is not None:
            object.__setattr__(self, "weekend", frozenset(self.weekend))

    def _public_holiday(self, day: date) -> str | None:
        if self.country == CANADA:
            statutory = canada_s35_holidays(day.year).get(day)
            if statutory or not self.subdivision:
                return statutory
        name = _package_year(self.country, self.subdivision, day.year).get(day)
        if self.country == FINLAND and (day.month, day.day) == (12, 24):
            return (name or "Christmas Eve") if self.christmas_eve_closed else None
        return name

    def _weekend(self) -> frozenset[int]:
        if self.weekend is not None:
            return self.weekend
        if self.country == CANADA:
            return frozenset({SUNDAY})
        return _package_weekend(self.country, self.subdivision)

    def closed_reason(self, day: date) -> str | None:
        """Why `day` is closed (holiday name, organisation day, weekday name), or None if open."""
        holiday = self._public_holiday(day)
        if holiday:
            return holiday
        for closed in self.extra_closed:
            if closed.matches(day):
                return closed.name
        if day.weekday() in self._weekend():
            return WEEKDAY_NAMES[day.weekday()]
        return None

    def business_week(self) -> Calendar:
        """This calendar for counting business days: Saturday is closed here even in CA.

        The s.35 calendar keeps Saturday open because PIPEDA periods are not moved off it; an
        organisation's business day is still Monday to Friday.
        """
        if self.country == CANADA and self.weekend is None:
            return replace(self, weekend=frozenset({SATURDAY, SUNDAY}))
        return self

    def is_working_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def choice_note(self, day: date) -> Message | None:
        """The interpretation note when `day`'s status rests on a documented choice, else None."""
        if self.country == FINLAND and (day.month, day.day) == (12, 24) and day.weekday() < 5:
            return say(CHRISTMAS_EVE_CLOSED if self.christmas_eve_closed else CHRISTMAS_EVE_OPEN)
        if self.country == CANADA and self.is_working_day(day):
            note = _canada_choice_note(day)
            return say(note) if note else None
        return None

    def closed(self, off: DayOff) -> Closed:
        """`off` as a sentence names it: a weekend day, a public holiday or the organisation's own
        closed day, with this calendar, so a page can name a holiday in its reader's language."""
        if any(closed.matches(off.day) and closed.name == off.name for closed in self.extra_closed):
            kind = ORGANISATION
        elif off.name == WEEKDAY_NAMES[off.day.weekday()]:
            kind = WEEKEND
        else:
            kind = HOLIDAY
        return Closed(off.day, off.name, kind, self.code)

    def _closed_run(self, day: date) -> Iterator[DayOff]:
        """The closed days from `day` on, stopping before the first working day."""
        for offset in range(LONGEST_CLOSED_RUN):
            current = day + timedelta(days=offset)
            reason = self.closed_reason(current)
            if reason is None:
                return
            yield DayOff(current, reason)
        raise DeadlineError(
            f"calendar {self.code} has no working day within {LONGEST_CLOSED_RUN} days of "
            f"{long_date(day)}: check its closed days"
        )

    def roll_forward(self, day: date) -> tuple[date, tuple[DayOff, ...]]:
        """The first working day on or after `day`, and the closed days passed over."""
        passed = tuple(self._closed_run(day))
        return day + timedelta(days=len(passed)), passed

    def add_working_days(self, day: date, count: int) -> tuple[date, tuple[DayOff, ...]]:
        """The `count`-th working day strictly after `day`, and the holidays skipped on the way.

        Weekend days are not listed (they are skipped every week); holidays and the
        organisation's closed days are, so an explanation can name them.
        """
        current = day
        skipped: list[DayOff] = []
        for _ in range(count):
            current, passed = self.roll_forward(current + timedelta(days=1))
            skipped.extend(off for off in passed if off.name not in WEEKDAY_NAMES)
        return current, tuple(skipped)

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie in first..last, both included."""
        span = (last - first).days + 1
        return sum(self.is_working_day(first + timedelta(days=n)) for n in range(max(span, 0)))
