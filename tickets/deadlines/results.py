"""What the engine returns: a Deadline that explains itself (research/deadlines.md §11.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tickets.deadlines.arithmetic import iso_moment
from tickets.deadlines.calendars import DayOff
from tickets.deadlines.messages import Message


@dataclass(frozen=True)
class Wording:
    """A deadline's explanation as messages, for rendering in the reader's language (issue 16).

    `explanation`: how the date was reached, one sentence each; `basis`: the law, one citation
    each; `notes` and `interpretations` as on the Deadline; `requester`: why that date, told to
    the member of the public who asked (the law and its period; days paused; a closed day).
    """

    explanation: tuple[Message, ...] = ()
    basis: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    interpretations: tuple[Message, ...] = ()
    requester: tuple[Message, ...] = ()

    def to_dict(self) -> dict[str, list[dict[str, object]]]:
        return {
            "explanation": [message.to_dict() for message in self.explanation],
            "basis": [message.to_dict() for message in self.basis],
            "notes": [message.to_dict() for message in self.notes],
            "interpretations": [message.to_dict() for message in self.interpretations],
            "requester": [message.to_dict() for message in self.requester],
        }


@dataclass(frozen=True)
class Deadline:
    """One computed deadline and why it is what it is.

    `due` and `nominal` are dates for periods counted in days or months, and date-times (naive or
    aware, as received) for periods counted in hours. `nominal` is the end of the period before
    it was moved off closed days; `moved_by` lists those days. `clock_start` is where the period
    runs from (the UK "relevant time" may be later than receipt). `pause_days` is what pauses
    added. `paused` says a pause is open now. `interpretation` says a documented choice between
    readings of the law was made; `interpretation_note` says which and what the other gives.
    The English texts (`basis`, `notes`, `interpretation_note`, `explanation`) are `wording`
    rendered in English; `wording` is what a page renders in its reader's language.
    """

    regime: str
    event: str
    rule: str
    basis: str
    calendar: str
    received: date
    clock_start: date
    period: str
    nominal: date
    due: date
    moved_by: tuple[DayOff, ...] = ()
    skipped: tuple[DayOff, ...] = ()
    pause_days: int = 0
    paused: bool = False
    interpretation: bool = False
    interpretation_note: str = ""
    notes: tuple[str, ...] = ()
    explanation: str = ""
    wording: Wording = Wording()

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable dict: dates and date-times as ISO 8601 strings."""
        return {
            "regime": self.regime,
            "event": self.event,
            "rule": self.rule,
            "due": iso_moment(self.due),
            "nominal": iso_moment(self.nominal),
            "received": iso_moment(self.received),
            "clock_start": iso_moment(self.clock_start),
            "period": self.period,
            "basis": self.basis,
            "calendar": self.calendar,
            "moved_by": [day.to_dict() for day in self.moved_by],
            "skipped": [day.to_dict() for day in self.skipped],
            "pause_days": self.pause_days,
            "paused": self.paused,
            "interpretation": self.interpretation,
            "interpretation_note": self.interpretation_note,
            "notes": list(self.notes),
            "explanation": self.explanation,
            "wording": self.wording.to_dict(),
        }
