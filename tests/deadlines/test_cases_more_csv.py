"""Every row of the research's deadline_cases_more.csv (copied into tests/deadlines/data/, see
data/SOURCES.md) through the command line (`--json`), as test_cases_csv.py does for the first file.

The file holds the worked examples of the later regimes (research/deadlines-more.md §5): thirteen
US states, Québec, New Zealand, South Africa, Singapore, Australia, Korea, Thailand, Türkiye and
Norway. Its names are mapped to the command's here, with the regime codes of issue 24; nothing is
special-cased per row. A missing or silently shorter file fails.

A row whose regime the engine does not have yet runs too: the engine refuses it, and the row is an
expected failure (strict) until the regime is added (issue 24). The mark is decided by the
engine's own list of regimes, never by the row, so the day a regime arrives its rows must pass.
A test id ends in "-unverified" where the research marks the rule [own knowledge, unverified], and
in "-interpretation" where it marks an [interpretation]: a lawyer's correction changes one row.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.deadlines.helpers import load_cases, run_cli
from tickets.deadlines.engine import REGIMES as ENGINE_REGIMES

pytestmark = pytest.mark.pure

EXPECTED_ROWS = 51  # issue 24: "51 worked cases" (research/deadlines-more.md §5 says 73; the file has 51)
CSV_NAME = "deadline_cases_more.csv"

# CSV regime -> the command's --regime and any flags it implies (research/deadlines-more.md §5,
# "Calendars"; the codes are issue 24's). US states count calendar days on the US calendar, the
# regime's default.
REGIMES = {
    "TDPSA": ["--regime", "us_tx"],
    "MTCDPA": ["--regime", "us_mt"],
    "ICDPA": ["--regime", "us_ia"],
    "DPDPA-DE": ["--regime", "us_de"],
    "NDPA-NE": ["--regime", "us_ne"],
    "NHPA": ["--regime", "us_nh"],
    "NJDPA": ["--regime", "us_nj"],
    "TIPA": ["--regime", "us_tn"],
    "MCDPA-MN": ["--regime", "us_mn"],
    "MODPA-MD": ["--regime", "us_md"],
    "INCDPA": ["--regime", "us_in"],
    "KCDPA": ["--regime", "us_ky"],
    "RIDTPPA": ["--regime", "us_ri"],
    "QC-LAW25": ["--regime", "qc", "--calendar", "CA-QC"],
    "NZ-PA2020": ["--regime", "nz", "--calendar", "NZ"],
    "POPIA": ["--regime", "za", "--calendar", "ZA"],
    "SG-PDPA": ["--regime", "sg", "--calendar", "SG"],
    "AU-APP12": ["--regime", "au", "--calendar", "AU-ACT"],  # an agency in Canberra (§5)
    "KR-PIPA": ["--regime", "kr", "--calendar", "KR"],
    "TH-PDPA": ["--regime", "th", "--calendar", "TH"],
    "TR-KVKK": ["--regime", "tr", "--calendar", "TR"],
    "GDPR-NO": ["--regime", "gdpr", "--calendar", "NO"],
}
# CSV event -> the command's --event and any flags it implies; an event not listed keeps its name
# (extended, appeal, appeal_extended, consent_revocation, time_notice).
EVENTS = {
    "initial": ["--event", "respond"],
    "ext_notice": ["--event", "extension_notice"],
    "ds_complaint_window": ["--event", "complaint_window"],
    "initial_agency": ["--event", "respond", "--agency"],
    "initial_org": ["--event", "respond"],
}
KNOWN_EVENTS = {*EVENTS, "extended", "appeal", "appeal_extended", "consent_revocation", "time_notice"}
UNVERIFIED = re.compile(r"\[own knowledge, unverified")
INTERPRETATION = re.compile(r"\[interpretation")


class Refused(Exception):
    """The command refused the row: exit status 2 and its one line on stderr."""


def command_for(row: dict[str, str]) -> list[str]:
    event = EVENTS.get(row["event"], ["--event", row["event"]])
    return [*REGIMES[row["regime"]], *event, "--received", row["received_at"]]


def regime_code(row: dict[str, str]) -> str:
    return REGIMES[row["regime"]][1]


def computed(row: dict[str, str]) -> dict[str, Any]:
    status, out, err = run_cli(*command_for(row), "--json")
    if status != 0:
        raise Refused(err.strip())
    assert out.count("\n") == 1, out
    result: dict[str, Any] = json.loads(out)
    return result


def case_id(row: dict[str, str]) -> str:
    tags = [tag for tag, pattern in (("unverified", UNVERIFIED), ("interpretation", INTERPRETATION))
            if pattern.search(row["source_or_reasoning"])]
    return "-".join([row["regime"], row["received_at"], row["event"], *tags])


def case(row: dict[str, str]) -> Any:
    code = regime_code(row)
    if code in ENGINE_REGIMES:
        return pytest.param(row, id=case_id(row))
    missing = pytest.mark.xfail(raises=Refused, strict=True,
                                reason=f"the engine has no regime {code!r} yet (issue 24)")
    return pytest.param(row, id=case_id(row), marks=missing)


ROWS = load_cases(CSV_NAME)


def test_the_table_has_every_row() -> None:
    assert len(ROWS) == EXPECTED_ROWS
    assert {row["regime"] for row in ROWS} == set(REGIMES)
    assert {row["event"] for row in ROWS} <= KNOWN_EVENTS
    assert len({case_id(row) for row in ROWS}) == EXPECTED_ROWS


@pytest.mark.parametrize("row", [case(row) for row in ROWS])
def test_row(row: dict[str, str]) -> None:
    result = computed(row)
    assert result["due"] == row["expected_due"], result["explanation"]
    assert result["basis"] and result["rule"] and result["nominal"]
    if INTERPRETATION.search(row["source_or_reasoning"]):
        assert result["interpretation"] is True, result["explanation"]
