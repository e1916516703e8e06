"""The Django side of the deadline engine: reads the organisation's configuration, turns a
receipt time into the engine's receipt date, and shapes the result for the ticket."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from tickets import deadlines

# The deadline that counts as "first response due" on the ticket, in order of preference.
_FIRST_RESPONSE_CLOCKS = ("first_response", "acknowledge", "complaint_ack")
# The statutory acknowledgement: CCPA's (11 CCR §7021(a)) or a UK complaint's (DPA 2018 s.164A).
_ACKNOWLEDGEMENT_CLOCKS = ("acknowledge", "complaint_ack")


class PauseSpan(Protocol):
    kind: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None


class ExtensionGrant(Protocol):
    notified_at: datetime.datetime
    reason: str


@dataclass(frozen=True)
class TicketClock:
    """What a ticket keeps of its schedule. `explanation` is `Schedule.to_dict()`, kept as
    `Ticket.deadlines`: each deadline with its English texts and its `wording`, the messages that
    tickets/explanations.py renders in the reader's language."""

    due_date: datetime.date
    first_response_due: datetime.date | None
    acknowledge_due: datetime.date | None
    extension_notice_due: datetime.date | None
    explanation: dict[str, Any]
    paused: bool

    def columns(self) -> dict[str, Any]:
        """The ticket's columns this schedule sets: the final due date, the engine's other named
        dates that the escalation rules filter on (tickets/escalation_rules.py), and the whole
        schedule with its explanations."""
        return {"due_date": self.due_date, "first_response_due": self.first_response_due,
                "acknowledge_due": self.acknowledge_due, "extension_notice_due": self.extension_notice_due,
                "deadlines": self.explanation}


def working_calendar(code: str) -> deadlines.Calendar:
    return deadlines.Calendar(
        code,
        christmas_eve_closed=settings.DESK_CHRISTMAS_EVE_CLOSED,
        extra_closed=settings.DESK_EXTRA_CLOSED_DAYS,
    )


def service_level() -> deadlines.ServiceLevel:
    return deadlines.ServiceLevel(
        first_response=deadlines.Target(settings.DESK_COMPLAINT_FIRST_RESPONSE_DAYS),
        resolution=deadlines.Target(settings.DESK_COMPLAINT_RESOLUTION_DAYS),
    )


def receipt_date(received_at: datetime.datetime) -> datetime.date:
    """The receipt date is the date in the organisation's zone (research/deadlines.md §2.2)."""
    return timezone.localtime(received_at).date()


def schedule(
    *,
    regime: str,
    kind: str,
    calendar_code: str,
    received_at: datetime.datetime,
    pauses: Iterable[PauseSpan] = (),
    extension: ExtensionGrant | None = None,
) -> TicketClock:
    """All deadlines of a ticket. An open pause is left open (the result says the clock is
    paused): the due date moves when the requester answers and the pause is closed."""
    result = deadlines.schedule_for(
        regime=regime, kind=kind, received=receipt_date(received_at),
        calendar=working_calendar(calendar_code), service_level=service_level(),
        pauses=[
            deadlines.Pause(
                start=receipt_date(pause.started_at),
                end=receipt_date(pause.ended_at) if pause.ended_at else None,
                kind=pause.kind,
            )
            for pause in pauses
        ],
        extension=deadlines.Extension(
            notified=receipt_date(extension.notified_at), reason=extension.reason
        ) if extension is not None else None,
    )
    return TicketClock(
        due_date=_as_date(result.final.due),
        first_response_due=_first_due(result, _FIRST_RESPONSE_CLOCKS),
        acknowledge_due=_first_due(result, _ACKNOWLEDGEMENT_CLOCKS),
        extension_notice_due=_first_due(result, ("extension_notice",)),
        explanation=result.to_dict(),
        paused=result.paused,
    )


def _first_due(result: deadlines.Schedule, names: tuple[str, ...]) -> datetime.date | None:
    """The due date of the first of the named deadlines the engine planned, if any."""
    found = next((deadline for name in names if (deadline := result.get(name)) is not None), None)
    return _as_date(found.due) if found is not None else None


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def working_days_since_receipt(calendar_code: str, received_at: datetime.datetime,
                               at: datetime.datetime) -> int:
    """Working days of the ticket's calendar after the receipt date, up to and including the
    date of `at` (both dates in the organisation's zone): an answer on the day of receipt took
    0 working days, one on the next working day 1. Pauses are not deducted: this is the
    requester's wait, which the dashboard reports, not the statutory clock."""
    first = receipt_date(received_at) + datetime.timedelta(days=1)
    return working_calendar(calendar_code).working_days_between(first, receipt_date(at))
