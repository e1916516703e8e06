"""Invariants over a century of receipt dates (STYLE.md): a due date is never a closed day where
the regime moves it, never before receipt, monotone in the receipt date; a pause or an
extension never shortens a deadline. Month arithmetic and Easter agree with python-dateutil."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.deadlines import (
    BUSINESS_HOURS,
    REGIMES,
    Calendar,
    Pause,
    ServiceLevel,
    Target,
    deadline_for,
)
from tickets.deadlines.arithmetic import add_months, easter_sunday

pytestmark = pytest.mark.pure

SETTINGS = settings(max_examples=400, deadline=None)
CENTURY = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))

# (regime, event, calendar) whose periods are moved off closed days or counted in working days.
MOVED = [
    *[
        ("gdpr", event, code)
        for event in ("respond", "refusal", "extension_notice", "extended")
        for code in ("FI", "SE", "DE")
    ],
    *[
        ("uk_gdpr", event, code)
        for event in ("respond", "extended", "complaint_ack")
        for code in ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR")
    ],
    *[("ccpa", event, "US") for event in ("acknowledge", "opt_out", "limit_spi")],
    ("lgpd", "respond", "BR"),
    ("pipeda", "respond", "CA"),
    ("pipeda", "extended", "CA"),
    ("service_level", "first_response", "FI"),
    ("service_level", "resolution", "CH"),
]
DAY_EVENTS = [
    (regime, event) for regime, events in REGIMES.items() for event in events if event != "breach_notice"
]
EXTENDABLE = ["gdpr", "uk_gdpr", "ccpa", "us_va", "us_ct", "us_co", "us_ut", "us_or", "pipeda"]


def due_of(regime: str, event: str, received: date, **options: object) -> date:
    return deadline_for(regime=regime, event=event, received=received, **options).due  # type: ignore[arg-type]


@SETTINGS
@given(received=CENTURY, case=st.sampled_from(MOVED), small_agent=st.booleans())
def test_a_moved_due_date_is_a_working_day(
    received: date, case: tuple[str, str, str], small_agent: bool
) -> None:
    regime, event, code = case
    calendar = Calendar(code)
    due = due_of(regime, event, received, calendar=calendar, small_agent=small_agent)
    counting = calendar.business_week() if regime == "service_level" else calendar
    assert counting.is_working_day(due)


@SETTINGS
@given(received=CENTURY, case=st.sampled_from(DAY_EVENTS))
def test_never_before_receipt(received: date, case: tuple[str, str]) -> None:
    regime, event = case
    assert due_of(regime, event, received) > received


@SETTINGS
@given(first=CENTURY, gap=st.integers(min_value=0, max_value=40), case=st.sampled_from(DAY_EVENTS))
def test_monotone_in_the_receipt_date(first: date, gap: int, case: tuple[str, str]) -> None:
    regime, event = case
    later = first + timedelta(days=gap)
    assert due_of(regime, event, first) <= due_of(regime, event, later)


@SETTINGS
@given(
    received=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    hours=st.integers(min_value=1, max_value=40),
)
def test_hour_clocks_are_monotone_and_after_receipt(received: datetime, gap: timedelta, hours: int) -> None:
    breach = due_of("gdpr", "breach_notice", received)
    assert breach == received + timedelta(hours=72)
    assert breach <= due_of("gdpr", "breach_notice", received + gap)
    level = ServiceLevel(first_response=Target(hours, BUSINESS_HOURS))
    first = due_of("service_level", "first_response", received, service_level=level)
    later = due_of("service_level", "first_response", received + gap, service_level=level)
    assert isinstance(first, datetime)
    assert received < first <= later
    assert Calendar("FI").is_working_day(first.date())
    assert time(8) <= first.time() <= time(16)


@SETTINGS
@given(
    received=CENTURY,
    start=st.integers(min_value=0, max_value=45),
    length=st.integers(min_value=0, max_value=30),
    kind=st.sampled_from(["identity", "clarification", "fee"]),
    regime=st.sampled_from(["gdpr", "uk_gdpr", "ccpa", "us_va", "lgpd", "pipeda", "fadp"]),
)
def test_a_pause_never_shortens_a_deadline(
    received: date, start: int, length: int, kind: str, regime: str
) -> None:
    pause_start = received + timedelta(days=start)
    pause = Pause(pause_start, pause_start + timedelta(days=length), kind=kind)
    for event in ("respond", "extended") if regime not in ("lgpd", "fadp") else ("respond",):
        assert due_of(regime, event, received, pauses=[pause]) >= due_of(regime, event, received)
    for event in ("first_response", "resolution"):
        with_pause = due_of("service_level", event, received, pauses=[pause])
        assert with_pause >= due_of("service_level", event, received)


@SETTINGS
@given(received=CENTURY, regime=st.sampled_from(EXTENDABLE))
def test_an_extension_never_shortens_a_deadline(received: date, regime: str) -> None:
    respond = due_of(regime, "respond", received)
    notice = due_of(regime, "extension_notice", received)
    extended = due_of(regime, "extended", received)
    assert notice == respond
    assert extended > respond


@SETTINGS
@given(received=CENTURY)
def test_christmas_eve_choice_never_gives_an_earlier_date_when_closed(received: date) -> None:
    open_eve = due_of("gdpr", "respond", received, calendar=Calendar("FI"))
    closed_eve = due_of("gdpr", "respond", received, calendar=Calendar("FI", christmas_eve_closed=True))
    assert open_eve <= closed_eve


@SETTINGS
@given(day=CENTURY, months=st.integers(min_value=-24, max_value=36))
def test_add_months_matches_relativedelta(day: date, months: int) -> None:
    assert add_months(day, months) == day + relativedelta(months=months)


def test_easter_matches_dateutil() -> None:
    for year in range(1583, 4100):
        assert easter_sunday(year) == easter(year)
