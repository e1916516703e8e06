"""Working-day calendars, checked day by day against literal dates.

Every expected date below was worked out by hand from research/deadlines.md and a printed
calendar, and the holiday lists of the pinned `holidays` 0.108 were read, not guessed.
"""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

from datetime import date

import pytest

from tickets.deadlines import Calendar, ClosedDay, DeadlineError, UnknownCalendar, deadline_for
from tickets.deadlines.arithmetic import add_months, easter_sunday, iso_moment, long_moment
from tickets.deadlines.calendars import DayOff, canada_s35_holidays

pytestmark = pytest.mark.pure

FI = Calendar("FI")


def gdpr_due(received: date, calendar: Calendar = FI) -> date:
    return deadline_for(regime="gdpr", event="respond", received=received, calendar=calendar).due


# Each Finnish public holiday of 2026 and 2027 (e-Justice list for Reg. 1182/71, research §2.7)
# as the end of a one-month period: received one month before, due on the next working day.
FINNISH_HOLIDAYS = [
    # (received, nominal = the holiday, due, holiday name)
    (date(2025, 12, 1), date(2026, 1, 1), date(2026, 1, 2), "New Year's Day"),  # Thu -> Fri
    (date(2025, 12, 6), date(2026, 1, 6), date(2026, 1, 7), "Epiphany"),  # Tue -> Wed
    (date(2026, 3, 3), date(2026, 4, 3), date(2026, 4, 7), "Good Friday"),  # Fri..Mon -> Tue
    (date(2026, 3, 6), date(2026, 4, 6), date(2026, 4, 7), "Easter Monday"),  # Mon -> Tue
    (date(2026, 4, 1), date(2026, 5, 1), date(2026, 5, 4), "May Day"),  # Fri, weekend -> Mon
    (date(2026, 4, 14), date(2026, 5, 14), date(2026, 5, 15), "Ascension Day"),  # Thu -> Fri
    (date(2026, 4, 24), date(2026, 5, 24), date(2026, 5, 25), "Pentecost"),  # Sun -> Mon
    (date(2026, 5, 19), date(2026, 6, 19), date(2026, 6, 22), "Midsummer Eve"),  # Fri..Sun -> Mon
    (date(2026, 5, 20), date(2026, 6, 20), date(2026, 6, 22), "Midsummer Day"),  # Sat -> Mon
    (date(2026, 11, 6), date(2026, 12, 6), date(2026, 12, 7), "Independence Day"),  # Sun -> Mon
    (date(2026, 11, 25), date(2026, 12, 25), date(2026, 12, 28), "Christmas Day"),  # Fri..Sun
    (date(2026, 11, 26), date(2026, 12, 26), date(2026, 12, 28), "Second Day of Christmas"),
    (date(2026, 12, 1), date(2027, 1, 1), date(2027, 1, 4), "New Year's Day"),  # Fri -> Mon
    (date(2026, 12, 6), date(2027, 1, 6), date(2027, 1, 7), "Epiphany"),  # Wed -> Thu
    (date(2027, 2, 26), date(2027, 3, 26), date(2027, 3, 30), "Good Friday"),  # Fri..Mon -> Tue
    (date(2027, 2, 28), date(2027, 3, 28), date(2027, 3, 30), "Easter Sunday"),  # Sun, Mon -> Tue
    (date(2027, 4, 1), date(2027, 5, 1), date(2027, 5, 3), "May Day"),  # Sat -> Mon
    (date(2027, 4, 6), date(2027, 5, 6), date(2027, 5, 7), "Ascension Day"),  # Thu -> Fri
    (date(2027, 5, 25), date(2027, 6, 25), date(2027, 6, 28), "Midsummer Eve"),  # Fri..Sun -> Mon
    (date(2027, 10, 6), date(2027, 11, 6), date(2027, 11, 8), "All Saints' Day"),  # Sat -> Mon
    (date(2027, 11, 6), date(2027, 12, 6), date(2027, 12, 7), "Independence Day"),  # Mon -> Tue
    (date(2027, 11, 25), date(2027, 12, 25), date(2027, 12, 27), "Christmas Day"),  # Sat -> Mon
    (date(2027, 11, 26), date(2027, 12, 26), date(2027, 12, 27), "Second Day of Christmas"),
    (date(2027, 12, 1), date(2028, 1, 1), date(2028, 1, 3), "New Year's Day"),  # Sat -> Mon
    (date(2027, 12, 6), date(2028, 1, 6), date(2028, 1, 7), "Epiphany"),  # Thu -> Fri
]


