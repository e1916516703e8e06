"""schedule_for: every kind under every regime, and what the ticket's due date is.

All cases: received Mon 2 Mar 2026, each regime's default calendar (FI for gdpr). No public
holiday falls in March 2026 in FI, GB-ENG, US, BR, CA or CH, so the service levels are the same
everywhere: first response Wed 4 Mar (2 business days), resolution Mon 30 Mar (20).
"""
# ruff: noqa: DTZ001  # naive datetimes here are local wall-clock times, which the engine takes as given

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from tickets.deadlines import (
    KINDS,
    REGIMES,
    Calendar,
    Extension,
    ExtensionNotAllowed,
    Pause,
    ServiceLevel,
    Target,
    UnknownKind,
    plan,
    schedule_for,
)

pytestmark = pytest.mark.pure

RECEIVED = date(2026, 3, 2)
DSR_KINDS = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "opt_out",
    "consent_withdrawal",
)
SERVICE = {"first_response": date(2026, 3, 4), "resolution": date(2026, 3, 30)}

# regime -> (names of the deadlines for a DSR kind, final due date)
DSR = {
    "gdpr": (("respond", "extension_notice"), date(2026, 4, 2)),
    "uk_gdpr": (("respond", "extension_notice"), date(2026, 4, 2)),
    "us_va": (("respond", "extension_notice"), date(2026, 4, 16)),
    "us_ct": (("respond", "extension_notice"), date(2026, 4, 16)),
    "us_co": (("respond", "extension_notice"), date(2026, 4, 16)),
    "us_ut": (("respond", "extension_notice"), date(2026, 4, 16)),
    "us_or": (("respond", "extension_notice"), date(2026, 4, 16)),
    "lgpd": (("respond",), date(2026, 3, 17)),
    "pipeda": (("respond", "extension_notice"), date(2026, 4, 1)),
    "fadp": (("respond",), date(2026, 4, 1)),
}
CCPA = {
    "access": (("acknowledge", "respond", "extension_notice"), "respond", date(2026, 4, 15)),
    "rectification": (("acknowledge", "respond", "extension_notice"), "respond", date(2026, 4, 15)),
    "erasure": (("acknowledge", "respond", "extension_notice"), "respond", date(2026, 4, 15)),
    "portability": (("acknowledge", "respond", "extension_notice"), "respond", date(2026, 4, 15)),
    "opt_out": (("opt_out",), "opt_out", date(2026, 3, 23)),
    "objection": (("opt_out",), "opt_out", date(2026, 3, 23)),
    "consent_withdrawal": (("opt_out",), "opt_out", date(2026, 3, 23)),
    "restriction": (("limit_spi",), "limit_spi", date(2026, 3, 23)),
}

CASES = [
    *[(regime, kind, names, "respond", due) for regime, (names, due) in DSR.items() for kind in DSR_KINDS],
    *[("ccpa", kind, names, final, due) for kind, (names, final, due) in CCPA.items()],
    *[
        (regime, "question", ("first_response", "resolution"), "resolution", SERVICE["resolution"])
        for regime in [*DSR, "ccpa"]
    ],
    *[
        (regime, "complaint", ("first_response", "resolution"), "resolution", SERVICE["resolution"])
        for regime in [*DSR, "ccpa"]
        if regime != "uk_gdpr"
    ],
    (
        "uk_gdpr",
        "complaint",
        ("first_response", "complaint_ack", "resolution"),
        "resolution",
        SERVICE["resolution"],
    ),
]


def test_every_kind_under_every_regime_is_covered() -> None:
    regimes = [regime for regime in REGIMES if regime != "service_level"]
    assert {(case[0], case[1]) for case in CASES} == {(r, k) for r in regimes for k in KINDS}
    assert len(CASES) == len(regimes) * len(KINDS) == 110


@pytest.mark.parametrize(("regime", "kind", "names", "final", "due"), CASES)
def test_schedule(regime: str, kind: str, names: tuple[str, ...], final: str, due: date) -> None:
    schedule = schedule_for(regime=regime, kind=kind, received=RECEIVED)
    assert schedule.names == names
    assert schedule.final_name == final
    assert schedule.final.due == due
    assert schedule.paused is False
    assert schedule.kind == kind and schedule.regime == regime
    for name in names:
        deadline = schedule.get(name)
        assert deadline is not None
        if name in SERVICE:
            assert deadline.due == SERVICE[name]
            assert deadline.rule == f"service_level.{name}"
        else:
            assert deadline.rule == f"{regime}.{name}"


def test_uk_complaint_acknowledgement_in_the_schedule() -> None:
    schedule = schedule_for(regime="uk_gdpr", kind="complaint", received=RECEIVED)
    acknowledgement = schedule.get("complaint_ack")
    assert acknowledgement is not None
    assert acknowledgement.due == date(2026, 4, 1)  # 2 Mar + 30 = Wed 1 Apr


