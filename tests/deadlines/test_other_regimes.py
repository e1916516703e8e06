"""LGPD, PIPEDA and the Swiss FADP: literal dates worked by hand (research/deadlines.md §§7-9)."""

from __future__ import annotations

from datetime import date

import pytest

from tickets.deadlines import DayOff, ExtensionNotAllowed, Pause, deadline_for

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("received", "small_agent", "nominal", "due", "flagged"),
    [
        (date(2026, 3, 2), False, date(2026, 3, 17), date(2026, 3, 17), False),
        (date(2026, 3, 2), True, date(2026, 4, 1), date(2026, 4, 1), False),  # double: 30 days
        # Sat 21 Mar -> Mon 23 Mar: the weekend move is the documented choice (§7).
        (date(2026, 3, 6), False, date(2026, 3, 21), date(2026, 3, 23), True),
        # Tue 21 Apr is Tiradentes' Day: a holiday move, which Art. 132 §1 itself makes.
        (date(2026, 4, 6), False, date(2026, 4, 21), date(2026, 4, 22), False),
        # Fri 20 Nov: Zumbi and Black Awareness Day -> Sat, Sun -> Mon 23 Nov.
        (date(2026, 11, 5), False, date(2026, 11, 20), date(2026, 11, 23), True),
        # Small agent: Mon 2 Nov (All Souls' Day) -> Tue 3 Nov.
        (date(2026, 10, 3), True, date(2026, 11, 2), date(2026, 11, 3), False),
        # Year end: Fri 1 Jan 2027 -> Mon 4 Jan.
        (date(2026, 12, 17), False, date(2027, 1, 1), date(2027, 1, 4), True),
        # Leap year: 14 Feb + 15 = Wed 29 Feb 2028.
        (date(2028, 2, 14), False, date(2028, 2, 29), date(2028, 2, 29), False),
    ],
)
def test_lgpd_respond(received: date, small_agent: bool, nominal: date, due: date, flagged: bool) -> None:
    result = deadline_for(regime="lgpd", event="respond", received=received, small_agent=small_agent)
    assert (result.nominal, result.due) == (nominal, due)
    assert result.interpretation is flagged
    assert ("Resolução CD/ANPD" in result.basis) is small_agent
    assert result.period == ("30 days" if small_agent else "15 days")


def test_lgpd_allows_no_extension_and_ignores_pauses() -> None:
    for event in ("extended", "extension_notice"):
        with pytest.raises(ExtensionNotAllowed, match="lgpd allows no extension"):
            deadline_for(regime="lgpd", event=event, received=date(2026, 3, 2))
    result = deadline_for(
        regime="lgpd",
        event="respond",
        received=date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 10))],
    )
    assert result.due == date(2026, 3, 17)
    assert any("no stop-the-clock" in note for note in result.notes)


@pytest.mark.parametrize(
    ("received", "nominal", "due", "flagged"),
    [
        (date(2026, 3, 2), date(2026, 4, 1), date(2026, 4, 1), False),
        (date(2026, 3, 5), date(2026, 4, 4), date(2026, 4, 4), True),  # Saturday: not moved
        (date(2026, 3, 6), date(2026, 4, 5), date(2026, 4, 7), False),  # Sun, Easter Mon -> Tue
        (date(2026, 3, 4), date(2026, 4, 3), date(2026, 4, 4), True),  # Good Friday -> Sat 4 Apr
        (date(2026, 4, 18), date(2026, 5, 18), date(2026, 5, 19), False),  # Victoria Day
        (date(2026, 6, 1), date(2026, 7, 1), date(2026, 7, 2), False),  # Canada Day (Wed)
        (date(2026, 8, 8), date(2026, 9, 7), date(2026, 9, 8), False),  # Labour Day
        (date(2026, 9, 12), date(2026, 10, 12), date(2026, 10, 12), True),  # Thanksgiving: open
        (date(2026, 10, 12), date(2026, 11, 11), date(2026, 11, 12), False),  # Remembrance Day
        (date(2026, 11, 25), date(2026, 12, 25), date(2026, 12, 28), False),  # Christmas..Sunday
        (date(2026, 12, 2), date(2027, 1, 1), date(2027, 1, 2), True),  # New Year's -> Sat 2 Jan
        (date(2027, 2, 27), date(2027, 3, 29), date(2027, 3, 30), False),  # Easter Monday 2027
        (date(2027, 11, 25), date(2027, 12, 25), date(2027, 12, 27), False),  # Sat Christmas, Sun
        (date(2029, 6, 1), date(2029, 7, 1), date(2029, 7, 2), True),  # Canada Day on a Sunday
        (date(2022, 12, 2), date(2023, 1, 1), date(2023, 1, 2), True),  # New Year's on a Sunday
        (date(2028, 1, 30), date(2028, 2, 29), date(2028, 2, 29), False),  # leap day (Tue)
    ],
)
def test_pipeda_respond(received: date, nominal: date, due: date, flagged: bool) -> None:
    result = deadline_for(regime="pipeda", event="respond", received=received)
    assert (result.nominal, result.due) == (nominal, due)
    assert result.interpretation is flagged
    assert deadline_for(regime="pipeda", event="refusal", received=received).due == due
    assert deadline_for(regime="pipeda", event="extension_notice", received=received).due == due