@pytest.mark.parametrize(("received", "holiday", "due", "name"), FINNISH_HOLIDAYS)
def test_a_finnish_holiday_moves_the_gdpr_deadline(
    received: date, holiday: date, due: date, name: str
) -> None:
    result = deadline_for(regime="gdpr", event="respond", received=received, calendar=FI)
    assert result.nominal == holiday
    assert result.due == due
    assert result.moved_by[0] == DayOff(holiday, name)
    assert FI.closed_reason(holiday) == name


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 10, 31), "All Saints' Day"),  # always a Saturday in Finland
        (date(2027, 3, 29), "Easter Monday"),
        (date(2026, 4, 5), "Easter Sunday"),
        (date(2027, 6, 26), "Midsummer Day"),
        (date(2028, 6, 23), "Midsummer Eve"),
    ],
)
def test_other_finnish_holidays_are_closed(day: date, name: str) -> None:
    assert FI.closed_reason(day) == name
    assert not FI.is_working_day(day)


def test_all_saints_day_ends_an_extended_period() -> None:
    # 31 Jul + 3 months = Sat 31 Oct 2026 (All Saints' Day) -> Sun 1 Nov -> Mon 2 Nov.
    result = deadline_for(regime="gdpr", event="extended", received=date(2026, 7, 31), calendar=FI)
    assert (result.nominal, result.due) == (date(2026, 10, 31), date(2026, 11, 2))
    assert result.moved_by == (
        DayOff(date(2026, 10, 31), "All Saints' Day"),
        DayOff(date(2026, 11, 1), "Sunday"),
    )


@pytest.mark.parametrize(
    ("received", "open_due", "closed_due"),
    [
        # Thu 24 Dec 2026: open by default; closed -> 25 Fri, 26 Sat, 27 Sun -> Mon 28 Dec.
        (date(2026, 11, 24), date(2026, 12, 24), date(2026, 12, 28)),
        # Fri 24 Dec 2027: open by default; closed -> 25 Sat, 26 Sun -> Mon 27 Dec.
        (date(2027, 11, 24), date(2027, 12, 24), date(2027, 12, 27)),
    ],
)
def test_christmas_eve_in_finland_both_ways(received: date, open_due: date, closed_due: date) -> None:
    open_eve = deadline_for(regime="gdpr", event="respond", received=received, calendar=FI)
    assert open_eve.due == open_due
    assert open_eve.moved_by == ()
    assert open_eve.interpretation is True
    assert "e-Justice" in open_eve.interpretation_note
    assert "working day (conservative)" in open_eve.interpretation_note

    closed = Calendar("FI", christmas_eve_closed=True)
    closed_eve = deadline_for(regime="gdpr", event="respond", received=received, calendar=closed)
    assert closed_eve.due == closed_due
    assert closed_eve.moved_by[0] == DayOff(open_due, "Christmas Eve")
    assert closed_eve.interpretation is True
    assert "configured to treat it as closed" in closed_eve.interpretation_note


def test_christmas_eve_on_a_weekend_needs_no_choice() -> None:
    # Sun 24 Dec 2028 is closed as a Sunday whatever the choice; the date is not an interpretation.
    assert FI.closed_reason(date(2028, 12, 24)) == "Sunday"
    assert FI.choice_note(date(2028, 12, 24)) is None
    assert FI.choice_note(date(2026, 12, 23)) is None


