"""Pauses, extensions and refusals: what each regime does with them (research/deadlines.md
§2.4, §2.5, §3.3, §5.4, §11.4-5), with literal dates."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

from datetime import date, datetime

import pytest

from tickets.deadlines import (
    REGIMES,
    Calendar,
    DeadlineError,
    Extension,
    ExtensionNotAllowed,
    InvalidPause,
    InvalidReceipt,
    Pause,
    UnknownEvent,
    UnknownRegime,
    deadline_for,
    default_calendar,
)

pytestmark = pytest.mark.pure

FI = Calendar("FI")
MARCH_2 = date(2026, 3, 2)  # a Monday; GDPR one month: Thu 2 Apr 2026


def gdpr(event: str = "respond", **options: object) -> date:
    return deadline_for(regime="gdpr", event=event, received=MARCH_2, calendar=FI, **options).due  # type: ignore[arg-type]


class TestEuropeanPauses:
    def test_identity_and_clarification_suspend_by_end_minus_start(self) -> None:
        for kind in ("identity", "clarification"):
            result = deadline_for(
                regime="gdpr",
                event="respond",
                received=MARCH_2,
                calendar=FI,
                pauses=[Pause(date(2026, 3, 3), date(2026, 3, 9), kind=kind)],
            )
            assert (result.due, result.pause_days) == (date(2026, 4, 8), 6)
            assert result.interpretation is True
            assert "question day excluded" in result.interpretation_note

    def test_several_pauses_add_up(self) -> None:
        # 2 + 3 days: Thu 2 Apr + 5 = Tue 7 Apr (after Easter Monday).
        pauses = [Pause(date(2026, 3, 10), date(2026, 3, 13)), Pause(date(2026, 3, 3), date(2026, 3, 5))]
        assert gdpr(pauses=pauses) == date(2026, 4, 7)

    def test_a_pause_can_push_the_date_onto_a_holiday(self) -> None:
        # One day: Fri 3 Apr, Good Friday -> Tue 7 Apr.
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 3, 4), date(2026, 3, 5))],
        )
        assert (result.nominal, result.due) == (date(2026, 4, 3), date(2026, 4, 7))

    def test_a_same_day_pause_adds_nothing(self) -> None:
        assert gdpr(pauses=[Pause(date(2026, 3, 4), date(2026, 3, 4))]) == date(2026, 4, 2)

    def test_a_fee_pause_does_not_stop_the_gdpr_clock(self) -> None:
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 3, 3), date(2026, 3, 20), kind="fee")],
        )
        assert (result.due, result.pause_days, result.interpretation) == (date(2026, 4, 2), 0, False)
        assert any("does not stop the GDPR clock" in note for note in result.notes)

    def test_a_pause_after_the_period_is_not_counted(self) -> None:
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 4, 10), date(2026, 4, 15))],
        )
        assert result.due == date(2026, 4, 2)
        assert any("after the period had ended" in note for note in result.notes)

    def test_a_pause_started_on_the_last_day_counts(self) -> None:
        # 2..6 Apr: 4 days -> Mon 6 Apr, Easter Monday -> Tue 7 Apr.
        assert gdpr(pauses=[Pause(date(2026, 4, 2), date(2026, 4, 6))]) == date(2026, 4, 7)

    def test_pauses_move_the_extension_notice_and_the_extended_date(self) -> None:
        pause = Pause(date(2026, 2, 12), date(2026, 2, 19))  # 7 days
        extension_notice = deadline_for(
            regime="gdpr", event="extension_notice", received=date(2026, 2, 10), calendar=FI, pauses=[pause]
        )
        assert extension_notice.due == date(2026, 3, 17)  # Tue 10 Mar + 7
        extended = deadline_for(
            regime="gdpr", event="extended", received=date(2026, 2, 10), calendar=FI, pauses=[pause]
        )
        assert (extended.nominal, extended.due) == (date(2026, 5, 17), date(2026, 5, 18))
        assert extended.pause_days == 7


class TestOpenPauses:
    def test_an_open_pause_is_ignored_but_reported(self) -> None:
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 3, 3), kind="identity")],
        )
        assert (result.due, result.paused, result.pause_days) == (date(2026, 4, 2), True, 0)
        assert any("not counted yet" in note for note in result.notes)

    def test_as_of_counts_the_open_pause_up_to_that_day(self) -> None:
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 3, 3), kind="identity")],
            as_of=date(2026, 3, 9),
        )
        assert (result.due, result.paused, result.pause_days) == (date(2026, 4, 8), True, 6)
        assert any("provisional" in note for note in result.notes)

    def test_as_of_with_a_datetime_and_a_closed_pause_before_the_open_one(self) -> None:
        pauses = [Pause(date(2026, 3, 3), date(2026, 3, 5)), Pause(date(2026, 3, 10))]
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=pauses,
            as_of=datetime(2026, 3, 12, 9, 0),
        )
        # 2 + 2 days: Mon 6 Apr, Easter Monday -> Tue 7 Apr.
        assert (result.due, result.pause_days) == (date(2026, 4, 7), 4)

    def test_uk_open_clarification_with_as_of(self) -> None:
        result = deadline_for(
            regime="uk_gdpr",
            event="respond",
            received=MARCH_2,
            calendar="GB-ENG",
            pauses=[Pause(date(2026, 3, 4))],
            as_of=date(2026, 3, 10),
        )
        assert (result.due, result.paused) == (date(2026, 4, 9), True)

    def test_uk_open_identity_request_with_as_of_restarts_from_as_of(self) -> None:
        result = deadline_for(
            regime="uk_gdpr",
            event="respond",
            received=MARCH_2,
            calendar="GB-ENG",
            pauses=[Pause(date(2026, 3, 3), kind="identity")],
            as_of=date(2026, 3, 16),
        )
        assert (result.clock_start, result.due, result.paused) == (date(2026, 3, 16), date(2026, 4, 16), True)

    def test_a_fee_pause_left_open_does_not_pause_the_gdpr_clock(self) -> None:
        result = deadline_for(
            regime="gdpr",
            event="respond",
            received=MARCH_2,
            calendar=FI,
            pauses=[Pause(date(2026, 3, 3), kind="fee")],
        )
        assert result.paused is False


class TestInvalidPauses:
    @pytest.mark.parametrize(
        ("pauses", "as_of", "message"),
        [
            ([Pause(date(2026, 3, 1), date(2026, 3, 4))], None, "before receipt"),
            (
                [Pause(date(2026, 3, 3), date(2026, 3, 10)), Pause(date(2026, 3, 5), date(2026, 3, 12))],
                None,
                "overlap",
            ),
            ([Pause(date(2026, 3, 3)), Pause(date(2026, 3, 5), date(2026, 3, 12))], None, "overlap"),
            ([Pause(date(2026, 3, 3)), Pause(date(2026, 3, 5))], None, "overlap"),
            ([Pause(date(2026, 3, 5))], date(2026, 3, 4), "before the open pause started"),
        ],
    )
    def test_refused(self, pauses: list[Pause], as_of: date | None, message: str) -> None:
        with pytest.raises(InvalidPause, match=message):
            deadline_for(
                regime="gdpr", event="respond", received=MARCH_2, calendar=FI, pauses=pauses, as_of=as_of
            )

    def test_a_pause_may_start_the_day_the_previous_one_ended(self) -> None:
        pauses = [Pause(date(2026, 3, 3), date(2026, 3, 5)), Pause(date(2026, 3, 5), date(2026, 3, 6))]
        assert gdpr(pauses=pauses) == date(2026, 4, 7)  # 2 + 1 days -> Sun 5 Apr .. -> Tue 7 Apr

    def test_a_pause_checks_itself(self) -> None:
        with pytest.raises(InvalidPause, match="cannot end"):
            Pause(date(2026, 3, 5), date(2026, 3, 4))
        with pytest.raises(InvalidPause, match="unknown pause kind"):
            Pause(date(2026, 3, 5), kind="holiday")
        with pytest.raises(InvalidPause, match="must be a date"):
            Pause("2026-03-05")  # type: ignore[arg-type]
        assert Pause(datetime(2026, 3, 5, 10, 0), datetime(2026, 3, 6, 9, 0)).start == date(2026, 3, 5)

    def test_uk_dates_before_receipt_are_refused(self) -> None:
        with pytest.raises(InvalidPause, match="identity information"):
            deadline_for(
                regime="uk_gdpr", event="respond", received=MARCH_2, identity_received=date(2026, 3, 1)
            )
        with pytest.raises(InvalidPause, match="fee payment"):
            deadline_for(regime="uk_gdpr", event="respond", received=MARCH_2, fee_paid=date(2026, 3, 1))


class TestExtensions:
    REASON = "complex: three systems hold the data"

    @pytest.mark.parametrize(
        ("regime", "received", "last_day", "extended"),
        [
            ("gdpr", date(2026, 2, 10), date(2026, 3, 10), date(2026, 5, 11)),
            ("gdpr", date(2026, 12, 31), date(2027, 2, 1), date(2027, 3, 31)),  # moved notice date
            ("uk_gdpr", date(2025, 1, 31), date(2025, 2, 28), date(2025, 4, 30)),
            ("ccpa", date(2026, 3, 2), date(2026, 4, 15), date(2026, 5, 30)),
            ("us_va", date(2026, 3, 3), date(2026, 4, 17), date(2026, 6, 1)),
            ("us_or", date(2026, 3, 3), date(2026, 4, 17), date(2026, 6, 1)),
            ("pipeda", date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 1)),
        ],
    )
    def test_notified_on_the_last_day_is_accepted_the_day_after_is_not(
        self, regime: str, received: date, last_day: date, extended: date
    ) -> None:
        calendar = default_calendar(regime)
        on_time = deadline_for(
            regime=regime,
            event="extended",
            received=received,
            calendar=calendar,
            extension=Extension(last_day, self.REASON),
        )
        assert on_time.due == extended
        assert any(self.REASON in note for note in on_time.notes)
        late = Extension(date.fromordinal(last_day.toordinal() + 1), self.REASON)
        with pytest.raises(ExtensionNotAllowed, match="no longer available"):
            deadline_for(
                regime=regime, event="extended", received=received, calendar=calendar, extension=late
            )
        # The same check applies whatever event is asked for.
        with pytest.raises(ExtensionNotAllowed):
            deadline_for(regime=regime, event="respond", received=received, calendar=calendar, extension=late)

    def test_a_pause_moves_the_last_day_to_notify(self) -> None:
        pause = Pause(date(2026, 2, 12), date(2026, 2, 19))
        ok = deadline_for(
            regime="gdpr",
            event="extended",
            received=date(2026, 2, 10),
            calendar=FI,
            pauses=[pause],
            extension=Extension(date(2026, 3, 17), self.REASON),
        )
        assert ok.due == date(2026, 5, 18)
        with pytest.raises(ExtensionNotAllowed):
            deadline_for(
                regime="gdpr",
                event="extended",
                received=date(2026, 2, 10),
                calendar=FI,
                pauses=[pause],
                extension=Extension(date(2026, 3, 18), self.REASON),
            )

    def test_a_uk_restart_moves_the_last_day_to_notify(self) -> None:
        result = deadline_for(
            regime="uk_gdpr",
            event="extended",
            received=MARCH_2,
            identity_received=date(2026, 3, 16),
            extension=Extension(date(2026, 4, 16), self.REASON),
        )
        assert result.due == date(2026, 6, 16)

    def test_one_extension_only(self) -> None:
        first = Extension(date(2026, 3, 10), self.REASON)
        second = Extension(date(2026, 3, 20), "more")
        with pytest.raises(ExtensionNotAllowed, match="once only"):
            gdpr("extended", extension=[first, second])
        assert gdpr("extended", extension=[first]) == date(2026, 6, 2)
        assert gdpr("extended", extension=[]) == date(2026, 6, 2)

    def test_an_extension_needs_a_reason_and_a_date_after_receipt(self) -> None:
        with pytest.raises(ExtensionNotAllowed, match="needs a reason"):
            Extension(date(2026, 3, 10), "  ")
        with pytest.raises(ExtensionNotAllowed, match="before receipt"):
            gdpr("extended", extension=Extension(date(2026, 3, 1), self.REASON))

    @pytest.mark.parametrize(
        ("regime", "event"), [("lgpd", "respond"), ("fadp", "respond"), ("service_level", "resolution")]
    )
    def test_regimes_without_extension_refuse_one(self, regime: str, event: str) -> None:
        with pytest.raises(ExtensionNotAllowed, match=f"{regime} allows no extension"):
            deadline_for(
                regime=regime,
                event=event,
                received=MARCH_2,
                extension=Extension(date(2026, 3, 3), self.REASON),
            )

    def test_an_extension_never_shortens_the_deadline(self) -> None:
        for regime in ("gdpr", "uk_gdpr", "ccpa", "us_ct", "pipeda"):
            first = deadline_for(regime=regime, event="respond", received=date(2027, 1, 31)).due
            extended = deadline_for(regime=regime, event="extended", received=date(2027, 1, 31)).due
            assert extended > first


class TestRefusals:
    def test_unknown_regime(self) -> None:
        with pytest.raises(UnknownRegime, match="unknown regime 'hipaa'"):
            deadline_for(regime="hipaa", event="respond", received=MARCH_2)
        with pytest.raises(UnknownRegime):
            default_calendar("hipaa")

    def test_unknown_event(self) -> None:
        with pytest.raises(UnknownEvent, match="gdpr has no event 'acknowledge'"):
            deadline_for(regime="gdpr", event="acknowledge", received=MARCH_2)

    def test_receipt_must_be_a_date(self) -> None:
        with pytest.raises(InvalidReceipt):
            deadline_for(regime="gdpr", event="respond", received="2026-03-02")  # type: ignore[arg-type]

    def test_every_refusal_is_a_deadline_error_and_a_value_error(self) -> None:
        for error in (UnknownRegime, UnknownEvent, ExtensionNotAllowed, InvalidPause, InvalidReceipt):
            assert issubclass(error, DeadlineError)
            assert issubclass(error, ValueError)

    def test_regime_names_are_case_insensitive(self) -> None:
        assert deadline_for(regime=" GDPR ", event="respond", received=MARCH_2, calendar="fi").due == (
            date(2026, 4, 2)
        )


def test_regimes_and_their_events() -> None:
    assert dict(REGIMES) == {
        "gdpr": ("respond", "refusal", "extension_notice", "extended", "breach_notice"),
        "uk_gdpr": ("respond", "refusal", "extension_notice", "extended", "complaint_ack", "breach_notice"),
        "ccpa": ("acknowledge", "respond", "extension_notice", "extended", "opt_out", "limit_spi"),
        "us_va": ("respond", "refusal", "extension_notice", "extended", "appeal"),
        "us_ct": ("respond", "refusal", "extension_notice", "extended", "appeal"),
        "us_co": ("respond", "refusal", "extension_notice", "extended", "appeal"),
        "us_ut": ("respond", "refusal", "extension_notice", "extended"),
        "us_or": ("respond", "refusal", "extension_notice", "extended", "appeal"),
        "lgpd": ("respond",),
        "pipeda": ("respond", "refusal", "extension_notice", "extended"),
        "fadp": ("respond", "refusal"),
        "service_level": ("first_response", "resolution"),
    }


@pytest.mark.parametrize(
    ("regime", "country", "code"),
    [
        ("gdpr", "FI", "FI"),
        ("gdpr", "SE", "SE"),
        ("gdpr", "DE", "DE"),
        ("uk_gdpr", "FI", "GB-ENG"),
        ("ccpa", "FI", "US"),
        ("us_va", "FI", "US"),
        ("us_ct", "FI", "US"),
        ("us_co", "FI", "US"),
        ("us_ut", "FI", "US"),
        ("us_or", "FI", "US"),
        ("lgpd", "FI", "BR"),
        ("pipeda", "FI", "CA"),
        ("fadp", "FI", "CH"),
        ("service_level", "SE", "SE"),
    ],
)
def test_default_calendars(regime: str, country: str, code: str) -> None:
    assert default_calendar(regime, organisation_country=country) == Calendar(code)


def test_the_default_calendar_is_used_when_none_is_given() -> None:
    # Sun 12 Jul 2026 -> Mon 13 Jul in England; the organisation's country decides for gdpr.
    assert deadline_for(regime="uk_gdpr", event="respond", received=date(2026, 6, 12)).calendar == "GB-ENG"
    assert deadline_for(
        regime="gdpr", event="respond", received=date(2026, 4, 25), organisation_country="DE"
    ).due == date(2026, 5, 26)
