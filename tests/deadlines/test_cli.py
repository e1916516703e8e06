"""The pure command line (tickets/deadlines/cli.py): output, options and every refusal."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.deadlines.helpers import cli_json, run_cli
from tickets.deadlines import cli

pytestmark = pytest.mark.pure

BASE = ("--regime", "gdpr", "--event", "respond")


def test_a_sentence_without_json() -> None:
    status, out, err = run_cli(*BASE, "--received", "2026-12-31", "--calendar", "FI")
    assert (status, err) == (0, "")
    assert out == (
        "The GDPR response to a request received on Thursday 31 December 2026 is due by the end "
        "of Monday 1 February 2027. One month from receipt ends on Sunday 31 January 2027. "
        "Sunday 31 January 2027 is not a working day, so the deadline moves to the next working "
        "day. Legal basis: GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4).\n"
    )


def test_json_has_the_required_fields() -> None:
    result = cli_json(*BASE, "--received", "2026-12-31")
    assert result["due"] == "2027-02-01"
    assert result["nominal"] == "2027-01-31"
    assert result["rule"] == "gdpr.respond"
    assert result["basis"] == "GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4)"
    assert result["interpretation"] is False
    assert result["calendar"] == "FI"  # the organisation's country by default
    assert result["moved_by"] == [{"date": "2027-01-31", "name": "Sunday"}]


def test_calendar_defaults_per_regime() -> None:
    assert (
        cli_json("--regime", "uk_gdpr", "--event", "respond", "--received", "2026-06-12")["calendar"]
        == "GB-ENG"
    )
    assert (
        cli_json("--regime", "pipeda", "--event", "respond", "--received", "2026-03-02")["calendar"] == "CA"
    )
    assert cli_json(*BASE, "--received", "2026-04-25", "--organisation-country", "DE")["due"] == (
        "2026-05-26"
    )


def test_pauses_as_of_and_kinds() -> None:
    assert cli_json(*BASE, "--received", "2026-03-02", "--pause", "2026-03-03/2026-03-09")["due"] == (
        "2026-04-08"
    )
    open_pause = cli_json(*BASE, "--received", "2026-03-02", "--pause", "2026-03-03/:identity")
    assert (open_pause["due"], open_pause["paused"]) == ("2026-04-02", True)
    as_of = cli_json(*BASE, "--received", "2026-03-02", "--pause", "2026-03-03/", "--as-of", "2026-03-09")
    assert (as_of["due"], as_of["pause_days"]) == ("2026-04-08", 6)
    restart = cli_json(
        "--regime",
        "uk_gdpr",
        "--event",
        "respond",
        "--received",
        "2026-03-02",
        "--pause",
        "2026-03-03/2026-03-16:identity",
    )
    assert restart["due"] == "2026-04-16"


def test_uk_relevant_time_options() -> None:
    uk = ("--regime", "uk_gdpr", "--event", "respond", "--received", "2026-03-02")
    assert cli_json(*uk, "--identity-received", "2026-03-16")["due"] == "2026-04-16"
    assert cli_json(*uk, "--fee-paid", "2026-03-05")["due"] == "2026-04-07"


def test_extended_assumes_a_timely_notice_or_takes_one() -> None:
    assumed = cli_json("--regime", "gdpr", "--event", "extended", "--received", "2026-02-10")
    assert assumed["due"] == "2026-05-11"
    assert any("assumed notified" in note for note in assumed["notes"])
    given = cli_json(
        "--regime",
        "gdpr",
        "--event",
        "extended",
        "--received",
        "2026-02-10",
        "--extension-notified",
        "2026-03-10",
        "--extension-reason",
        "many requests",
    )
    assert any("many requests" in note for note in given["notes"])
    timed = cli_json("--regime", "gdpr", "--event", "extended", "--received", "2026-02-10T09:00")
    assert timed["due"] == "2026-05-11"


def test_calendar_options() -> None:
    closed = cli_json(*BASE, "--received", "2026-11-24", "--close-christmas-eve")
    assert closed["due"] == "2026-12-28"
    assert cli_json(*BASE, "--received", "2026-11-24")["due"] == "2026-12-24"
    assert cli_json(*BASE, "--received", "2026-11-30", "--closed-day", "12-30")["due"] == "2026-12-31"


def test_small_agent_and_breach() -> None:
    assert (
        cli_json("--regime", "lgpd", "--event", "respond", "--received", "2026-03-02", "--small-agent")["due"]
        == "2026-04-01"
    )
    breach = cli_json(
        "--regime", "uk_gdpr", "--event", "breach_notice", "--received", "2026-03-06T14:30+00:00"
    )
    assert breach["due"] == "2026-03-09T14:30+00:00"


def test_service_level_options() -> None:
    service = ("--regime", "service_level", "--calendar", "FI")
    assert cli_json(*service, "--event", "first_response", "--received", "2026-03-06")["due"] == (
        "2026-03-10"
    )
    assert (
        cli_json(*service, "--event", "resolution", "--received", "2026-03-06", "--business-days", "5")["due"]
        == "2026-03-13"
    )
    assert (
        cli_json(
            *service, "--event", "first_response", "--received", "2026-03-06T15:30", "--business-hours", "4"
        )["due"]
        == "2026-03-09T11:30"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--regime", "hipaa", "--event", "respond", "--received", "2026-03-02"), "unknown regime"),
        (("--regime", "gdpr", "--event", "ack", "--received", "2026-03-02"), "has no event 'ack'"),
        ((*BASE, "--received", "2026-03-02", "--calendar", "XX"), "unknown calendar XX"),
        ((*BASE, "--received", "2026-02-30"), "'2026-02-30' is not a valid date"),
        ((*BASE, "--received", "2026-03-02T25:00"), "not a valid date and time"),
        ((*BASE, "--received", "yesterday"), "not a valid date"),
        (("--regime", "fadp", "--event", "extended", "--received", "2026-03-02"), "fadp allows no extension"),
        (("--regime", "lgpd", "--event", "extended", "--received", "2026-03-02"), "lgpd allows no extension"),
        (
            (
                "--regime",
                "lgpd",
                "--event",
                "respond",
                "--received",
                "2026-03-02",
                "--extension-notified",
                "2026-03-05",
            ),
            "lgpd allows no extension",
        ),
        (
            (
                "--regime",
                "gdpr",
                "--event",
                "extended",
                "--received",
                "2026-02-10",
                "--extension-notified",
                "2026-03-11",
            ),
            "no longer available",
        ),
        ((*BASE, "--received", "2026-03-02", "--pause", "2026-03-03"), "is not START/END"),
        ((*BASE, "--received", "2026-03-02", "--pause", "2026-03-09/2026-03-03"), "cannot end"),
        ((*BASE, "--received", "2026-03-02", "--pause", "2026-03-03/2026-03-09:nap"), "unknown pause kind"),
        ((*BASE, "--received", "2026-03-02", "--pause", "2026-02-03/2026-03-09"), "before receipt"),
        ((*BASE, "--received", "2026-03-02", "--as-of", "2026-13-01"), "--as-of"),
        ((*BASE, "--received", "2026-03-02", "--closed-day", "31-12"), "not a day of the year"),
        ((*BASE, "--received", "2026-03-02", "--business-days", "3"), "service_level only"),
        (
            (
                "--regime",
                "service_level",
                "--event",
                "resolution",
                "--received",
                "2026-03-02",
                "--business-days",
                "3",
                "--business-hours",
                "4",
            ),
            "not both",
        ),
        (
            (
                "--regime",
                "service_level",
                "--event",
                "resolution",
                "--received",
                "2026-03-02",
                "--business-days",
                "three",
            ),
            "not a whole number",
        ),
        (
            (
                "--regime",
                "service_level",
                "--event",
                "resolution",
                "--received",
                "2026-03-02",
                "--business-hours",
                "0",
            ),
            "at least 1",
        ),
    ],
)
def test_refusals_exit_2_with_one_message(arguments: tuple[str, ...], message: str) -> None:
    status, out, err = run_cli(*arguments)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_argparse_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli("--regime", "gdpr")
    assert (status, out) == (2, "")
    assert "the following arguments are required" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--help")[0] == 0
    assert "--pause START/END[:KIND]" in capsys.readouterr().out


def test_run_reads_a_plain_options_dict() -> None:
    """The Django command passes its own options dict: missing optional keys are fine."""
    out, err = io.StringIO(), io.StringIO()
    options: dict[str, Any] = {
        "regime": "ccpa",
        "event": "acknowledge",
        "received": "2026-03-06",
        "json": True,
        "verbosity": 1,
    }
    assert cli.run(options, out, err) == 0
    assert json.loads(out.getvalue())["due"] == "2026-03-20"


def test_main_writes_to_the_real_streams_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*BASE, "--received", "2026-03-02", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["due"] == "2026-04-02"
