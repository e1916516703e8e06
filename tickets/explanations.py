"""The deadline engine's explanations in the reader's language (issue 16, items 3, 4 and 11).

The engine (tickets/deadlines, pure Python) says every sentence as a message id with named
arguments, and `Ticket.deadlines` keeps them (`wording` in each deadline, through
`clock.schedule`). Here they are rendered with gettext in the active language: dates with the
locale's named formats, holidays by the name the `holidays` package gives them in that language
(or, where it has none, as a public holiday in the page's words), pause kinds and other labels
through the catalogue. A ticket stored before the wording existed, or with a message id the
catalogue no longer knows, is explained from a fresh computation (`clock.schedule` over the
ticket's own receipt, pauses and extension), so a Finnish page never falls back to English.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import holidays
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy

from tickets import clock
from tickets.deadlines import DeadlineError
from tickets.lifecycle import Status
from tickets.models import ClockPause, Extension, Ticket

logger = logging.getLogger(__name__)

# Each deadline the engine names, as staff read it (the deadlines table, the compliance record).
EVENT_LABELS = {
    "respond": pgettext_lazy("deadline", "Response to the request"),
    "refusal": pgettext_lazy("deadline", "Notice of refusal"),
    "extension_notice": pgettext_lazy("deadline", "Last day to notify an extension"),
    "extended": pgettext_lazy("deadline", "Extended response"),
    "acknowledge": pgettext_lazy("deadline", "Confirmation of receipt"),
    "opt_out": pgettext_lazy("deadline", "Stop selling or sharing the data"),
    "limit_spi": pgettext_lazy("deadline", "Limit the use of sensitive data"),
    "complaint_ack": pgettext_lazy("deadline", "Acknowledgement of the complaint"),
    "first_response": pgettext_lazy("deadline", "First response"),
    "resolution": pgettext_lazy("deadline", "Resolution"),
    "breach_notice": pgettext_lazy("deadline", "Breach notice to the authority"),
    "appeal": pgettext_lazy("deadline", "Decision on an appeal"),
}
OTHER_DEADLINE = pgettext_lazy("deadline", "Other deadline")
FINISHED = (Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.REJECTED)
ENGLISH = "en"


class Unrenderable(ValueError):
    """A stored message this desk cannot render (an unknown argument type, a missing argument)."""


def event_label(name: str) -> str:
    """A deadline's name in words ("extension_notice" -> "Last day to notify an extension")."""
    return str(EVENT_LABELS.get(name, OTHER_DEADLINE))


# --- one message ---------------------------------------------------------------------------


def _language() -> str:
    return (get_language() or ENGLISH).split("-")[0].lower()


@lru_cache(maxsize=256)
def _package_language(country: str, language: str) -> str | None:
    """The `holidays` language for a page language: "sv" -> "sv_FI" for Finland, "sv" for Sweden."""
    try:
        supported = holidays.country_holidays(country).supported_languages
    except NotImplementedError:
        return None
    matching = [code for code in supported if code == language or code.startswith(f"{language}_")]
    for preferred in (f"{language}_{country}", language):
        if preferred in matching:
            return preferred
    return matching[0] if matching else None


@lru_cache(maxsize=1024)
def holiday_name(calendar: str, day: datetime.date, language: str) -> str | None:
    """The holiday's name in `language` where the `holidays` package has that language, else None."""
    country, _dash, subdivision = calendar.partition("-")
    package_language = _package_language(country, language)
    if package_language is None:
        return None
    try:
        table = holidays.country_holidays(
            country, subdiv=subdivision or None, years=day.year, language=package_language
        )
    except NotImplementedError:
        return None
    return "; ".join(table.get_list(day)) or None


def _closed_day(data: Mapping[str, str]) -> str:
    """A closed day in a sentence: "25. joulukuuta 2026 (Joulupäivä)", "... (viikonloppu)"."""
    day = datetime.date.fromisoformat(data["date"])
    text = formats.date_format(day, "DATE_FORMAT")
    if data.get("kind") == "weekend":
        return gettext("%(date)s (weekend)") % {"date": text}
    if data.get("kind") == "organisation":
        return gettext("%(date)s (a closed day of the organisation)") % {"date": text}
    language = _language()
    name: str | None = data.get("name", "")
    if language != ENGLISH:  # the engine's name is English; the package may know the language
        name = holiday_name(data.get("calendar", ""), day, language)
    if not name:
        return gettext("%(date)s (a public holiday)") % {"date": text}
    return gettext("%(date)s (%(holiday)s)") % {"date": text, "holiday": name}


