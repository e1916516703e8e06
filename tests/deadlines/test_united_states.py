"""CCPA/CPRA and the US state laws: literal dates worked by hand (research/deadlines.md §§5-6)."""

from __future__ import annotations

from datetime import date

import pytest

from tickets.deadlines import DayOff, Pause, UnknownEvent, deadline_for

pytestmark = pytest.mark.pure

STATES = ["us_va", "us_ct", "us_co", "us_ut", "us_or"]


def due(regime: str, event: str, received: date, **options: object) -> date:
    return deadline_for(regime=regime, event=event, received=received, **options).due  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2026, 3, 6), date(2026, 3, 20)),  # Fri: Mar 9-13 (5), 16-20 (10)
        (date(2026, 3, 7), date(2026, 3, 20)),  # Sat: counting starts Mon 9 Mar
        # Fri 20 Nov: 23, 24, 25, (26 Thanksgiving), 27, 30, 1, 2, 3, 4, 7 Dec
        (date(2026, 11, 20), date(2026, 12, 7)),
        # Fri 17 Dec 2027: 20-23, (24 Christmas observed), 27-30, (31 New Year observed), 3, 4 Jan
        (date(2027, 12, 17), date(2028, 1, 4)),
    ],
)
def test_ccpa_acknowledge_in_10_business_days(received: date, expected: date) -> None:
    result = deadline_for(regime="ccpa", event="acknowledge", received=received)
    assert result.due == expected
    assert result.interpretation is True
    assert "US federal holidays" in result.interpretation_note
    assert result.basis == "11 CCR §7021(a)"


def test_ccpa_business_days_name_the_holidays_skipped() -> None:
    result = deadline_for(regime="ccpa", event="acknowledge", received=date(2027, 12, 17))
    assert result.skipped == (
        DayOff(date(2027, 12, 24), "Christmas Day (observed)"),
        DayOff(date(2027, 12, 25), "Christmas Day"),
        DayOff(date(2027, 12, 31), "New Year's Day (observed)"),
        DayOff(date(2028, 1, 1), "New Year's Day"),
    )
    assert "skipped on the way: Friday 24 December 2027 (Christmas Day (observed))," in result.explanation


@pytest.mark.parametrize(
    ("received", "respond", "extended"),
    [
        (date(2026, 3, 2), date(2026, 4, 15), date(2026, 5, 30)),  # day 45 / day 90, receipt day 1
        (date(2026, 12, 31), date(2027, 2, 13), date(2027, 3, 30)),  # Sat 13 Feb: not moved
        (date(2027, 1, 20), date(2027, 3, 5), date(2027, 4, 19)),
        (date(2028, 1, 20), date(2028, 3, 4), date(2028, 4, 18)),  # leap year: one day earlier
        (date(2028, 1, 1), date(2028, 2, 14), date(2028, 3, 30)),  # day 45 = 14 Feb
    ],
)
def test_ccpa_respond_and_extended(received: date, respond: date, extended: date) -> None:
    first = deadline_for(regime="ccpa", event="respond", received=received)
    assert (first.nominal, first.due) == (respond, respond)
    assert first.interpretation is True
    assert "day 1" in first.interpretation_note
    assert due("ccpa", "extension_notice", received) == respond
    assert due("ccpa", "extended", received) == extended


def test_ccpa_does_not_move_a_weekend_date_and_says_so() -> None:
    result = deadline_for(regime="ccpa", event="respond", received=date(2026, 12, 31))
    assert result.due == date(2027, 2, 13)  # a Saturday
    assert result.moved_by == ()
    assert "Saturday 13 February 2027 is not a working day, but the statute" in result.interpretation_note


@pytest.mark.parametrize(
    ("event", "received", "expected"),
    [
        # Mon 15 Jun: skips Juneteenth (Fri 19 Jun) and Independence Day observed (Fri 3 Jul).
        ("opt_out", date(2026, 6, 15), date(2026, 7, 8)),
        # Fri 8 Jan 2027: 11-15 (5), (18 MLK), 19-22 (9), 25-29 (14), Mon 1 Feb (15).
        ("opt_out", date(2027, 1, 8), date(2027, 2, 1)),
        ("limit_spi", date(2026, 12, 18), date(2027, 1, 12)),
        ("limit_spi", date(2027, 1, 8), date(2027, 2, 1)),
    ],
)
def test_ccpa_opt_out_and_limit_in_15_business_days(event: str, received: date, expected: date) -> None:
    result = deadline_for(regime="ccpa", event=event, received=received)
    assert result.due == expected
    assert result.period == "15 business days"
    assert result.basis == ("11 CCR §7026(f)" if event == "opt_out" else "11 CCR §7027(g)")


