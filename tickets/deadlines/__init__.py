"""The statutory deadline engine of Privacy Desk: dates in, frozen results out.

Pure Python (standard library, the pinned `holidays` package): no Django, no settings, no
database, and no clock - every date is an argument (STYLE.md: The deadline engine is pure).
The law, with each choice marked [interpretation], is research/deadlines.md in shared/.

    >>> from datetime import date
    >>> from tickets.deadlines import Calendar, deadline_for
    >>> deadline_for(regime="gdpr", event="respond", received=date(2026, 12, 31),
    ...              calendar=Calendar("FI")).due
    datetime.date(2027, 2, 1)

Modules: arithmetic (months, Easter), calendars (working days), inputs (pauses, extensions,
service levels), messages (the words: message ids with arguments, rendered in English here and in
the reader's language by tickets/explanations.py), context (what a rule sees), results (Deadline,
Wording), gdpr, uk, us, other (LGPD, PIPEDA, FADP), service_levels, engine (deadline_for,
REGIMES), schedule (schedule_for, KINDS), cli (the `deadline` command).
"""

from __future__ import annotations

from tickets.deadlines.calendars import Calendar, ClosedDay, DayOff
from tickets.deadlines.engine import LAWS, REGIMES, deadline_for, default_calendar
from tickets.deadlines.errors import (
    DeadlineError,
    ExtensionNotAllowed,
    InvalidPause,
    InvalidReceipt,
    InvalidServiceLevel,
    UnknownCalendar,
    UnknownEvent,
    UnknownKind,
    UnknownRegime,
)
from tickets.deadlines.inputs import (
    BUSINESS_DAYS,
    BUSINESS_HOURS,
    PAUSE_KINDS,
    Extension,
    Pause,
    ServiceLevel,
    Target,
)
from tickets.deadlines.messages import Message
from tickets.deadlines.results import Deadline, Wording
from tickets.deadlines.schedule import KINDS, Schedule, plan, schedule_for

__all__ = [
    "BUSINESS_DAYS",
    "BUSINESS_HOURS",
    "KINDS",
    "LAWS",
    "PAUSE_KINDS",
    "REGIMES",
    "Calendar",
    "ClosedDay",
    "DayOff",
    "Deadline",
    "DeadlineError",
    "Extension",
    "ExtensionNotAllowed",
    "InvalidPause",
    "InvalidReceipt",
    "InvalidServiceLevel",
    "Message",
    "Pause",
    "Schedule",
    "ServiceLevel",
    "Target",
    "UnknownCalendar",
    "UnknownEvent",
    "UnknownKind",
    "UnknownRegime",
    "Wording",
    "deadline_for",
    "default_calendar",
    "plan",
    "schedule_for",
]
