"""The engine's words are messages: whole sentences with named arguments, rendered in English from
the same message ids that the desk translates (issue 16)."""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

import json
import re
from datetime import date, datetime, time

import pytest

from tests.deadlines.helpers import marked_messages
from tickets.deadlines import REGIMES, Calendar, ClosedDay, DayOff, Pause, deadline_for, schedule_for
from tickets.deadlines.messages import (
    HOLIDAY,
    ORGANISATION,
    WEEKEND,
    Closed,
    Message,
    Plural,
    gettext_noop,
    ngettext_lazy,
    say,
)

pytestmark = pytest.mark.pure

PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


MARKED = marked_messages()


def test_the_scan_finds_the_engines_messages() -> None:
    assert len(MARKED) > 150
    assert ("One month from receipt ends on %(end)s.",) in MARKED
    assert (
        "%(days)d paused day moves it to %(nominal)s.",
        "%(days)d paused days move it to %(nominal)s.",
    ) in MARKED


@pytest.mark.parametrize("texts", MARKED, ids=lambda texts: texts[0][:50])
def test_each_message_is_python_format_with_no_repository_path(texts: tuple[str, ...]) -> None:
    for text in texts:
        assert "research/" not in text and ".md" not in text
        assert text == text.strip() and "  " not in text
        # Only named placeholders (a translator may reorder them), and no bare % sign.
        assert text.count("%") == len(PLACEHOLDER.findall(text))
    if len(texts) == 2:
        singular, plural = texts
        assert set(PLACEHOLDER.findall(singular)) == set(PLACEHOLDER.findall(plural))


def sentences_and_citations() -> tuple[set[str], set[str]]:
    """Message ids split by use: sentences end with a full stop; citations and labels do not."""
    sentences = {texts[0] for texts in MARKED if texts[0].endswith(".")}
    return sentences, {texts[0] for texts in MARKED} - sentences


def test_sentences_are_whole_and_citations_name_a_law() -> None:
    sentences, others = sentences_and_citations()
    for sentence in sentences:
        assert sentence[0].isupper() or sentence[0].isdigit() or sentence.startswith(("%(", "s.")), sentence
    labels = {"waiting for proof of identity", "waiting for clarification", "waiting for the fee"}
    law_names = {
        "Virginia Consumer Data Protection Act",
        "Connecticut Data Privacy Act",
        "Colorado Privacy Act",
        "Utah Consumer Privacy Act",
        "Oregon Consumer Privacy Act",
    }
    for citation in others - labels - law_names:
        # Every citation names an article, a section or a regulation, or says it is no law.
        assert re.search(r"Art\.|§|\bs\.|ss\.|Reg\.|Resolução|guidance|not a law", citation), citation


def test_a_plural_message_picks_its_form_by_its_count() -> None:
    text = ngettext_lazy("%(days)d day added.", "%(days)d days added.", "days")
    assert say(text, days=1).english() == "1 day added."
    assert say(text, days=3).english() == "3 days added."
    assert say(text, days=0).english() == "0 days added."
    with pytest.raises(TypeError, match="count"):
        say(text, days="3")
    with pytest.raises(TypeError, match="count"):
        say(text, days=True)


def test_arguments_render_in_english_and_encode_as_tagged_json() -> None:
    christmas = Closed(date(2026, 12, 25), "Christmas Day", HOLIDAY, "FI")
    sunday = Closed(date(2026, 12, 27), "Sunday", WEEKEND, "FI")
    label = say(gettext_noop("waiting for clarification"))
    message = say(
        gettext_noop("%(day)s %(moment)s %(at)s %(days)s %(label)s %(laws)s %(count)d %(text)s"),
        day=date(2026, 12, 24),
        moment=datetime(2026, 12, 24, 9, 5),
        at=time(8, 0),
        days=(christmas, sunday),
        label=label,
        laws=(label, label),
        count=2,
        text="as typed",
    )
    assert message.english() == (
        "Thursday 24 December 2026 Thursday 24 December 2026 at 09:05 08:00 "
        "Friday 25 December 2026 (Christmas Day), Sunday 27 December 2026 "
        "waiting for clarification waiting for clarification; waiting for clarification 2 as typed"
    )
    encoded = message.to_dict()
    assert json.loads(json.dumps(encoded)) == encoded
    assert encoded["args"] == {
        "day": {"date": "2026-12-24"},
        "moment": {"moment": "2026-12-24T09:05"},
        "at": {"time": "08:00"},
        "days": {
            "closed_days": [
                {"date": "2026-12-25", "name": "Christmas Day", "kind": "holiday", "calendar": "FI"},
                {"date": "2026-12-27", "name": "Sunday", "kind": "weekend", "calendar": "FI"},
            ]
        },
        "label": {"message": {"msgid": "waiting for clarification", "args": {}}},
        "laws": {"messages": [label.to_dict(), label.to_dict()]},
        "count": 2,
        "text": "as typed",
    }
    assert "plural" not in encoded


