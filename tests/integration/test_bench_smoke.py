"""`make bench` is not part of `make test`, yet a bench that no longer runs is a figure docs/performance.md
can no longer back: run the sweep, the dashboard and the intake benches at a tiny N, on a database
of their own, and check what they write (not how fast: speed is measured by bench/, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, *arguments: str) -> dict[str, Any]:
    database = settings.DATABASES["default"]
    server = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    environment = {**os.environ, "DATABASE_URL": f"{server}/desk_bench_smoke",
                   "DESK_BENCH_RESULTS": str(tmp_path), "DJANGO_SETTINGS_MODULE": "desk.settings"}
    environment.pop("DESK_PROFILE", None)
    done = subprocess.run([sys.executable, "-m", "bench", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    written = sorted(tmp_path.glob(f"{arguments[0]}-*.json"))
    assert written, done.stdout[-2000:]
    result: dict[str, Any] = json.loads(written[-1].read_text())
    return result


def test_the_sweep_bench_escalates_its_share_with_every_row_and_sound_chains(tmp_path: Path) -> None:
    result = bench(tmp_path, "sweep", "--tickets", "300")

    assert result["first_sweep"]["escalated"] == 30
    assert result["idle_sweep"]["escalated"] == 0 and result["idle_sweep"]["queries"] == 2
    assert result["rows"]["escalations"] == result["rows"]["outbox_rows"] == 30
    assert result["rows"]["history_rows_from_sweep"] == 30
    assert result["rows"]["audit_chains_broken"] == 0
    assert result["first_sweep"]["queries"] >= 5  # the threads' statements are counted


def test_the_dashboard_bench_measures_the_page_the_api_and_the_figures(tmp_path: Path) -> None:
    result = bench(tmp_path, "dashboard", "--tickets", "500", "--runs", "2", "--reseed")

    assert result["tickets"] == 500
    month = result["results"]["30 days"]
    assert month["figures"]["received"] > 0 and month["figures"]["open_now"] > 0
    for what in ("dashboard_figures", "page", "api"):
        assert month[what]["runs"] == 2 and month[what]["queries"] > 0


def test_the_intake_bench_runs_the_production_profile_and_loses_nothing(tmp_path: Path) -> None:
    """Gunicorn in the production profile, a worker and the SMTP sink, for a few seconds: every
    setting production requires is given (a new one not given stops the bench, as the anchors'
    key once did), and every accepted request got its acknowledgement."""
    result = bench(tmp_path, "intake", "--clients", "2", "--warm-up", "0.5", "--seconds", "2")

    assert [run["mode"] for run in result["runs"]] == ["form", "api"]
    for run in result["runs"]:
        assert run["accepted"] > 0 and run["errors"] == {}
    delivery = result["delivery"]
    assert delivery["nothing_lost"] and delivery["outbox_unsent"] == 0
    assert delivery["emails_in_sink"] == delivery["tickets_created"] == delivery["accepted_by_the_clients"]