def _moment(text: str) -> str:
    moment = datetime.datetime.fromisoformat(text)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _value(value: Any) -> Any:
    """An argument as the sentence shows it in the active language; an int stays an int."""
    if isinstance(value, bool):
        raise Unrenderable(f"a yes/no argument has no words: {value!r}")
    if isinstance(value, int | str):
        return value
    if not isinstance(value, Mapping) or len(value) != 1:
        raise Unrenderable(f"unknown argument {value!r}")
    (kind, data), = value.items()
    if kind == "date":
        return formats.date_format(datetime.date.fromisoformat(data), "DATE_FORMAT")
    if kind == "moment":
        return _moment(data)
    if kind == "time":
        return formats.time_format(datetime.time.fromisoformat(data), "TIME_FORMAT")
    if kind == "closed":
        return _closed_day(data)
    if kind == "closed_days":
        return ", ".join(_closed_day(day) for day in data)
    if kind == "message":
        return render(data)
    if kind == "messages":
        return "; ".join(render(item) for item in data)
    raise Unrenderable(f"unknown argument type {kind!r}")


def render(message: Mapping[str, Any]) -> str:
    """One stored message in the active language."""
    try:
        msgid = message["msgid"]
        values = {name: _value(value) for name, value in (message.get("args") or {}).items()}
        if message.get("plural"):
            text = ngettext(msgid, message["plural"], values[message["count"]])
        else:
            text = gettext(msgid)
        # A message without arguments is its text as it is (it may hold no placeholder).
        return text % values if values or "%(" in text else text
    except (KeyError, TypeError, ValueError) as error:
        raise Unrenderable(f"cannot render {message!r}: {error}") from error


def is_translated(message: Mapping[str, Any]) -> bool:
    """Whether the catalogue of the active language has this message (English needs none)."""
    if _language() == ENGLISH:
        return True
    msgid = message.get("msgid", "")
    if message.get("plural"):
        translated = ngettext(msgid, message["plural"], 1) != msgid
    else:
        translated = gettext(msgid) != msgid
    nested = [
        value["message"] for value in (message.get("args") or {}).values()
        if isinstance(value, Mapping) and "message" in value
    ]
    nested += [
        item for value in (message.get("args") or {}).values()
        if isinstance(value, Mapping) and "messages" in value for item in value["messages"]
    ]
    return translated and all(is_translated(item) for item in nested)


# --- a ticket's deadlines ------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedDeadline:
    """One deadline of a ticket, every text in the active language."""

    name: str
    label: str
    due: datetime.date
    due_text: str
    final: bool
    explanation: tuple[str, ...]
    basis: tuple[str, ...]
    notes: tuple[str, ...]
    interpretations: tuple[str, ...]
    requester: tuple[str, ...]

    @property
    def basis_text(self) -> str:
        return "; ".join(self.basis)

    @property
    def explanation_text(self) -> str:
        return " ".join(self.explanation)

    @property
    def interpretation_text(self) -> str:
        return " ".join(self.interpretations)

    @property
    def requester_text(self) -> str:
        return " ".join(self.requester)


@dataclass(frozen=True)
class ExplainedSchedule:
    deadlines: tuple[ExplainedDeadline, ...]
    paused: bool

    @property
    def final(self) -> ExplainedDeadline | None:
        return next((deadline for deadline in self.deadlines if deadline.final), None)


def _due(text: str) -> tuple[datetime.date, str]:
    if "T" in text:
        moment = datetime.datetime.fromisoformat(text)
        return moment.date(), formats.date_format(moment, "DATETIME_FORMAT")
    day = datetime.date.fromisoformat(text)
    return day, formats.date_format(day, "DATE_FORMAT")


PARTS = ("explanation", "basis", "notes", "interpretations", "requester")


def _explain(name: str, data: Mapping[str, Any], final: str) -> ExplainedDeadline:
    wording = data["wording"]
    rendered = {part: tuple(render(message) for message in wording.get(part, ())) for part in PARTS}
    due, due_text = _due(data["due"])
    return ExplainedDeadline(
        name=name, label=event_label(data.get("event", name)), due=due, due_text=due_text,
        final=name == final, **rendered,
    )


