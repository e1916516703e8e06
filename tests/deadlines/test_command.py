"""`python manage.py deadline ...`: the Django wrapper, run as a person runs it (a subprocess).

These need the Django project; they skip while manage.py does not exist yet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MANAGE = REPO / "manage.py"

pytestmark = pytest.mark.skipif(not MANAGE.exists(), reason="the Django project (manage.py) is not there yet")


def manage(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, str(MANAGE), "deadline", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_output() -> None:
    completed = manage(
        "--regime",
        "gdpr",
        "--event",
        "respond",
        "--received",
        "2026-01-31",
        "--calendar",
        "FI",
        "--pause",
        "2026-02-03/2026-02-09",
        "--json",
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    # 28 Feb 2026 (no 31 Feb) + 6 paused days = Fri 6 Mar 2026.
    assert (result["due"], result["nominal"], result["rule"]) == ("2026-03-06", "2026-03-06", "gdpr.respond")
    assert result["interpretation"] is True


def test_sentence_output() -> None:
    completed = manage("--regime", "ccpa", "--event", "acknowledge", "--received", "2026-03-07")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "The CCPA confirmation of receipt of a request received on "
        "Saturday 7 March 2026 is due by the end of Friday 20 March 2026"
    )
    assert completed.stdout.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("--regime", "gdpr", "--event", "respond", "--received", "2026-02-30"),
            "'2026-02-30' is not a valid date",
        ),
        (("--regime", "fadp", "--event", "extended", "--received", "2026-03-02"), "fadp allows no extension"),
        (
            ("--regime", "gdpr", "--event", "respond", "--received", "2026-03-02", "--calendar", "XX"),
            "unknown calendar XX",
        ),
        (("--regime", "gdpr"), "the following arguments are required"),
    ],
)
def test_refusals_exit_2_with_a_message_on_stderr(arguments: tuple[str, ...], message: str) -> None:
    completed = manage(*arguments)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert completed.stdout == ""
