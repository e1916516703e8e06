"""The engine's words: every sentence it says is a message id with named arguments (issue 16).

A Deadline carries its explanation twice: as English text (the command line, the API, the
tests) and as Messages, which tickets/explanations.py renders with gettext in the reader's
language. The English is rendered here from the same message ids, so there is one wording.

Each message id is a whole sentence (or a whole citation), python-format (`%(due)s`, `%(days)d`),
so a translator can reorder it. The markers have the names Django's `makemessages` extracts
(`gettext_noop`, and `ngettext_lazy:1,2` for plurals, whose count is named as Django's
ngettext_lazy allows) but are defined here: this package imports no Django (STYLE.md).

An argument is an int (a count), a str (shown as given: a law's short name, an agent's reason),
a date, a date-time, a time, a closed day (with its calendar, so a holiday can be named in the
reader's language), a tuple of closed days, or a nested Message (a label to translate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Union

from tickets.deadlines.arithmetic import iso_moment, long_date, long_moment

# What a closed day is: a weekend day, a public holiday, or one of the organisation's own days.
WEEKEND = "weekend"
HOLIDAY = "holiday"
ORGANISATION = "organisation"


def gettext_noop(message: str) -> str:
    """Marks a message id for extraction; returns it unchanged (Django's name, no Django)."""
    return message


@dataclass(frozen=True)
class Plural:
    """A message id with its plural; the argument named `count` picks the form."""

    singular: str
    plural: str
    count: str


def ngettext_lazy(singular: str, plural: str, count: str) -> Plural:
    """Marks a plural message id, as Django's ngettext_lazy does with a key name as number."""
    return Plural(singular, plural, count)


@dataclass(frozen=True)
class Closed:
    """A closed day named in a sentence: the date, its English name, what kind it is, the calendar."""

    day: date
    name: str
    kind: str
    calendar: str

    def english(self) -> str:
        if self.kind == WEEKEND:
            return long_date(self.day)
        return f"{long_date(self.day)} ({self.name})"

    def to_dict(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), "name": self.name, "kind": self.kind, "calendar": self.calendar}


# Union, not |: "Message" is a forward reference, and a string cannot be an operand of | at run time.
Arg = Union[int, str, date, time, Closed, tuple[Closed, ...], "Message", tuple["Message", ...]]


@dataclass(frozen=True)
class Message:
    """One sentence: its message id (and plural), and its named arguments."""

    msgid: str
    args: tuple[tuple[str, Arg], ...] = ()
    plural: str = ""
    count: str = ""

    def english(self) -> str:
        """The sentence in English: the message id (or its plural) with English values."""
        values = {name: english_value(value) for name, value in self.args}
        text = self.msgid
        if self.plural and values[self.count] != 1:
            text = self.plural
        return text % values if values else text

    def to_dict(self) -> dict[str, object]:
        """JSON: {"msgid", "args"} and, for a plural, {"plural", "count"}; see encode()."""
        arguments = {name: encode(value) for name, value in self.args}
        data: dict[str, object] = {"msgid": self.msgid, "args": arguments}
        if self.plural:
            data["plural"] = self.plural
            data["count"] = self.count
        return data


def say(text: str | Plural, /, **args: Arg) -> Message:
    """The message `text` (a marked id, or a marked plural) with its arguments."""
    if isinstance(text, Plural):
        count = args[text.count]
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"the count {text.count!r} of a plural message must be an int")
        return Message(text.singular, tuple(args.items()), text.plural, text.count)
    return Message(text, tuple(args.items()))


def english_value(value: Arg) -> object:
    """An argument as the English text shows it; an int stays an int for %d."""
    if isinstance(value, Message):
        return value.english()
    if isinstance(value, Closed):
        return value.english()
    if isinstance(value, tuple):
        parts = [english_value(item) for item in value]
        separator = "; " if value and isinstance(value[0], Message) else ", "
        return separator.join(str(part) for part in parts)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return long_moment(value)
    return value


def encode(value: Arg) -> object:
    """An argument as JSON: ints and strings as they are; the rest tagged with their type."""
    if isinstance(value, Message):
        return {"message": value.to_dict()}
    if isinstance(value, Closed):
        return {"closed": value.to_dict()}
    if isinstance(value, tuple):
        if value and isinstance(value[0], Message):
            return {"messages": [item.to_dict() for item in value if isinstance(item, Message)]}
        return {"closed_days": [item.to_dict() for item in value if isinstance(item, Closed)]}
    if isinstance(value, datetime):
        return {"moment": iso_moment(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": f"{value:%H:%M}"}
    return value


def english(messages: tuple[Message, ...], separator: str = " ") -> str:
    return separator.join(message.english() for message in messages)