def test_pipeda_moves_only_off_sundays_and_s35_holidays() -> None:
    result = deadline_for(regime="pipeda", event="respond", received=date(2026, 3, 6))
    assert result.moved_by == (
        DayOff(date(2026, 4, 5), "Sunday"),  # Easter Sunday is not on the s.35 list: a Sunday
        DayOff(date(2026, 4, 6), "Easter Monday"),
    )
    assert result.basis == "PIPEDA s.8(3); Interpretation Act ss.26, 27, 35"


@pytest.mark.parametrize(
    ("received", "nominal", "due"),
    [
        (date(2026, 3, 2), date(2026, 5, 1), date(2026, 5, 1)),
        # The first limit is Sun 5 Apr (nominal); + 30 = Tue 5 May, not 30 days after 7 Apr.
        (date(2026, 3, 6), date(2026, 5, 5), date(2026, 5, 5)),
        # First limit Sat 4 Apr; + 30 = Mon 4 May.
        (date(2026, 3, 5), date(2026, 5, 4), date(2026, 5, 4)),
        # 20 Apr + 60 = Fri 19 Jun.
        (date(2026, 4, 20), date(2026, 6, 19), date(2026, 6, 19)),
        # 2 May + 60 = Wed 1 Jul, Canada Day -> Thu 2 Jul.
        (date(2026, 5, 2), date(2026, 7, 1), date(2026, 7, 2)),
    ],
)
def test_pipeda_extended(received: date, nominal: date, due: date) -> None:
    result = deadline_for(regime="pipeda", event="extended", received=received)
    assert (result.nominal, result.due) == (nominal, due)
    assert any("s.8(4)(b)" in note for note in result.notes)


def test_pipeda_ignores_pauses() -> None:
    result = deadline_for(
        regime="pipeda",
        event="respond",
        received=date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 10))],
    )
    assert result.due == date(2026, 4, 1)
    assert any("PIPEDA has no stop-the-clock" in note for note in result.notes)
    extended = deadline_for(
        regime="pipeda",
        event="extended",
        received=date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 10))],
    )
    assert extended.due == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("received", "due", "flagged"),
    [
        (date(2026, 3, 2), date(2026, 4, 1), False),
        (date(2026, 3, 5), date(2026, 4, 4), True),  # Saturday: not moved (§13)
        (date(2026, 11, 25), date(2026, 12, 25), True),  # Christmas Day: not moved
        (date(2026, 4, 14), date(2026, 5, 14), True),  # Ascension Day (Thu): not moved
        (date(2028, 1, 30), date(2028, 2, 29), False),  # leap day
        (date(2026, 12, 15), date(2027, 1, 14), False),  # year end
    ],
)
def test_fadp_respond(received: date, due: date, flagged: bool) -> None:
    result = deadline_for(regime="fadp", event="respond", received=received)
    assert (result.nominal, result.due) == (due, due)
    assert result.moved_by == ()
    assert result.interpretation is flagged
    assert deadline_for(regime="fadp", event="refusal", received=received).due == due


def test_fadp_allows_no_extension_and_ignores_pauses() -> None:
    for event in ("extended", "extension_notice"):
        with pytest.raises(ExtensionNotAllowed, match="fadp allows no extension"):
            deadline_for(regime="fadp", event=event, received=date(2026, 3, 2))
    result = deadline_for(
        regime="fadp", event="respond", received=date(2026, 3, 2), pauses=[Pause(date(2026, 3, 3))]
    )
    assert result.due == date(2026, 4, 1)
    assert result.paused is False
    assert any("The FADP has no stop-the-clock" in note for note in result.notes)
