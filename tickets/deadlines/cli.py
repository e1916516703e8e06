"""The `deadline` command, without Django: `manage.py deadline` wraps add_arguments and run.

    python manage.py deadline --regime gdpr --event respond --received 2026-01-31 [--calendar FI]
        [--pause 2026-02-03/2026-02-09[:identity|clarification|fee] ...] [--as-of DATE]
        [--identity-received DATE] [--fee-paid DATE] [--small-agent]
        [--extension-notified DATE] [--extension-reason TEXT]
        [--close-christmas-eve] [--closed-day YYYY-MM-DD|MM-DD ...]
        [--business-days N | --business-hours N] [--json]

Every refusal - an unknown regime, event or calendar, an impossible date, an extension the
regime does not allow - is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from tickets.deadlines.calendars import Calendar, ClosedDay
from tickets.deadlines.engine import REGIMES, deadline_for, default_calendar
from tickets.deadlines.errors import DeadlineError
from tickets.deadlines.inputs import (
    BUSINESS_DAYS,
    BUSINESS_HOURS,
    PAUSE_KINDS,
    Extension,
    Pause,
    ServiceLevel,
    Target,
)
from tickets.deadlines.results import Deadline

DESCRIPTION = "Compute one statutory or service-level deadline and explain it."
ASSUMED_EXTENSION = "assumed notified, with reasons, within the first period (command line)"
USAGE_ERROR = 2


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options; values stay text and are checked by run(), with one message each."""
    parser.add_argument("--regime", required=True, help=f"one of: {', '.join(REGIMES)}")
    parser.add_argument("--event", required=True, help="e.g. respond, extended, acknowledge, breach_notice")
    parser.add_argument(
        "--received",
        required=True,
        help="YYYY-MM-DD, or YYYY-MM-DDTHH:MM for clocks counted in hours",
    )
    parser.add_argument(
        "--calendar",
        help="FI, SE, GB-ENG, GB-SCT, US, US-CA, BR, CA, CH, DE... (default: the regime's)",
    )
    parser.add_argument(
        "--organisation-country",
        default="FI",
        help="the gdpr and service_level calendar when --calendar is not given",
    )
    parser.add_argument(
        "--pause",
        action="append",
        default=[],
        metavar="START/END[:KIND]",
        help=f"a pause; END may be empty while it is open; KIND: {', '.join(PAUSE_KINDS)} "
        "(default clarification)",
    )
    parser.add_argument("--as-of", help="count an open pause as ending on this date")
    parser.add_argument("--identity-received", help="UK: the date the identity information arrived")
    parser.add_argument("--fee-paid", help="UK: the date the fee was paid")
    parser.add_argument("--small-agent", action="store_true", help="LGPD: a small processing agent")
    parser.add_argument("--extension-notified", help="the date the extension was notified")
    parser.add_argument("--extension-reason", help="the reason given for the extension")
    parser.add_argument(
        "--close-christmas-eve",
        action="store_true",
        help="FI: treat 24 December as closed (default: a working day)",
    )
    parser.add_argument(
        "--closed-day",
        action="append",
        default=[],
        metavar="YYYY-MM-DD|MM-DD",
        help="one of the organisation's own closed days",
    )
    parser.add_argument("--business-days", help="service_level: the target in business days")
    parser.add_argument("--business-hours", help="service_level: the target in business hours")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise DeadlineError(f"{what}: {text!r} is not a valid date (YYYY-MM-DD): {error}") from None


def parse_moment(text: str, what: str) -> date:
    """A date, or a date and time when the text is longer than a date."""
    if len(text.strip()) <= len("YYYY-MM-DD"):
        return parse_date(text, what)
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise DeadlineError(f"{what}: {text!r} is not a valid date and time: {error}") from None


def parse_pause(text: str) -> Pause:
    span, _, kind = text.partition(":")
    start, separator, end = span.partition("/")
    if not separator:
        raise DeadlineError(f"--pause: {text!r} is not START/END[:KIND], e.g. 2026-02-03/2026-02-09")
    return Pause(
        start=parse_date(start, "--pause start"),
        end=parse_date(end, "--pause end") if end.strip() else None,
        kind=kind.strip() or "clarification",
    )


def _optional(options: Mapping[str, Any], key: str) -> date | None:
    value = options.get(key)
    return parse_date(value, "--" + key.replace("_", "-")) if value else None


def _calendar(options: Mapping[str, Any]) -> Calendar:
    code = (
        options.get("calendar")
        or default_calendar(options["regime"], options.get("organisation_country") or "FI").code
    )
    closed = tuple(ClosedDay.parse(text) for text in options.get("closed_day") or ())
    return Calendar(code, christmas_eve_closed=bool(options.get("close_christmas_eve")), extra_closed=closed)


def _service_level(options: Mapping[str, Any]) -> ServiceLevel | None:
    days, hours = options.get("business_days"), options.get("business_hours")
    if days is None and hours is None:
        return None
    if days is not None and hours is not None:
        raise DeadlineError("give --business-days or --business-hours, not both")
    if str(options["regime"]).strip().lower() != "service_level":
        raise DeadlineError("--business-days and --business-hours apply to --regime service_level only")
    text, unit = (str(days), BUSINESS_DAYS) if days is not None else (str(hours), BUSINESS_HOURS)
    if not text.strip().isdigit():
        raise DeadlineError(f"--{unit.replace('_', '-')}: {text!r} is not a whole number")
    target = Target(int(text), unit)
    return ServiceLevel(first_response=target, resolution=target)


def _extension(options: Mapping[str, Any], received: date) -> Extension | None:
    notified = _optional(options, "extension_notified")
    if notified is None and options["event"] != "extended":
        return None
    receipt = received.date() if isinstance(received, datetime) else received
    return Extension(
        notified=notified or receipt, reason=options.get("extension_reason") or ASSUMED_EXTENSION
    )


def compute(options: Mapping[str, Any]) -> Deadline:
    """The Deadline the options ask for; any refusal is a DeadlineError."""
    received = parse_moment(options["received"], "--received")
    return deadline_for(
        regime=options["regime"],
        event=options["event"],
        received=received,
        calendar=_calendar(options),
        pauses=tuple(parse_pause(text) for text in options.get("pause") or ()),
        extension=_extension(options, received),
        identity_received=_optional(options, "identity_received"),
        fee_paid=_optional(options, "fee_paid"),
        small_agent=bool(options.get("small_agent")),
        service_level=_service_level(options),
        as_of=_optional(options, "as_of"),
    )


def run(options: Mapping[str, Any], stdout: Writer, stderr: Writer) -> int:
    """Print the deadline (a sentence, or one JSON object with --json); 2 on any refusal."""
    try:
        deadline = compute(options)
    except DeadlineError as error:
        stderr.write(f"{error}\n")
        return USAGE_ERROR
    if options.get("json"):
        stdout.write(json.dumps(deadline.to_dict(), ensure_ascii=False) + "\n")
    else:
        stdout.write(deadline.explanation + "\n")
    return 0


def main(argv: list[str] | None = None, stdout: Writer | None = None, stderr: Writer | None = None) -> int:
    """The command without Django (tests); argparse's own usage errors also return 2."""
    parser = argparse.ArgumentParser(prog="deadline", description=DESCRIPTION)
    add_arguments(parser)
    try:
        namespace = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on a usage error, 0 after --help
        return stop.code if isinstance(stop.code, int) else USAGE_ERROR
    return run(vars(namespace), stdout or sys.stdout, stderr or sys.stderr)
