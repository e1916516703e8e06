"""The organisation's own service levels, in business days and in business hours."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from tickets.deadlines import (
    BUSINESS_HOURS,
    Calendar,
    ExtensionNotAllowed,
    InvalidServiceLevel,
    Pause,
    ServiceLevel,
    Target,
    deadline_for,
)

pytestmark = pytest.mark.pure

FI = Calendar("FI")
HOURS_4 = ServiceLevel(first_response=Target(4, BUSINESS_HOURS))


def sla(event: str, received: date, **options: object) -> date:
    options.setdefault("calendar", FI)
    return deadline_for(regime="service_level", event=event, received=received, **options).due  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("received", "calendar", "first_response", "resolution"),
    [
        # Defaults: 2 and 20 business days after the day of receipt.
        (date(2026, 3, 6), FI, date(2026, 3, 10), date(2026, 4, 7)),  # skips Good Fri, Easter Mon
        (date(2026, 4, 2), FI, date(2026, 4, 8), date(2026, 5, 5)),  # Easter; Fri 1 May May Day
        (date(2026, 3, 2), FI, date(2026, 3, 4), date(2026, 3, 30)),
        # Canada (s.35): Saturdays are open for PIPEDA periods, never for business days.
        (date(2026, 3, 2), Calendar("CA"), date(2026, 3, 4), date(2026, 3, 30)),
        # US: Fri 27 Mar 2026; Cesar Chavez Day (Tue 31 Mar) only in US-CA.
        (date(2026, 3, 27), Calendar("US"), date(2026, 3, 31), date(2026, 4, 24)),
        (date(2026, 3, 27), Calendar("US-CA"), date(2026, 4, 1), date(2026, 4, 27)),
        # Scotland: Mon 3 Aug 2026 is a bank holiday.
        (date(2026, 7, 31), Calendar("GB-SCT"), date(2026, 8, 5), date(2026, 8, 31)),
        (date(2026, 7, 31), Calendar("GB-ENG"), date(2026, 8, 4), date(2026, 8, 28)),
        # Switzerland: Thu 14 May 2026 (Ascension) and Mon 25 May (Whit Monday is cantonal only).
        (date(2026, 5, 12), Calendar("CH"), date(2026, 5, 15), date(2026, 6, 10)),
        # Brazil: Tue 21 Apr 2026 Tiradentes, Fri 1 May Worker's Day.
        (date(2026, 4, 17), Calendar("BR"), date(2026, 4, 22), date(2026, 5, 19)),
    ],
)
def test_business_days(received: date, calendar: Calendar, first_response: date, resolution: date) -> None:
    assert sla("first_response", received, calendar=calendar) == first_response
    assert sla("resolution", received, calendar=calendar) == resolution


def test_business_days_result_explains_itself() -> None:
    result = deadline_for(
        regime="service_level", event="first_response", received=date(2026, 4, 2), calendar=FI
    )
    assert result.rule == "service_level.first_response"
    assert result.interpretation is False
    assert result.period == "2 business days"
    assert "own service level, not a law" in result.basis
    assert [off.name for off in result.skipped] == ["Good Friday", "Easter Sunday", "Easter Monday"]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 3, 6, 15, 30), datetime(2026, 3, 9, 11, 30)),  # Fri: 30 min, then Monday
        (datetime(2026, 3, 9, 6, 0), datetime(2026, 3, 9, 12, 0)),  # before opening
        (datetime(2026, 3, 9, 17, 0), datetime(2026, 3, 10, 12, 0)),  # after closing
        (datetime(2026, 3, 9, 16, 0), datetime(2026, 3, 10, 12, 0)),  # at closing
        (datetime(2026, 3, 9, 12, 0), datetime(2026, 3, 9, 16, 0)),  # ends exactly at closing
        (datetime(2026, 4, 3, 10, 0), datetime(2026, 4, 7, 12, 0)),  # Good Friday .. Easter Monday
        (datetime(2026, 3, 7, 10, 0), datetime(2026, 3, 9, 12, 0)),  # Saturday
        (date(2026, 3, 9), datetime(2026, 3, 9, 12, 0)),  # a date only: from opening
        (datetime(2026, 12, 23, 14, 0), datetime(2026, 12, 24, 10, 0)),  # 24 Dec open in FI
    ],
)
def test_business_hours(received: date, due: datetime) -> None:
    assert sla("first_response", received, service_level=HOURS_4) == due


def test_business_hours_over_several_days_and_custom_hours() -> None:
    level = ServiceLevel(first_response=Target(16, BUSINESS_HOURS), opening=time(9), closing=time(17))
    # Mon 9 Mar 09:00: 8 hours Monday, 8 hours Tuesday -> Tue 17:00.
    assert sla("first_response", datetime(2026, 3, 9, 9, 0), service_level=level) == datetime(
        2026, 3, 10, 17, 0
    )
    # Thu 2 Apr 13:00: 4 hours Thursday, then Tue 7 Apr 09:00 + 12 h = Wed 8 Apr 13:00.
    assert sla("first_response", datetime(2026, 4, 2, 13, 0), service_level=level) == datetime(
        2026, 4, 8, 13, 0
    )


def test_business_hours_keep_the_time_zone() -> None:
    helsinki = timezone(timedelta(hours=2))
    result = deadline_for(
        regime="service_level",
        event="first_response",
        received=datetime(2026, 3, 6, 15, 30, tzinfo=helsinki),
        calendar=FI,
        service_level=HOURS_4,
    )
    assert result.due == datetime(2026, 3, 9, 11, 30, tzinfo=helsinki)
    assert result.to_dict()["due"] == "2026-03-09T11:30+02:00"
    assert result.period == "4 business hours"


def test_resolution_in_business_hours() -> None:
    level = ServiceLevel(resolution=Target(1, BUSINESS_HOURS))
    assert sla("resolution", datetime(2026, 3, 9, 15, 30), service_level=level) == datetime(
        2026, 3, 10, 8, 30
    )


def test_pauses_give_back_business_days() -> None:
    # 20 business days from Fri 6 Mar = Tue 7 Apr; waiting 10..12 Mar gives back 11 and 12 Mar.
    result = deadline_for(
        regime="service_level",
        event="resolution",
        received=date(2026, 3, 6),
        calendar=FI,
        pauses=[Pause(date(2026, 3, 10), date(2026, 3, 12))],
    )
    assert (result.due, result.pause_days) == (date(2026, 4, 9), 2)
    assert "2 working days are added while waiting" in result.explanation
    # A pause over a weekend gives back only the working days in it: 13..16 Mar -> 16 Mar.
    assert sla("resolution", date(2026, 3, 6), pauses=[Pause(date(2026, 3, 13), date(2026, 3, 16))]) == date(
        2026, 4, 8
    )
    # A pause after the due date changes nothing.
    assert sla(
        "first_response", date(2026, 3, 6), pauses=[Pause(date(2026, 3, 20), date(2026, 3, 25))]
    ) == date(2026, 3, 10)


def test_pauses_give_back_business_hours() -> None:
    # 4 hours from Fri 15:30 = Mon 11:30; waiting 6..9 Mar gives back Mon 9 Mar: 8 more hours.
    result = deadline_for(
        regime="service_level",
        event="first_response",
        received=datetime(2026, 3, 6, 15, 30),
        calendar=FI,
        service_level=HOURS_4,
        pauses=[Pause(date(2026, 3, 6), date(2026, 3, 9))],
    )
    assert (result.due, result.pause_days) == (datetime(2026, 3, 10, 11, 30), 1)
    assert sla(
        "first_response",
        datetime(2026, 3, 6, 15, 30),
        service_level=HOURS_4,
        pauses=[Pause(date(2026, 3, 11), date(2026, 3, 12))],
    ) == datetime(2026, 3, 9, 11, 30)


def test_an_open_pause_stops_the_service_level_clock() -> None:
    result = deadline_for(
        regime="service_level",
        event="resolution",
        received=date(2026, 3, 6),
        calendar=FI,
        pauses=[Pause(date(2026, 3, 10), kind="identity")],
    )
    assert (result.due, result.paused) == (date(2026, 4, 7), True)
    provisional = deadline_for(
        regime="service_level",
        event="resolution",
        received=date(2026, 3, 6),
        calendar=FI,
        pauses=[Pause(date(2026, 3, 10))],
        as_of=date(2026, 3, 12),
    )
    assert (provisional.due, provisional.paused) == (date(2026, 4, 9), True)
    assert any("provisional" in note for note in provisional.notes)


def test_service_levels_cannot_be_extended() -> None:
    with pytest.raises(ExtensionNotAllowed):
        deadline_for(regime="service_level", event="extended", received=date(2026, 3, 6))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Target(0),
        lambda: Target(-1),
        lambda: Target(True),
        lambda: Target(1.5),  # type: ignore[arg-type]
        lambda: Target(2, "weeks"),
        lambda: ServiceLevel(opening=time(16), closing=time(8)),
        lambda: ServiceLevel(opening=time(8, tzinfo=UTC)),
    ],
)
def test_bad_service_levels_are_refused(make: object) -> None:
    with pytest.raises(InvalidServiceLevel):
        make()  # type: ignore[operator]


def test_target_descriptions() -> None:
    assert Target(1).describe() == "1 business day"
    assert Target(3, BUSINESS_HOURS).describe() == "3 business hours"