@pytest.mark.parametrize(
    ("received", "code", "due"),
    [
        # Mon 3 Aug 2026 is Scotland's summer bank holiday, not England's.
        (date(2026, 7, 3), "GB-SCT", date(2026, 8, 4)),
        (date(2026, 7, 3), "GB-ENG", date(2026, 8, 3)),
        # Mon 31 Aug 2026 is the late summer bank holiday everywhere but Scotland.
        (date(2026, 7, 31), "GB-ENG", date(2026, 9, 1)),
        (date(2026, 7, 31), "GB-WLS", date(2026, 9, 1)),
        (date(2026, 7, 31), "GB-NIR", date(2026, 9, 1)),
        (date(2026, 7, 31), "GB-SCT", date(2026, 8, 31)),
        # Fri 2 Jan 2026: Scotland's New Year holiday -> Mon 5 Jan.
        (date(2025, 12, 2), "GB-SCT", date(2026, 1, 5)),
        (date(2025, 12, 2), "GB-ENG", date(2026, 1, 2)),
        # Tue 17 Mar 2026: St Patrick's Day in Northern Ireland only.
        (date(2026, 2, 17), "GB-NIR", date(2026, 3, 18)),
        (date(2026, 2, 17), "GB-ENG", date(2026, 3, 17)),
        # Mon 13 Jul 2026: Battle of the Boyne (observed) in Northern Ireland only.
        (date(2026, 6, 13), "GB-NIR", date(2026, 7, 14)),
        (date(2026, 6, 13), "GB-WLS", date(2026, 7, 13)),
        # Mon 6 Apr 2026: Easter Monday is not a bank holiday in Scotland.
        (date(2026, 3, 6), "GB-WLS", date(2026, 4, 7)),
        (date(2026, 3, 6), "GB-SCT", date(2026, 4, 6)),
        # Mon 30 Nov 2026: St Andrew's Day in Scotland only.
        (date(2026, 10, 30), "GB-SCT", date(2026, 12, 1)),
        (date(2026, 10, 30), "GB-ENG", date(2026, 11, 30)),
        # Christmas 2027 on a weekend: Mon 27 and Tue 28 Dec are the observed days -> Wed 29.
        (date(2027, 11, 25), "GB-ENG", date(2027, 12, 29)),
        # holidays 0.108 lists a one-off Scottish holiday on Mon 15 Jun 2026 (research §2.7: pin
        # the version); this row fails if a new release changes it.
        (date(2026, 5, 15), "GB-SCT", date(2026, 6, 16)),
        (date(2026, 5, 15), "GB-ENG", date(2026, 6, 15)),
    ],
)
def test_uk_nations_have_their_own_bank_holidays(received: date, code: str, due: date) -> None:
    result = deadline_for(regime="uk_gdpr", event="respond", received=received, calendar=code)
    assert result.due == due


@pytest.mark.parametrize(
    ("code", "received", "due"),
    [
        # Mon 25 May 2026 is Whit Monday in Germany, not in Finland.
        ("DE", date(2026, 4, 25), date(2026, 5, 26)),
        ("FI", date(2026, 4, 25), date(2026, 5, 25)),
        # Sweden: Sat 6 Jun 2026 National Day -> Mon 8 Jun; Midsummer Eve (Fri 19 Jun) is not a
        # public holiday in the `holidays` SE list, so it stays a working day there.
        ("SE", date(2026, 5, 6), date(2026, 6, 8)),
        ("SE", date(2026, 5, 19), date(2026, 6, 19)),
        # Zurich adds Good Friday and Easter Monday to the Swiss national list.
        ("CH-ZH", date(2026, 3, 3), date(2026, 4, 7)),
        ("CH", date(2026, 3, 3), date(2026, 4, 3)),
    ],
)
def test_any_country_the_holidays_package_knows(code: str, received: date, due: date) -> None:
    assert gdpr_due(received, Calendar(code)) == due


def test_california_state_holidays_are_separate_from_federal() -> None:
    cesar_chavez = date(2026, 3, 31)
    assert Calendar("US").is_working_day(cesar_chavez)
    assert Calendar("US-CA").closed_reason(cesar_chavez) == "Cesar Chavez Day"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 19), "Martin Luther King Jr. Day"),
        (date(2026, 2, 16), "Washington's Birthday"),
        (date(2026, 5, 25), "Memorial Day"),
        (date(2026, 6, 19), "Juneteenth National Independence Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 10, 12), "Columbus Day"),
        (date(2026, 11, 11), "Veterans Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 12, 24), "Christmas Day (observed)"),
        (date(2027, 12, 31), "New Year's Day (observed)"),
    ],
)
def test_us_federal_holidays_with_observed_days(day: date, name: str) -> None:
    assert Calendar("US").closed_reason(day) == name


