"""GDPR, UK GDPR, DPA 2018 s.164A and the 72-hour breach clock: literal dates worked by hand
from research/deadlines.md §§2-4 and a printed calendar."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.deadlines import Calendar, DayOff, Pause, deadline_for

pytestmark = pytest.mark.pure

FI = Calendar("FI")
ENG = Calendar("GB-ENG")
HELSINKI = ZoneInfo("Europe/Helsinki")


def gdpr(event: str, received: date, **options: object) -> date:
    return deadline_for(regime="gdpr", event=event, received=received, calendar=FI, **options).due  # type: ignore[arg-type]


def uk(event: str, received: date, **options: object) -> date:
    return deadline_for(regime="uk_gdpr", event=event, received=received, calendar=ENG, **options).due  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 5), date(2026, 4, 7)),  # Sun 5 Apr Easter, Mon 6 Easter Monday -> Tue 7
        (date(2025, 2, 28), date(2025, 3, 28)),  # the trap: 28 Mar (Fri), not 31 Mar
        (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 Feb -> Sat 28 Feb -> Mon 2 Mar
        (date(2028, 1, 29), date(2028, 2, 29)),  # leap year: Tue 29 Feb 2028
        (date(2028, 1, 31), date(2028, 2, 29)),  # no 31 Feb -> 29 Feb in a leap year
        (date(2027, 1, 31), date(2027, 3, 1)),  # no 31 Feb -> Sun 28 Feb -> Mon 1 Mar
        (date(2028, 2, 29), date(2028, 3, 29)),  # from a leap day: Wed 29 Mar
        (date(2024, 1, 31), date(2024, 2, 29)),  # Thu 29 Feb 2024
        (date(2024, 2, 29), date(2024, 4, 2)),  # Fri 29 Mar 2024 Good Friday .. Easter Mon -> Tue
        (date(2027, 12, 31), date(2028, 1, 31)),  # year end: Mon 31 Jan 2028
        (date(2028, 12, 31), date(2029, 1, 31)),  # Wed 31 Jan 2029
        (date(2026, 8, 31), date(2026, 9, 30)),  # EDPB Example 33: 31 Aug -> 30 Sep (Wed)
        (date(2026, 6, 12), date(2026, 7, 13)),  # Sun 12 Jul -> Mon 13 Jul
    ],
)
def test_gdpr_respond(received: date, due: date) -> None:
    assert gdpr("respond", received) == due


def test_gdpr_result_explains_itself() -> None:
    result = deadline_for(regime="gdpr", event="respond", received=date(2026, 12, 31), calendar=FI)
    assert result.rule == "gdpr.respond"
    assert result.basis == "GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)"
    assert (result.nominal, result.due) == (date(2027, 1, 31), date(2027, 2, 1))
    assert result.moved_by == (DayOff(date(2027, 1, 31), "Sunday"),)
    assert result.interpretation is False
    assert result.interpretation_note == ""
    assert result.period == "1 month"
    assert result.explanation == (
        "The GDPR response to a request received on Thursday 31 December 2026 is due by the end "
        "of Monday 1 February 2027. One month from receipt ends on Sunday 31 January 2027. "
        "Sunday 31 January 2027 is not a working day, so the deadline moves to the next working "
        "day. Legal basis: GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)."
    )


@pytest.mark.parametrize("event", ["refusal", "extension_notice"])
def test_gdpr_refusal_and_extension_notice_fall_on_the_response_date(event: str) -> None:
    assert gdpr(event, date(2026, 3, 5)) == date(2026, 4, 7)
    assert gdpr(event, date(2026, 12, 31)) == date(2027, 2, 1)
    result = deadline_for(regime="gdpr", event=event, received=date(2026, 3, 2), calendar=FI)
    assert result.rule == f"gdpr.{event}"
    assert result.basis.startswith("GDPR Art. 12(4)" if event == "refusal" else "GDPR Art. 12(3)")


@pytest.mark.parametrize(
    ("received", "nominal", "due"),
    [
        # min(receipt + 3 months, one-month date + 2 months), then moved.
        (date(2027, 1, 31), date(2027, 4, 28), date(2027, 4, 28)),  # 30 Apr vs 28 Feb+2 = 28 Apr
        (date(2026, 1, 31), date(2026, 4, 28), date(2026, 4, 28)),  # 30 Apr vs 28 Apr (Tue)
        (date(2027, 11, 30), date(2028, 2, 29), date(2028, 2, 29)),  # leap: both 29 Feb (Tue)
        (date(2026, 3, 31), date(2026, 6, 30), date(2026, 6, 30)),  # 30 Jun vs 30 Apr+2 = 30 Jun
        (date(2026, 12, 2), date(2027, 3, 2), date(2027, 3, 2)),  # Tue 2 Mar 2027
        (date(2026, 2, 10), date(2026, 5, 10), date(2026, 5, 11)),  # Sun 10 May -> Mon 11
    ],
)
def test_gdpr_extended(received: date, nominal: date, due: date) -> None:
    result = deadline_for(regime="gdpr", event="extended", received=received, calendar=FI)
    assert (result.nominal, result.due) == (nominal, due)
    assert result.interpretation is True
    assert "earlier of receipt + 3 months" in result.interpretation_note
    assert result.period == "3 months"
    assert any("Assumes the extension is notified" in note for note in result.notes)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 2), date(2026, 4, 2)),
        (date(2025, 1, 31), date(2025, 2, 28)),  # ICO: 31 Jan -> 28 Feb
        (date(2028, 1, 31), date(2028, 2, 29)),  # ICO: 29 February in a leap year
        (date(2025, 12, 1), date(2026, 1, 2)),  # Thu 1 Jan 2026 bank holiday -> Fri 2 Jan
        (date(2026, 11, 25), date(2026, 12, 29)),  # Fri 25, Sat 26, Sun, Mon 28 (observed) -> Tue
    ],
)
def test_uk_respond(received: date, due: date) -> None:
    assert uk("respond", received) == due
    assert uk("refusal", received) == due
    assert uk("extension_notice", received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 1, 31), date(2025, 4, 30)),  # ICO: three months from the start date
        (date(2027, 1, 31), date(2027, 4, 30)),  # the EU method would give 28 Apr
        (date(2026, 3, 2), date(2026, 6, 2)),
        (date(2026, 5, 30), date(2026, 9, 1)),  # Sun 30 Aug, Mon 31 Aug bank holiday -> Tue 1 Sep
    ],
)
def test_uk_extended(received: date, due: date) -> None:
    result = deadline_for(regime="uk_gdpr", event="extended", received=received, calendar=ENG)
    assert result.due == due
    assert result.interpretation is False


def test_uk_relevant_time_is_a_restart() -> None:
    # Identity information received 10 Feb -> one month from then: Tue 10 Mar 2026.
    result = deadline_for(
        regime="uk_gdpr",
        event="respond",
        received=date(2026, 1, 31),
        calendar=ENG,
        identity_received=date(2026, 2, 10),
    )
    assert (result.clock_start, result.due) == (date(2026, 2, 10), date(2026, 3, 10))
    assert result.pause_days == 0
    assert "relevant time, Tuesday 10 February 2026, ends on" in result.explanation
    # A fee paid on 5 Mar: 5 Apr is Easter Sunday, 6 Apr Easter Monday -> Tue 7 Apr.
    assert uk("respond", date(2026, 3, 2), fee_paid=date(2026, 3, 5)) == date(2026, 4, 7)
    # The latest of the two wins: fee 12 Mar -> Sun 12 Apr -> Mon 13 Apr.
    assert uk(
        "respond", date(2026, 3, 2), identity_received=date(2026, 3, 10), fee_paid=date(2026, 3, 12)
    ) == date(2026, 4, 13)
    # Identity on the day of receipt changes nothing.
    assert uk("respond", date(2026, 3, 2), identity_received=date(2026, 3, 2)) == date(2026, 4, 2)


@pytest.mark.parametrize("kind", ["identity", "fee"])
def test_uk_identity_or_fee_pause_restarts_from_its_end(kind: str) -> None:
    pause = Pause(date(2026, 3, 3), date(2026, 3, 16), kind=kind)
    result = deadline_for(
        regime="uk_gdpr", event="respond", received=date(2026, 3, 2), calendar=ENG, pauses=[pause]
    )
    assert (result.clock_start, result.due) == (date(2026, 3, 16), date(2026, 4, 16))
    # The extension is three months from the relevant time: Tue 16 Jun 2026.
    assert uk("extended", date(2026, 3, 2), pauses=[pause]) == date(2026, 6, 16)


def test_uk_clarification_days_do_not_count_both_ends_included() -> None:
    pause = Pause(date(2026, 3, 4), date(2026, 3, 10))  # 4..10 March: 7 days
    result = deadline_for(
        regime="uk_gdpr", event="respond", received=date(2026, 3, 2), calendar=ENG, pauses=[pause]
    )
    assert (result.nominal, result.due, result.pause_days) == (date(2026, 4, 9), date(2026, 4, 9), 7)
    assert result.interpretation is True
    assert "both included" in result.interpretation_note
    # The same days push back the extension notice and the extended date: 2 Jun + 7 = Tue 9 Jun.
    assert uk("extension_notice", date(2026, 3, 2), pauses=[pause]) == date(2026, 4, 9)
    assert uk("extended", date(2026, 3, 2), pauses=[pause]) == date(2026, 6, 9)


def test_uk_restart_and_clarification_together() -> None:
    # Relevant time 16 Mar (identity); clarification 20..24 Mar = 5 days: 16 Apr + 5 = Tue 21 Apr.
    assert uk(
        "respond",
        date(2026, 3, 2),
        identity_received=date(2026, 3, 16),
        pauses=[Pause(date(2026, 3, 20), date(2026, 3, 24))],
    ) == date(2026, 4, 21)
    # Clarification 10..20 Mar straddles the relevant time (16 Mar): only 16..20 count (5 days).
    assert uk(
        "respond",
        date(2026, 3, 2),
        identity_received=date(2026, 3, 16),
        pauses=[Pause(date(2026, 3, 10), date(2026, 3, 20))],
    ) == date(2026, 4, 21)
    # Clarification wholly before the relevant time counts nothing.
    assert uk(
        "respond",
        date(2026, 3, 2),
        identity_received=date(2026, 3, 16),
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 5))],
    ) == date(2026, 4, 16)


def test_uk_clarification_applies_to_access_requests_only() -> None:
    pause = Pause(date(2026, 3, 4), date(2026, 3, 10))
    erasure = deadline_for(
        regime="uk_gdpr",
        event="respond",
        received=date(2026, 3, 2),
        calendar=ENG,
        pauses=[pause],
        kind="erasure",
    )
    assert erasure.due == date(2026, 4, 2)
    assert any("Art. 15 (access) requests only" in note for note in erasure.notes)
    access = deadline_for(
        regime="uk_gdpr",
        event="respond",
        received=date(2026, 3, 2),
        calendar=ENG,
        pauses=[pause],
        kind="access",
    )
    assert access.due == date(2026, 4, 9)


def test_uk_pauses_after_the_period_are_not_counted() -> None:
    late_clarification = Pause(date(2026, 4, 3), date(2026, 4, 8))
    late_identity = Pause(date(2026, 4, 3), date(2026, 4, 8), kind="identity")
    assert uk("respond", date(2026, 3, 2), pauses=[late_clarification]) == date(2026, 4, 2)
    assert uk("respond", date(2026, 3, 2), pauses=[late_identity]) == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("received", "code", "due"),
    [
        (date(2026, 7, 1), "GB-ENG", date(2026, 7, 31)),  # 30 days after: Fri 31 Jul
        (date(2026, 6, 19), "GB-ENG", date(2026, 7, 20)),  # Sun 19 Jul -> Mon 20 Jul
        (date(2026, 11, 26), "GB-ENG", date(2026, 12, 29)),  # Sat 26 Dec .. Mon 28 (obs) -> Tue
        (date(2026, 7, 4), "GB-ENG", date(2026, 8, 3)),  # Mon 3 Aug is open in England
        (date(2026, 7, 4), "GB-SCT", date(2026, 8, 4)),  # ... and Scotland's bank holiday
    ],
)
def test_uk_complaint_acknowledgement(received: date, code: str, due: date) -> None:
    result = deadline_for(regime="uk_gdpr", event="complaint_ack", received=received, calendar=code)
    assert result.due == due
    assert result.nominal == received + timedelta(days=30)
    assert result.interpretation is True
    assert "day of receipt as day 1" in result.interpretation_note
    assert result.basis.startswith("DPA 2018 s.164A(3)")
    assert not any("19 June 2026" in note for note in result.notes)


def test_uk_complaint_acknowledgement_before_commencement_and_with_pauses() -> None:
    result = deadline_for(
        regime="uk_gdpr",
        event="complaint_ack",
        received=date(2026, 3, 2),
        calendar=ENG,
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 9))],
    )
    assert result.due == date(2026, 4, 1)  # Wed 1 Apr: pauses do not move it
    assert any("19 June 2026" in note for note in result.notes)
    assert any("no stop-the-clock" in note for note in result.notes)


@pytest.mark.parametrize("regime", ["gdpr", "uk_gdpr"])
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 3, 6, 14, 30), datetime(2026, 3, 9, 14, 30)),  # Fri -> Mon, weekend counts
        (datetime(2028, 2, 27, 23, 0), datetime(2028, 3, 1, 23, 0)),  # through 29 Feb 2028
        (datetime(2026, 12, 30, 8, 15), datetime(2027, 1, 2, 8, 15)),  # year end, a Saturday
        (datetime(2026, 12, 24, 9, 0), datetime(2026, 12, 27, 9, 0)),  # holidays count too
    ],
)
def test_breach_notice_is_72_hours(regime: str, received: datetime, due: datetime) -> None:
    result = deadline_for(regime=regime, event="breach_notice", received=received)
    assert result.due == due
    assert result.moved_by == ()
    assert result.interpretation is True
    assert "exactly 72 hours" in result.interpretation_note
    assert result.period == "72 hours"


def test_breach_bases_differ_by_regime() -> None:
    moment = datetime(2026, 3, 6, 14, 30)
    assert deadline_for(regime="gdpr", event="breach_notice", received=moment).basis.startswith(
        "GDPR Art. 33(1)"
    )
    assert deadline_for(regime="uk_gdpr", event="breach_notice", received=moment).basis.startswith(
        "UK GDPR Art. 33(1)"
    )


def test_breach_notice_across_clock_changes_takes_the_earlier_moment() -> None:
    # Spring: Fri 27 Mar 2026 14:30 EET; clocks go forward on Sun 29 Mar. 72 hours of elapsed
    # time end at 15:30 EEST; by the wall clock at 14:30 EEST, which is earlier.
    spring = deadline_for(
        regime="gdpr", event="breach_notice", received=datetime(2026, 3, 27, 14, 30, tzinfo=HELSINKI)
    )
    assert spring.due == datetime(2026, 3, 30, 14, 30, tzinfo=HELSINKI)
    assert isinstance(spring.due, datetime)
    assert spring.due.utcoffset() == timedelta(hours=3)
    assert "clocks change" in spring.interpretation_note
    # Autumn: Fri 23 Oct 2026 10:00 EEST; clocks go back on Sun 25 Oct. Elapsed time ends at
    # 09:00 EET, the wall clock at 10:00 EET: 09:00 is used.
    autumn = deadline_for(
        regime="gdpr", event="breach_notice", received=datetime(2026, 10, 23, 10, 0, tzinfo=HELSINKI)
    )
    assert isinstance(autumn.due, datetime)
    assert autumn.due.astimezone(UTC) == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert autumn.to_dict()["due"] == "2026-10-26T09:00+02:00"
    # A fixed offset has no clock change.
    fixed = deadline_for(
        regime="gdpr", event="breach_notice", received=datetime(2026, 3, 27, 14, 30, tzinfo=UTC)
    )
    assert fixed.due == datetime(2026, 3, 30, 14, 30, tzinfo=UTC)
    assert "clocks change" not in fixed.interpretation_note


def test_breach_notice_from_a_date_only_and_with_pauses() -> None:
    result = deadline_for(
        regime="gdpr",
        event="breach_notice",
        received=date(2026, 3, 6),
        pauses=[Pause(date(2026, 3, 7), date(2026, 3, 8))],
    )
    assert result.due == datetime(2026, 3, 9, 0, 0)
    assert result.to_dict()["due"] == "2026-03-09T00:00"
    assert any("start of that day" in note for note in result.notes)
    assert any("do not stop the Art. 33 clock" in note for note in result.notes)


def test_a_day_clock_takes_the_date_of_a_date_time() -> None:
    # Received at 23:59 on 1 Aug 2026: that day counts (research §2.2) -> Tue 1 Sep.
    result = deadline_for(regime="gdpr", event="respond", received=datetime(2026, 8, 1, 23, 59), calendar=FI)
    assert result.due == date(2026, 9, 1)
    assert result.to_dict()["received"] == "2026-08-01T23:59"