def _messages(stored: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for deadline in stored.get("deadlines", {}).values():
        for part in PARTS:
            yield from deadline["wording"].get(part, ())


def _has_wording(stored: Mapping[str, Any]) -> bool:
    """Stored since the engine speaks in messages: every deadline has its wording."""
    deadlines = stored.get("deadlines")
    return isinstance(deadlines, Mapping) and bool(deadlines) and all(
        isinstance(deadline, Mapping) and "wording" in deadline for deadline in deadlines.values()
    )


def _renderable(stored: Mapping[str, Any]) -> bool:
    """Stored with its wording, every message known to the active language's catalogue."""
    return _has_wording(stored) and all(is_translated(message) for message in _messages(stored))


class NotLoaded:
    """What the caller has not read: the explanation reads it if (and only if) it must recompute."""


NOT_LOADED = NotLoaded()
Pauses = Sequence[ClockPause] | NotLoaded
Granted = Extension | NotLoaded | None


def _recomputed(ticket: Ticket, pauses: Pauses, extension: Granted) -> dict[str, Any]:
    if isinstance(pauses, NotLoaded):
        pauses = list(ticket.pauses.all())
    if isinstance(extension, NotLoaded):
        extension = Extension.objects.filter(ticket=ticket).first()
    try:
        return clock.schedule(
            regime=ticket.regime, kind=ticket.kind, calendar_code=ticket.calendar,
            received_at=ticket.received_at, pauses=pauses, extension=extension,
        ).explanation
    except DeadlineError:
        logger.warning("ticket %s: its deadlines cannot be recomputed to explain them", ticket.pk)
        return {}


def _from(stored: Mapping[str, Any]) -> ExplainedSchedule:
    final = stored.get("final", "")
    return ExplainedSchedule(
        deadlines=tuple(_explain(name, data, final) for name, data in stored.get("deadlines", {}).items()),
        paused=bool(stored.get("paused")),
    )


def clock_paused(ticket: Ticket) -> bool:
    """Whether the ticket's stored schedule says a pause is open (the desk waits for the requester)."""
    return bool((ticket.deadlines or {}).get("paused"))


def ticket_deadlines(ticket: Ticket, *, pauses: Pauses = NOT_LOADED,
                     extension: Granted = NOT_LOADED) -> ExplainedSchedule:
    """A ticket's deadlines explained in the active language.

    No query when the ticket keeps its wording (every ticket saved since issue 16); otherwise the
    deadlines are computed again from the ticket (its pauses and extension are read unless given).
    """
    stored = ticket.deadlines or {}
    if _renderable(stored):
        try:
            return _from(stored)
        except Unrenderable:
            logger.warning("ticket %s: its stored explanation cannot be rendered", ticket.pk)
    fresh = _recomputed(ticket, pauses, extension)
    if _has_wording(fresh):
        return _from(fresh)
    return ExplainedSchedule((), bool(stored.get("paused")))


# --- where a finished ticket stands --------------------------------------------------------


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def finished_text(ticket: Ticket) -> str:
    """What a finished ticket's deadline came to, instead of "N days left": when it was answered,
    closed, withdrawn or rejected, and whether that was on time. "" for an open ticket."""
    if ticket.status not in FINISHED:
        return ""
    answered = _local_day(ticket.resolved_at)
    closed = _local_day(ticket.closed_at)
    if ticket.status == Status.WITHDRAWN:
        return _on_day(gettext("Withdrawn by the requester on %(day)s."), closed)
    if ticket.status == Status.REJECTED:
        return _on_day(gettext("Rejected on %(day)s."), closed)
    if answered is None:
        return _on_day(gettext("Closed on %(day)s."), closed)
    text = _answered(answered, ticket.due_date)
    if ticket.status == Status.CLOSED and closed is not None:
        text += " " + _on_day(gettext("Closed on %(day)s."), closed)
    return text


def _on_day(text: str, day: datetime.date | None) -> str:
    if day is None:
        return gettext("This request is finished: its deadline no longer runs.")
    return text % {"day": formats.date_format(day, "DATE_FORMAT")}


def _answered(answered: datetime.date, due: datetime.date) -> str:
    day = formats.date_format(answered, "DATE_FORMAT")
    late = (answered - due).days
    if late <= 0:
        return gettext("Answered on %(day)s, on time.") % {"day": day}
    return ngettext(
        "Answered on %(day)s, %(days)d day after the deadline.",
        "Answered on %(day)s, %(days)d days after the deadline.",
        late,
    ) % {"day": day, "days": late}
