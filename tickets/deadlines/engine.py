"""The one entry point for a single deadline: check the input, pick the rule, run it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from types import MappingProxyType

from tickets.deadlines import gdpr, other, service_levels, uk, us
from tickets.deadlines.arithmetic import long_date
from tickets.deadlines.calendars import Calendar
from tickets.deadlines.context import RegimeSpec, Request, Rule, receipt_date
from tickets.deadlines.errors import (
    ExtensionNotAllowed,
    InvalidPause,
    InvalidReceipt,
    UnknownEvent,
    UnknownRegime,
)
from tickets.deadlines.inputs import Extension, Pause, ServiceLevel, arrange_pauses, as_date
from tickets.deadlines.results import Deadline

SPECS: Mapping[str, RegimeSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            gdpr.SPEC,
            uk.SPEC,
            us.CCPA,
            *us.STATE_SPECS.values(),
            other.LGPD,
            other.PIPEDA,
            other.FADP,
            service_levels.SPEC,
        )
    }
)
# Regime -> its events, in the order a person reads them.
REGIMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {name: tuple(spec.events) for name, spec in SPECS.items()}
)
# The laws a ticket can be under: every regime but the organisation's own service level.
LAWS: tuple[str, ...] = tuple(name for name in SPECS if name != service_levels.SPEC.name)
EXTENSION_EVENTS = ("extension_notice", "extended")

# gdpr: the organisation's country, whose public holidays Reg. 1182/71 Art. 2(1) means;
# uk_gdpr: England unless the ticket names a nation (research §3.4); the rest: their country.
DEFAULT_CALENDARS: Mapping[str, str | None] = MappingProxyType(
    {
        "gdpr": None,
        "service_level": None,
        "uk_gdpr": "GB-ENG",
        "ccpa": "US",
        "us_va": "US",
        "us_ct": "US",
        "us_co": "US",
        "us_ut": "US",
        "us_or": "US",
        "lgpd": "BR",
        "pipeda": "CA",
        "fadp": "CH",
    }
)


def regime_spec(regime: str) -> RegimeSpec:
    spec = SPECS.get(str(regime).strip().lower())
    if spec is None:
        raise UnknownRegime(f"unknown regime {regime!r}: use one of {', '.join(SPECS)}")
    return spec


def default_calendar(regime: str, organisation_country: str = "FI") -> Calendar:
    """The calendar a regime counts with when the ticket does not name one."""
    code = DEFAULT_CALENDARS[regime_spec(regime).name]
    return Calendar(code or organisation_country)


def _rule(spec: RegimeSpec, event: str) -> Rule:
    rule = spec.events.get(event)
    if rule is not None:
        return rule
    if event in EXTENSION_EVENTS and not spec.extendable:
        raise ExtensionNotAllowed(f"{spec.name} allows no extension, so it has no {event!r} deadline")
    raise UnknownEvent(f"{spec.name} has no event {event!r}: use one of {', '.join(spec.events)}")


def one_extension(extension: Extension | Sequence[Extension] | None) -> Extension | None:
    if extension is None or isinstance(extension, Extension):
        return extension
    extensions = tuple(extension)
    if len(extensions) > 1:
        raise ExtensionNotAllowed("a period may be extended once only; a second extension is refused")
    return extensions[0] if extensions else None


def check_extension(spec: RegimeSpec, request: Request) -> None:
    """One extension, with a reason, notified between receipt and the extension-notice date."""
    extension = request.extension
    if extension is None:
        return
    if not spec.extendable:
        raise ExtensionNotAllowed(f"{spec.name} allows no extension")
    notice = spec.events["extension_notice"](replace(request, event="extension_notice", extension=None))
    if extension.notified < request.received:
        raise ExtensionNotAllowed(f"an extension cannot be notified ({extension.notified}) before receipt")
    if extension.notified > notice.due:
        raise ExtensionNotAllowed(
            f"the extension was notified on {long_date(extension.notified)}, after the first "
            "period "
            f"ended on {long_date(notice.due)}: it is no longer available ({notice.basis})"
        )


def _optional_date(value: date | None, what: str, received: date) -> date | None:
    if value is None:
        return None
    day = as_date(value, what)
    if day < received:
        raise InvalidPause(f"the {what} ({day}) cannot be before receipt ({received})")
    return day


def deadline_for(
    *,
    regime: str,
    event: str,
    received: date,
    calendar: Calendar | str | None = None,
    pauses: Iterable[Pause] = (),
    extension: Extension | Sequence[Extension] | None = None,
    identity_received: date | None = None,
    fee_paid: date | None = None,
    small_agent: bool = False,
    service_level: ServiceLevel | None = None,
    as_of: date | None = None,
    kind: str | None = None,
    organisation_country: str = "FI",
) -> Deadline:
    """One deadline of `regime`, e.g. deadline_for(regime="gdpr", event="respond", received=...).

    `received` is a date, or a date-time for clocks counted in hours (breach_notice, business
    hours). `calendar` defaults to default_calendar(regime, organisation_country).
    """
    spec = regime_spec(regime)
    rule = _rule(spec, event)
    if not isinstance(received, date):
        raise InvalidReceipt(f"received must be a date or a date-time, not {received!r}")
    if calendar is None:
        calendar = default_calendar(spec.name, organisation_country)
    elif isinstance(calendar, str):
        calendar = Calendar(calendar)
    receipt = receipt_date(received)
    spans, open_pause = arrange_pauses(pauses, receipt, None if as_of is None else as_date(as_of, "as_of"))
    request = Request(
        regime=spec.name,
        event=event,
        received_at=received,
        calendar=calendar,
        pauses=spans,
        open_pause=open_pause,
        extension=one_extension(extension),
        identity_received=_optional_date(identity_received, "identity information", receipt),
        fee_paid=_optional_date(fee_paid, "fee payment", receipt),
        small_agent=small_agent,
        service_level=service_level or ServiceLevel(),
        kind=kind,
    )
    check_extension(spec, request)
    return rule(request)
