"""Results are frozen values that explain themselves and serialise to JSON."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime

import pytest

from tickets.deadlines import Calendar, Deadline, Pause, deadline_for, schedule_for

pytestmark = pytest.mark.pure


def test_deadlines_and_schedules_are_frozen() -> None:
    result = deadline_for(regime="gdpr", event="respond", received=date(2026, 3, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.due = date(2030, 1, 1)  # type: ignore[misc]
    schedule = schedule_for(regime="gdpr", kind="access", received=date(2026, 3, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.final_name = "extension_notice"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Calendar("FI").code = "SE"  # type: ignore[misc]


def test_equal_inputs_give_equal_results() -> None:
    first = deadline_for(
        regime="uk_gdpr",
        event="respond",
        received=date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 4), date(2026, 3, 10))],
    )
    again = deadline_for(
        regime="uk_gdpr",
        event="respond",
        received=date(2026, 3, 2),
        pauses=[Pause(date(2026, 3, 4), date(2026, 3, 10))],
    )
    assert first == again
    assert hash(first) == hash(again)


def test_to_dict_is_plain_json_with_iso_dates() -> None:
    result = deadline_for(
        regime="gdpr",
        event="respond",
        received=date(2026, 12, 6),
        calendar="FI",
        pauses=[Pause(date(2026, 12, 7), date(2026, 12, 8))],
    )
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "regime": "gdpr",
        "event": "respond",
        "rule": "gdpr.respond",
        "due": "2027-01-07",
        "nominal": "2027-01-07",
        "received": "2026-12-06",
        "clock_start": "2026-12-06",
        "period": "1 month",
        "basis": "GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)",
        "calendar": "FI",
        "moved_by": [],
        "skipped": [],
        "pause_days": 1,
        "paused": False,
        "interpretation": True,
        "interpretation_note": data["interpretation_note"],
        "notes": [
            "Paused Monday 7 December 2026 to Tuesday 8 December 2026 (waiting for clarification): "
            "1 day added."
        ],
        "explanation": (
            "The GDPR response to a request received on Sunday 6 December 2026 is due by the end "
            "of Thursday 7 January 2027. One month from receipt ends on Wednesday 6 January 2027. "
            "1 paused day moves it to Thursday 7 January 2027. "
            "Legal basis: GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)."
        ),
        "wording": {
            "explanation": [
                {
                    "msgid": "The GDPR response to a request received on %(received)s is due by the end "
                    "of %(due)s.",
                    "args": {"received": {"date": "2026-12-06"}, "due": {"date": "2027-01-07"}},
                },
                {"msgid": "One month from receipt ends on %(end)s.", "args": {"end": {"date": "2027-01-06"}}},
                {
                    "msgid": "%(days)d paused day moves it to %(nominal)s.",
                    "plural": "%(days)d paused days move it to %(nominal)s.",
                    "count": "days",
                    "args": {"days": 1, "nominal": {"date": "2027-01-07"}},
                },
            ],
            "basis": [
                {"msgid": "GDPR Art. 12(3)", "args": {}},
                {"msgid": "Reg. 1182/71 Art. 3(2)(c), 3(4)", "args": {}},
            ],
            "notes": [
                {
                    "msgid": "Paused %(start)s to %(end)s (%(kind)s): %(days)d day added.",
                    "plural": "Paused %(start)s to %(end)s (%(kind)s): %(days)d days added.",
                    "count": "days",
                    "args": {
                        "start": {"date": "2026-12-07"},
                        "end": {"date": "2026-12-08"},
                        "kind": {"message": {"msgid": "waiting for clarification", "args": {}}},
                        "days": 1,
                    },
                }
            ],
            "interpretations": data["wording"]["interpretations"],  # type: ignore[index]
            "requester": [
                {
                    "msgid": "The EU General Data Protection Regulation gives us one month from the day "
                    "we received your request, %(received)s.",
                    "args": {"received": {"date": "2026-12-06"}},
                },
                {
                    "msgid": "We did not count %(days)d day while we waited for your answer, so the "
                    "date is that much later.",
                    "plural": "We did not count %(days)d days while we waited for your answer, so the "
                    "date is that much later.",
                    "count": "days",
                    "args": {"days": 1},
                },
            ],
        },
    }
    note = data["interpretation_note"]
    assert isinstance(note, str)
    assert note.startswith("EU pause arithmetic")


def test_hour_clocks_serialise_date_times() -> None:
    data = deadline_for(regime="gdpr", event="breach_notice", received=datetime(2026, 3, 6, 14, 30)).to_dict()
    assert (data["due"], data["nominal"], data["clock_start"]) == (
        "2026-03-09T14:30",
        "2026-03-09T14:30",
        "2026-03-06T14:30",
    )


def test_every_event_of_every_regime_explains_itself() -> None:
    from tickets.deadlines import REGIMES

    for regime, events in REGIMES.items():
        for event in events:
            received: date = datetime(2026, 3, 2, 9, 0) if event == "breach_notice" else date(2026, 3, 2)
            result = deadline_for(regime=regime, event=event, received=received)
            assert isinstance(result, Deadline)
            assert result.rule == f"{regime}.{event}"
            assert result.basis
            assert result.explanation.endswith(f"Legal basis: {result.basis}.")
            assert " is due by " in result.explanation
            # The English is the wording rendered in English: one source of words.
            wording = result.wording
            assert result.explanation.startswith(" ".join(m.english() for m in wording.explanation))
            assert result.basis == "; ".join(m.english() for m in wording.basis)
            assert result.notes == tuple(m.english() for m in wording.notes)
            assert result.interpretation_note == " ".join(m.english() for m in wording.interpretations)
            assert bool(wording.requester) is (event != "breach_notice")
            text = json.dumps(result.to_dict())
            assert "research/" not in text and ".md" not in text
            assert result.due >= result.nominal or isinstance(result.due, datetime)
            assert result.interpretation is bool(result.interpretation_note)
            json.dumps(result.to_dict())
