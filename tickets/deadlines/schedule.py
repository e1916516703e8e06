"""From a ticket's kind and regime to its clocks: the deadlines the desk tracks for it.

The plan (SPEC: Kinds of ticket; research/deadlines.md):

* DSR kinds (access, rectification, erasure, restriction, portability, objection,
  consent_withdrawal; opt_out too outside California, as an objection) -> the regime's
  `respond`, plus `extension_notice` where the regime allows an extension, plus `extended`
  once an extension is given (then the final deadline).
* ccpa: access, rectification, erasure, portability -> also `acknowledge` (11 CCR §7021(a));
  opt_out, objection, consent_withdrawal -> `opt_out` (§7026(f)); restriction -> `limit_spi`
  (§7027(g)). Neither of those two can be extended.
* us_*, lgpd, pipeda, fadp: every DSR kind -> `respond` (conservative: the shortest clock).
* complaint and question -> the organisation's service level, `first_response` and
  `resolution` (final); a uk_gdpr complaint also gets the statutory `complaint_ack`
  (DPA 2018 s.164A).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tickets.deadlines.calendars import Calendar
from tickets.deadlines.engine import deadline_for, default_calendar, one_extension, regime_spec
from tickets.deadlines.errors import ExtensionNotAllowed, UnknownKind
from tickets.deadlines.inputs import Extension, Pause, ServiceLevel
from tickets.deadlines.results import Deadline

KINDS = (
    "complaint",
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "opt_out",
    "consent_withdrawal",
    "question",
)
SERVICE_KINDS = ("complaint", "question")
CCPA_KNOW_DELETE_CORRECT = ("access", "rectification", "erasure", "portability")
CCPA_OPT_OUT = ("opt_out", "objection", "consent_withdrawal")


@dataclass(frozen=True)
class Schedule:
    """A ticket's named deadlines (in plan order) and which one is the ticket's due date."""

    regime: str
    kind: str
    calendar: str
    deadlines: tuple[tuple[str, Deadline], ...]
    final_name: str

    @property
    def final(self) -> Deadline:
        """The ticket's due date."""
        return dict(self.deadlines)[self.final_name]

    @property
    def paused(self) -> bool:
        return any(deadline.paused for _, deadline in self.deadlines)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.deadlines)

    def get(self, name: str, default: Deadline | None = None) -> Deadline | None:
        return dict(self.deadlines).get(name, default)

    def to_dict(self) -> dict[str, object]:
        return {
            "regime": self.regime,
            "kind": self.kind,
            "calendar": self.calendar,
            "final": self.final_name,
            "due": self.final.to_dict()["due"],
            "paused": self.paused,
            "deadlines": {name: deadline.to_dict() for name, deadline in self.deadlines},
        }


def plan(regime: str, kind: str, *, extended: bool = False) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """(name, regime, event) triples for a kind, and the final one's name."""
    if kind not in KINDS:
        raise UnknownKind(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    spec = regime_spec(regime)
    if kind in SERVICE_KINDS:
        steps = [
            ("first_response", "service_level", "first_response"),
            ("resolution", "service_level", "resolution"),
        ]
        if spec.name == "uk_gdpr" and kind == "complaint":
            steps.insert(1, ("complaint_ack", "uk_gdpr", "complaint_ack"))
        return tuple(steps), "resolution"
    if spec.name == "ccpa" and kind in CCPA_OPT_OUT:
        return (("opt_out", "ccpa", "opt_out"),), "opt_out"
    if spec.name == "ccpa" and kind == "restriction":
        return (("limit_spi", "ccpa", "limit_spi"),), "limit_spi"
    steps = [("respond", spec.name, "respond")]
    if spec.name == "ccpa" and kind in CCPA_KNOW_DELETE_CORRECT:
        steps.insert(0, ("acknowledge", "ccpa", "acknowledge"))
    if spec.extendable:
        steps.append(("extension_notice", spec.name, "extension_notice"))
        if extended:
            steps.append(("extended", spec.name, "extended"))
            return tuple(steps), "extended"
    return tuple(steps), "respond"


def schedule_for(
    *,
    regime: str,
    kind: str,
    received: date,
    calendar: Calendar | str | None = None,
    pauses: Iterable[Pause] = (),
    extension: Extension | Sequence[Extension] | None = None,
    identity_received: date | None = None,
    fee_paid: date | None = None,
    small_agent: bool = False,
    service_level: ServiceLevel | None = None,
    as_of: date | None = None,
    organisation_country: str = "FI",
) -> Schedule:
    """Every deadline a ticket of `kind` under `regime` carries; `.final` is its due date."""
    if calendar is None:
        calendar = default_calendar(regime, organisation_country)
    elif isinstance(calendar, str):
        calendar = Calendar(calendar)
    given = one_extension(extension)
    steps, final_name = plan(regime, kind, extended=given is not None)
    if given is not None and final_name != "extended":
        raise ExtensionNotAllowed(f"a {kind} ticket under {regime_spec(regime).name} cannot be extended")
    pause_list = tuple(pauses)
    deadlines = tuple(
        (
            name,
            deadline_for(
                regime=step_regime,
                event=event,
                received=received,
                calendar=calendar,
                pauses=pause_list,
                extension=given if step_regime != "service_level" else None,
                identity_received=identity_received,
                fee_paid=fee_paid,
                small_agent=small_agent,
                service_level=service_level,
                as_of=as_of,
                kind=kind,
            ),
        )
        for name, step_regime, event in steps
    )
    return Schedule(
        regime=regime_spec(regime).name,
        kind=kind,
        calendar=calendar.code,
        deadlines=deadlines,
        final_name=final_name,
    )