def test_ccpa_pauses_have_no_effect() -> None:
    pause = Pause(date(2026, 3, 3), date(2026, 3, 20), kind="identity")
    for event, expected in [
        ("respond", date(2026, 4, 15)),
        ("acknowledge", date(2026, 3, 16)),
        ("opt_out", date(2026, 3, 23)),
    ]:
        result = deadline_for(regime="ccpa", event=event, received=date(2026, 3, 2), pauses=[pause])
        assert result.due == expected
        assert result.pause_days == 0
        assert any("does not stop" in note for note in result.notes)


def test_ccpa_open_pause_does_not_pause_the_clock() -> None:
    result = deadline_for(
        regime="ccpa", event="respond", received=date(2026, 3, 2), pauses=[Pause(date(2026, 3, 3))]
    )
    assert result.paused is False
    assert result.due == date(2026, 4, 15)


@pytest.mark.parametrize("regime", STATES)
@pytest.mark.parametrize(
    ("received", "respond", "extended"),
    [
        (date(2026, 3, 3), date(2026, 4, 17), date(2026, 6, 1)),
        (date(2026, 1, 1), date(2026, 2, 15), date(2026, 4, 1)),  # Sun 15 Feb: not moved
        (date(2028, 2, 1), date(2028, 3, 17), date(2028, 5, 1)),  # through 29 Feb 2028
        (date(2027, 2, 1), date(2027, 3, 18), date(2027, 5, 2)),
        (date(2026, 12, 20), date(2027, 2, 3), date(2027, 3, 20)),
    ],
)
def test_state_laws_45_plus_45_days(regime: str, received: date, respond: date, extended: date) -> None:
    assert due(regime, "respond", received) == respond
    assert due(regime, "refusal", received) == respond
    assert due(regime, "extension_notice", received) == respond
    assert due(regime, "extended", received) == extended


@pytest.mark.parametrize("regime", STATES)
def test_state_law_dates_are_not_moved_off_closed_days(regime: str) -> None:
    # 4 Mar + 45 = Sat 18 Apr 2026; 10 Apr + 45 = Mon 25 May 2026, Memorial Day.
    saturday = deadline_for(regime=regime, event="respond", received=date(2026, 3, 4))
    assert saturday.due == date(2026, 4, 18)
    assert saturday.interpretation is True
    assert "provides no move" in saturday.interpretation_note
    memorial = deadline_for(regime=regime, event="respond", received=date(2026, 4, 10))
    assert memorial.due == date(2026, 5, 25)
    assert "Memorial Day" in memorial.interpretation_note
    weekday = deadline_for(regime=regime, event="respond", received=date(2026, 3, 3))
    assert weekday.interpretation is False


@pytest.mark.parametrize(
    ("regime", "received", "expected", "flagged"),
    [
        ("us_va", date(2026, 6, 1), date(2026, 7, 31), False),  # 60 days
        ("us_ct", date(2026, 2, 9), date(2026, 4, 10), False),  # 60 days
        ("us_va", date(2028, 1, 15), date(2028, 3, 15), False),  # 60 days through 29 Feb
        ("us_co", date(2026, 6, 1), date(2026, 7, 16), True),  # 45 days, unverified
        ("us_or", date(2026, 6, 1), date(2026, 7, 16), True),  # 45 days, unverified
    ],
)
def test_state_appeals(regime: str, received: date, expected: date, flagged: bool) -> None:
    result = deadline_for(regime=regime, event="appeal", received=received)
    assert result.due == expected
    assert result.interpretation is flagged


def test_utah_has_no_appeal() -> None:
    with pytest.raises(UnknownEvent, match="us_ut has no event 'appeal'"):
        deadline_for(regime="us_ut", event="appeal", received=date(2026, 3, 3))


@pytest.mark.parametrize("regime", STATES)
def test_state_pauses_have_no_effect(regime: str) -> None:
    result = deadline_for(
        regime=regime,
        event="respond",
        received=date(2026, 3, 3),
        pauses=[Pause(date(2026, 3, 4), date(2026, 3, 20))],
    )
    assert result.due == date(2026, 4, 17)
    assert any("no stop-the-clock" in note for note in result.notes)
