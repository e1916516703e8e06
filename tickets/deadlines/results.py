"""What the engine returns: a Deadline that explains itself (research/deadlines.md §11.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tickets.deadlines.arithmetic import iso_moment
from tickets.deadlines.calendars import DayOff


@dataclass(frozen=True)
class Deadline:
    """One computed deadline and why it is what it is.

    `due` and `nominal` are dates for periods counted in days or months, and date-times (naive or
    aware, as received) for periods counted in hours. `nominal` is the end of the period before
    it was moved off closed days; `moved_by` lists those days. `clock_start` is where the period
    runs from (the UK "relevant time" may be later than receipt). `pause_days` is what pauses
    added. `paused` says a pause is open now. `interpretation` says a documented choice between
    readings of the law was made; `interpretation_note` says which and what the other gives.
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
        }