def test_an_extension_makes_the_extended_date_final() -> None:
    extension = Extension(date(2026, 3, 20), "complex")
    gdpr = schedule_for(regime="gdpr", kind="access", received=RECEIVED, extension=extension)
    assert gdpr.names == ("respond", "extension_notice", "extended")
    assert gdpr.final_name == "extended"
    assert gdpr.final.due == date(2026, 6, 2)
    ccpa = schedule_for(regime="ccpa", kind="erasure", received=RECEIVED, extension=extension)
    assert ccpa.names == ("acknowledge", "respond", "extension_notice", "extended")
    assert ccpa.final.due == date(2026, 5, 30)
    assert plan("pipeda", "access", extended=True)[1] == "extended"


@pytest.mark.parametrize(
    ("regime", "kind"),
    [
        ("ccpa", "opt_out"),
        ("ccpa", "restriction"),
        ("gdpr", "complaint"),
        ("uk_gdpr", "question"),
        ("lgpd", "access"),
        ("fadp", "erasure"),
    ],
)
def test_kinds_that_cannot_be_extended(regime: str, kind: str) -> None:
    with pytest.raises(ExtensionNotAllowed):
        schedule_for(
            regime=regime, kind=kind, received=RECEIVED, extension=Extension(date(2026, 3, 3), "complex")
        )


def test_a_late_extension_is_refused_in_a_schedule() -> None:
    with pytest.raises(ExtensionNotAllowed, match="no longer available"):
        schedule_for(
            regime="gdpr", kind="access", received=RECEIVED, extension=Extension(date(2026, 4, 3), "complex")
        )


def test_paused_follows_the_regime() -> None:
    identity = [Pause(date(2026, 3, 3), kind="identity")]
    assert schedule_for(regime="gdpr", kind="access", received=RECEIVED, pauses=identity).paused
    assert not schedule_for(regime="ccpa", kind="access", received=RECEIVED, pauses=identity).paused
    assert schedule_for(regime="ccpa", kind="complaint", received=RECEIVED, pauses=identity).paused
    provisional = schedule_for(
        regime="gdpr", kind="access", received=RECEIVED, pauses=identity, as_of=date(2026, 3, 9)
    )
    assert provisional.final.due == date(2026, 4, 8)


def test_uk_clarification_counts_for_access_only() -> None:
    clarification = [Pause(date(2026, 3, 4), date(2026, 3, 10))]
    access = schedule_for(regime="uk_gdpr", kind="access", received=RECEIVED, pauses=clarification)
    erasure = schedule_for(regime="uk_gdpr", kind="erasure", received=RECEIVED, pauses=clarification)
    assert (access.final.due, erasure.final.due) == (date(2026, 4, 9), date(2026, 4, 2))


def test_service_levels_in_business_hours_and_small_agents() -> None:
    level = ServiceLevel(first_response=Target(4, "business_hours"), resolution=Target(10))
    schedule = schedule_for(
        regime="gdpr",
        kind="complaint",
        received=datetime(2026, 3, 6, 15, 30),
        calendar="FI",
        service_level=level,
    )
    first = schedule.get("first_response")
    assert first is not None and first.due == datetime(2026, 3, 9, 11, 30)
    assert schedule.final.due == date(2026, 3, 20)  # Fri 6 Mar + 10 business days
    lgpd = schedule_for(regime="lgpd", kind="access", received=RECEIVED, small_agent=True)
    assert lgpd.final.due == date(2026, 4, 1)


def test_uk_relevant_time_in_a_schedule() -> None:
    schedule = schedule_for(
        regime="uk_gdpr",
        kind="access",
        received=RECEIVED,
        identity_received=date(2026, 3, 16),
        fee_paid=date(2026, 3, 2),
    )
    assert schedule.final.due == date(2026, 4, 16)


def test_schedule_calendars() -> None:
    assert schedule_for(regime="gdpr", kind="access", received=RECEIVED).calendar == "FI"
    assert (
        schedule_for(regime="gdpr", kind="access", received=RECEIVED, organisation_country="SE").calendar
        == "SE"
    )
    scottish = schedule_for(regime="uk_gdpr", kind="access", received=date(2026, 7, 31), calendar="GB-SCT")
    assert (scottish.calendar, scottish.final.due) == ("GB-SCT", date(2026, 8, 31))
    english = schedule_for(
        regime="uk_gdpr", kind="access", received=date(2026, 7, 31), calendar=Calendar("GB-ENG")
    )
    assert (english.calendar, english.final.due) == ("GB-ENG", date(2026, 9, 1))


def test_schedule_to_dict_is_json() -> None:
    schedule = schedule_for(regime="ccpa", kind="access", received=RECEIVED)
    data = json.loads(json.dumps(schedule.to_dict()))
    assert data["final"] == "respond"
    assert data["due"] == "2026-04-15"
    assert data["paused"] is False
    assert list(data["deadlines"]) == ["acknowledge", "respond", "extension_notice"]
    assert data["deadlines"]["acknowledge"]["due"] == "2026-03-16"


def test_get_unknown_name() -> None:
    schedule = schedule_for(regime="gdpr", kind="access", received=RECEIVED)
    assert schedule.get("acknowledge") is None
    assert schedule.get("acknowledge", schedule.final) is schedule.final


def test_unknown_kind() -> None:
    with pytest.raises(UnknownKind, match="unknown kind 'breach'"):
        schedule_for(regime="gdpr", kind="breach", received=RECEIVED)


def test_kinds() -> None:
    assert KINDS == (
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