def test_us_business_days_are_monday_to_friday() -> None:
    us = Calendar("US")
    assert us.closed_reason(date(2026, 3, 7)) == "Saturday"
    assert us.is_working_day(date(2026, 11, 27))  # the day after Thanksgiving is not federal
    assert us.is_working_day(date(2026, 12, 24))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Universal Fraternization Day"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 21), "Tiradentes' Day"),
        (date(2026, 5, 1), "Worker's Day"),
        (date(2026, 9, 7), "Independence Day"),
        (date(2026, 10, 12), "Our Lady of Aparecida"),
        (date(2026, 11, 2), "All Souls' Day"),
        (date(2026, 11, 20), "National Day of Zumbi and Black Awareness"),
        (date(2026, 12, 25), "Christmas Day"),
    ],
)
def test_brazil_national_holidays(day: date, name: str) -> None:
    assert Calendar("BR").closed_reason(day) == name


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2026,
            {
                date(2026, 1, 1): "New Year's Day",
                date(2026, 4, 3): "Good Friday",
                date(2026, 4, 6): "Easter Monday",
                date(2026, 5, 18): "Victoria Day",  # the Monday before 25 May
                date(2026, 7, 1): "Canada Day",
                date(2026, 9, 7): "Labour Day",
                date(2026, 11, 11): "Remembrance Day",
                date(2026, 12, 25): "Christmas Day",
                date(2026, 12, 26): "Boxing Day",
            },
        ),
        (
            2027,
            {
                date(2027, 1, 1): "New Year's Day",
                date(2027, 3, 26): "Good Friday",
                date(2027, 3, 29): "Easter Monday",
                date(2027, 5, 24): "Victoria Day",  # 24 May itself is a Monday
                date(2027, 7, 1): "Canada Day",
                date(2027, 9, 6): "Labour Day",
                date(2027, 11, 11): "Remembrance Day",
                date(2027, 12, 25): "Christmas Day",
                date(2027, 12, 26): "Boxing Day",
            },
        ),
    ],
)
def test_canada_interpretation_act_s35_list(year: int, expected: dict[date, str]) -> None:
    assert dict(canada_s35_holidays(year)) == expected


def test_canada_closes_sundays_but_not_saturdays() -> None:
    canada = Calendar("CA")
    assert canada.closed_reason(date(2026, 3, 8)) == "Sunday"
    assert canada.is_working_day(date(2026, 3, 7))
    note = canada.choice_note(date(2026, 3, 7))
    assert note is not None and "Saturday is not a holiday" in note.english()
    # Business days for service levels are Monday to Friday even here.
    assert canada.business_week().closed_reason(date(2026, 3, 7)) == "Saturday"
    assert canada.business_week().closed_reason(date(2026, 7, 1)) == "Canada Day"
    assert FI.business_week() is FI


def test_canada_with_a_province_adds_its_holidays() -> None:
    family_day = date(2026, 2, 16)
    assert Calendar("CA").is_working_day(family_day)
    assert Calendar("CA-ON").closed_reason(family_day) == "Family Day"
    assert Calendar("CA-ON").closed_reason(date(2026, 7, 1)) == "Canada Day"
    assert Calendar("CA-ON").closed_reason(date(2026, 3, 8)) == "Sunday"


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        (date(2023, 1, 2), "New Year's Day fell on the Sunday before"),
        (date(2029, 7, 2), "Canada Day fell on the Sunday before"),
        (date(2029, 11, 12), "Remembrance Day fell on the Sunday before"),
        (date(2026, 10, 12), "Thanksgiving Day"),
    ],
)
def test_canada_days_treated_as_working_by_choice(day: date, fragment: str) -> None:
    canada = Calendar("CA")
    assert canada.is_working_day(day)
    note = canada.choice_note(day)
    assert note is not None and fragment in note.english()


def test_canada_ordinary_days_need_no_choice() -> None:
    canada = Calendar("CA")
    assert canada.choice_note(date(2026, 3, 9)) is None  # an ordinary Monday
    assert canada.choice_note(date(2026, 1, 2)) is None  # a Friday 2 January
    assert canada.choice_note(date(2026, 10, 19)) is None  # third Monday of October
    assert canada.choice_note(date(2026, 7, 1)) is None  # closed: Canada Day


def test_swiss_national_holidays() -> None:
    swiss = Calendar("CH")
    assert swiss.closed_reason(date(2026, 5, 14)) == "Ascension Day"
    assert swiss.closed_reason(date(2026, 8, 1)) == "National Day"
    assert swiss.is_working_day(date(2026, 4, 6))  # Easter Monday is cantonal


