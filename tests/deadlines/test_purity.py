"""The engine is pure (STYLE.md): importing it loads no Django, and it never reads a clock."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "tickets" / "deadlines"
CHECK = (
    "import sys, tickets.deadlines, tickets.deadlines.cli; "
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
    "print(loaded); sys.exit(1 if loaded else 0)"
)


def test_importing_the_engine_loads_no_django() -> None:
    completed = subprocess.run(  # the interpreter running the tests, in a fresh process
        [sys.executable, "-c", CHECK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == "[]"


def test_the_check_would_catch_django() -> None:
    """The subprocess check itself can fail: with django imported first it reports it."""
    completed = subprocess.run(
        [sys.executable, "-c", "import django; " + CHECK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "'django'" in completed.stdout


CLOCK_READING = re.compile(
    r"\b(today|now|utcnow|time\.time|monotonic|perf_counter|localtime|gmtime)\s*\("
    r"|^\s*(import|from)\s+django\b|\bos\.environ\b|getenv",
    re.MULTILINE,
)


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_no_clock_settings_or_django_in_the_source(path: Path) -> None:
    assert CLOCK_READING.findall(path.read_text(encoding="utf-8")) == []


def test_the_source_scan_finds_what_it_looks_for() -> None:
    assert CLOCK_READING.search("due = date.today()")
    assert CLOCK_READING.search("from django.conf import settings")
    assert CLOCK_READING.search("moment = datetime.now(UTC)")
    assert not CLOCK_READING.search("known = 'nowhere'")
