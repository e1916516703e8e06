"""Every row of the research's deadline_cases.csv (copied into tests/deadlines/data/, see
data/SOURCES.md) through the command line (`--json`).

The CSV is the researcher's golden file (research/deadlines.md §13). Its names are mapped to
the command's here; nothing is special-cased per row. A missing or silently shorter file fails.
The later regimes' file, deadline_cases_more.csv, has its own test (test_cases_more_csv.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deadlines.helpers import CASES, cli_json, load_cases

pytestmark = pytest.mark.pure

EXPECTED_ROWS = 36
CSV_NAME = "deadline_cases.csv"

# CSV regime -> the command's --regime and any flags it implies.
REGIMES = {
    "GDPR-FI": ["--regime", "gdpr", "--calendar", "FI"],
    "GDPR-breach": ["--regime", "gdpr"],
    "UKGDPR-ENG": ["--regime", "uk_gdpr", "--calendar", "GB-ENG"],
    "UKGDPR-SCT": ["--regime", "uk_gdpr", "--calendar", "GB-SCT"],
    "UK-DPA-s164A": ["--regime", "uk_gdpr"],
    "CCPA": ["--regime", "ccpa"],
    "VCDPA": ["--regime", "us_va"],
    "CTDPA": ["--regime", "us_ct"],
    "CPA": ["--regime", "us_co"],
    "UCPA": ["--regime", "us_ut"],
    "OCPA": ["--regime", "us_or"],
    "LGPD": ["--regime", "lgpd"],
    "LGPD-small-agent": ["--regime", "lgpd", "--small-agent"],
    "PIPEDA": ["--regime", "pipeda"],
    "FADP-CH": ["--regime", "fadp"],
}
EVENTS = {
    "initial": "respond",
    "ext_notice": "extension_notice",
    "ack": "acknowledge",
    "optout": "opt_out",
    "breach_sa_72h": "breach_notice",
}
PAUSED = re.compile(r"initial_paused\(\w+ asked (\d{4}-\d{2}-\d{2}); received (\d{4}-\d{2}-\d{2})\)")
RELEVANT_TIME = re.compile(r"initial_relevant_time\(ID received (\d{4}-\d{2}-\d{2})\)")


def event_arguments(event: str) -> list[str]:
    if paused := PAUSED.fullmatch(event):
        return ["--event", "respond", "--pause", f"{paused[1]}/{paused[2]}"]
    if relevant := RELEVANT_TIME.fullmatch(event):
        return ["--event", "respond", "--identity-received", relevant[1]]
    return ["--event", EVENTS.get(event, event)]


def command_for(row: dict[str, str]) -> list[str]:
    return [*REGIMES[row["regime"]], *event_arguments(row["event"]), "--received", row["received_at"]]


ROWS = load_cases(CSV_NAME)


def test_the_table_has_every_row() -> None:
    assert len(ROWS) == EXPECTED_ROWS
    assert {row["regime"] for row in ROWS} <= set(REGIMES)


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{row['regime']}-{row['received_at']}-{row['event']}" for row in ROWS]
)
def test_row(row: dict[str, str]) -> None:
    result = cli_json(*command_for(row))
    assert result["due"] == row["expected_due"], result["explanation"]
    assert isinstance(result["interpretation"], bool)
    assert result["basis"] and result["rule"] and result["nominal"]


def test_rows_tagged_interpretation_are_flagged() -> None:
    """A row whose reasoning carries [interpretation] is one the engine must flag too."""
    tagged = [row for row in ROWS if "[interpretation" in row["source_or_reasoning"]]
    assert len(tagged) == 7
    for row in tagged:
        assert cli_json(*command_for(row))["interpretation"] is True, row


def test_the_cases_are_read_from_the_checkout() -> None:
    root = Path(__file__).resolve().parents[2]
    assert CASES.is_relative_to(root) and (CASES / CSV_NAME).exists()
    assert len(ROWS) == EXPECTED_ROWS  # every worked example of the research