def test_the_organisations_own_closed_days() -> None:
    calendar = Calendar(
        "FI",
        extra_closed=(
            ClosedDay(12, 30, name="Year-end closure"),
            ClosedDay.parse("2026-03-10", name="Company day"),
        ),
    )
    # Wed 30 Dec 2026 closed every year -> Thu 31 Dec.
    assert gdpr_due(date(2026, 11, 30), calendar) == date(2026, 12, 31)
    # Tue 10 Mar 2026 closed once -> Wed 11 Mar; Wed 10 Mar 2027 is open.
    assert gdpr_due(date(2026, 2, 10), calendar) == date(2026, 3, 11)
    assert gdpr_due(date(2027, 2, 10), calendar) == date(2027, 3, 10)
    assert calendar.closed_reason(date(2026, 3, 10)) == "Company day"
    # A public holiday keeps its own name.
    assert Calendar("FI", extra_closed=(ClosedDay(12, 25),)).closed_reason(date(2026, 12, 25)) == (
        "Christmas Day"
    )


def test_closed_day_parsing() -> None:
    assert ClosedDay.parse("12-24") == ClosedDay(12, 24)
    assert ClosedDay.parse(" 2026-12-31 ") == ClosedDay(12, 31, 2026)
    assert ClosedDay(2, 29).matches(date(2028, 2, 29))
    assert not ClosedDay(2, 29, 2024).matches(date(2028, 2, 29))
    with pytest.raises(DeadlineError, match="YYYY-MM-DD or MM-DD"):
        ClosedDay.parse("24.12.")
    with pytest.raises(DeadlineError, match="not a day of the year"):
        ClosedDay(2, 30)
    with pytest.raises(DeadlineError, match="not a day of the year"):
        ClosedDay.parse("13-01")


def test_a_calendar_closed_for_over_a_year_is_refused() -> None:
    every_day = tuple(
        ClosedDay(month, day)
        for month in range(1, 13)
        for day in range(1, 32)
        if (month, day) not in {(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)}
    )
    with pytest.raises(DeadlineError, match="no working day within 370 days"):
        gdpr_due(date(2026, 3, 2), Calendar("FI", extra_closed=every_day))


def test_a_custom_weekend() -> None:
    friday_saturday = Calendar("FI", weekend=frozenset({4, 5}))
    assert friday_saturday.closed_reason(date(2026, 3, 6)) == "Friday"
    assert friday_saturday.is_working_day(date(2026, 3, 8))


@pytest.mark.parametrize("code", ["XX", "GB-XYZ", "", "  ", None, 42])
def test_unknown_calendars_are_refused(code: object) -> None:
    with pytest.raises(UnknownCalendar):
        Calendar(code)  # type: ignore[arg-type]


def test_codes_are_normalised() -> None:
    assert Calendar(" gb-sct ").code == "GB-SCT"
    assert Calendar("gb-sct") == Calendar("GB-SCT")
    assert Calendar("us").code == "US"


def test_working_days_between() -> None:
    # Mon 30 Mar .. Tue 7 Apr 2026 in Finland: 30, 31 Mar, 1, 2 Apr, 7 Apr.
    assert FI.working_days_between(date(2026, 3, 30), date(2026, 4, 7)) == 5
    assert FI.working_days_between(date(2026, 4, 7), date(2026, 4, 6)) == 0


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),  # the trap: not 31 March
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_moment_formats() -> None:
    from datetime import datetime, timedelta, timezone

    helsinki = timezone(timedelta(hours=2))
    assert iso_moment(date(2026, 3, 9)) == "2026-03-09"
    assert iso_moment(datetime(2026, 3, 9, 14, 30)) == "2026-03-09T14:30"
    assert iso_moment(datetime(2026, 3, 9, 14, 30, 5)) == "2026-03-09T14:30:05"
    assert iso_moment(datetime(2026, 3, 9, 14, 30, tzinfo=helsinki)) == "2026-03-09T14:30+02:00"
    assert long_moment(datetime(2026, 3, 9, 14, 30, tzinfo=helsinki)) == (
        "Monday 9 March 2026 at 14:30 (UTC+02:00)"
    )
    assert long_moment(date(2027, 2, 1)) == "Monday 1 February 2027"