def test_a_message_without_arguments_keeps_its_percent_free_text() -> None:
    text = "Pauses do not stop the Art. 33 clock."
    assert Message(text).english() == text
    assert isinstance(ngettext_lazy("a", "b", "n"), Plural)


def test_a_calendar_says_what_kind_of_closed_day_it_is() -> None:
    calendar = Calendar("FI", extra_closed=(ClosedDay(12, 31, name="Year-end closing"),))
    assert calendar.closed(DayOff(date(2026, 12, 25), "Christmas Day")) == Closed(
        date(2026, 12, 25), "Christmas Day", HOLIDAY, "FI"
    )
    assert calendar.closed(DayOff(date(2026, 12, 27), "Sunday")).kind == WEEKEND
    assert calendar.closed(DayOff(date(2026, 12, 31), "Year-end closing")).kind == ORGANISATION
    # An organisation's day that is a holiday anyway is named (and counted) as the holiday.
    assert calendar.closed(DayOff(date(2027, 12, 31), "New Year's Eve")).kind == HOLIDAY


def every_deadline() -> list[tuple[str, str]]:
    return [(regime, event) for regime, events in REGIMES.items() for event in events]


@pytest.mark.parametrize(("regime", "event"), every_deadline())
def test_every_deadline_speaks_in_messages_the_english_is_rendered_from(regime: str, event: str) -> None:
    received: date = datetime(2026, 12, 18, 9, 0) if event == "breach_notice" else date(2026, 12, 18)
    pauses = () if event == "breach_notice" else (Pause(date(2026, 12, 21), date(2026, 12, 28)),)
    result = deadline_for(regime=regime, event=event, received=received, pauses=pauses)
    wording = result.wording
    assert wording.explanation[0].msgid.endswith("%(due)s.")
    assert dict(wording.explanation[0].args)["due"] == result.due
    assert result.explanation == " ".join(
        [*(m.english() for m in wording.explanation), f"Legal basis: {result.basis}."]
    )
    every = (
        *wording.explanation, *wording.basis, *wording.notes, *wording.interpretations, *wording.requester
    )
    for message in every:
        assert (message.msgid,) in MARKED or (message.msgid, message.plural) in MARKED
    if wording.requester:  # the law and its period, told to the requester: "... gives us ..."
        assert re.search(r"\b(us|we)\b", wording.requester[0].english()), wording.requester[0]


def test_the_requester_hears_of_paused_days_and_a_closed_last_day() -> None:
    result = deadline_for(
        regime="gdpr",
        event="extended",
        received=date(2026, 12, 21),
        calendar="FI",
        pauses=[Pause(date(2026, 12, 22), date(2026, 12, 28), kind="identity")],
    )
    told = [message.english() for message in result.wording.requester]
    assert told == [
        "The EU General Data Protection Regulation gives us one month from the day we received your "
        "request, Monday 21 December 2026, and lets us take two further months when a request is "
        "complex or we have received many; we have told you why we needed them.",
        "We did not count 6 days while we waited for your answer, so the date is that much later.",
        "The period would end on Saturday 27 March 2027, a day off, so the deadline moves to the next "
        "working day.",
    ]


def test_a_schedule_serialises_every_deadlines_wording() -> None:
    data = schedule_for(regime="uk_gdpr", kind="complaint", received=date(2026, 7, 1)).to_dict()
    deadlines = data["deadlines"]
    assert isinstance(deadlines, dict)
    for name, deadline in deadlines.items():
        parts = {"explanation", "basis", "notes", "interpretations", "requester"}
        assert set(deadline["wording"]) == parts, name
    basis = deadlines["resolution"]["wording"]["basis"][0]
    assert basis["args"] == {"amount": 20} and "not a law" in basis["msgid"]
