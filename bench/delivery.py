"""Emails a second on `make run`'s embedded default (issue 15, item 19: it delivered 2 a second).

`python -m bench.delivery --emails 300`: what `make run` runs, measured: the SQLite database and
kombu's file-system broker of a fresh var directory, and one Celery worker started with the very
command `rundesk` uses (prefork, 2 processes). N requests are filed through the intake service
(`ticket_create` with the acknowledgement: the ticket, its history, its outbox row, the publish
on commit) before the worker starts, as a backlog: what the issue saw ("600 acknowledgements took
five minutes, and the sweeps wait behind them"). Then the worker starts and delivers each
acknowledgement over SMTP to a sink in this process (aiosmtpd: the console backend of `make run`
would measure the terminal). The clock runs from the worker's "ready." to the N-th email at the
sink; the rate is N over that time. Writes bench/results/delivery-<N>.json (DESK_BENCH_RESULTS
elsewhere), with the load average.

Runs beside a checkout in use: its var directory is its own (a temporary one), and it touches no
PostgreSQL or Redis.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("DESK_BENCH_RESULTS", ROOT / "bench" / "results"))


def environment(var: Path, smtp_port: int) -> dict[str, str]:
    """`make run`'s environment, with email to the sink: no DATABASE_URL, no CELERY_BROKER_URL."""
    keep = {key: value for key, value in os.environ.items()
            if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return {**keep, "DJANGO_SETTINGS_MODULE": "desk.settings", "DESK_VAR_DIR": str(var),
            "DESK_EMAIL_BACKEND": "smtp", "DESK_EMAIL_HOST": "127.0.0.1", "DESK_EMAIL_PORT": str(smtp_port)}


def worker_command() -> list[str]:
    """The worker as `manage.py rundesk` starts it."""
    return [sys.executable, "-m", "celery", "-A", "desk", "worker", "--loglevel", "INFO",
            "--concurrency", "2", "--hostname", f"bench-delivery-{os.getpid()}@%h"]


def run(emails: int) -> dict[str, Any]:
    from tests.support.services import SmtpSink

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    var = Path(tempfile.mkdtemp(prefix="desk-bench-delivery-"))
    sink = SmtpSink().start()
    env = environment(var, sink.port)
    os.environ.clear()  # this process files the requests: `make run`'s settings too
    os.environ.update(env)
    migrate = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    filed = _file(emails)
    log = var / "worker.log"
    with log.open("ab") as output:
        worker = subprocess.Popen(worker_command(), cwd=ROOT, env=env, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        load_before = os.getloadavg()
        _wait_for(lambda: "ready." in log.read_text(errors="replace"), 120, "the worker to be ready")
        started = time.monotonic()
        _wait_for(lambda: len(sink.messages) >= emails, 30 + emails, f"{emails} emails at the sink")
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        sink.stop()
    from django.conf import settings

    return {
        "bench": "delivery", "emails": emails, "delivered": len(sink.messages),
        "seconds": round(elapsed, 2), "per_second": round(emails / elapsed, 1),
        "filing_seconds": round(filed, 2),
        "broker": settings.CELERY_BROKER_URL, "database": settings.DATABASES["default"]["ENGINE"],
        "polling_interval": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("polling_interval"),
        "prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "var": str(var),
    }


def _file(emails: int) -> float:
    """N requests through the intake service, each publishing its acknowledgement on commit."""
    import django

    django.setup()
    from django.utils import timezone

    from tickets import services

    started = time.monotonic()
    for number in range(emails):
        services.ticket_create(
            kind="access", country="FI", region="", name=f"Bench Requester {number}",
            email=f"bench-{number}@example.org", description="Please show me my data.", language="fi",
            attachment=None, submission_key=None, received_at=timezone.now(), actor=None,
            reason="bench", acknowledge=True,
        )
    return time.monotonic() - started


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery")
    parser.add_argument("--emails", type=int, default=300)
    options = parser.parse_args(argv)
    result = run(options.emails)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"delivery-{options.emails}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"{result['delivered']} of {options.emails} emails in {result['seconds']} s: "
          f"{result['per_second']} a second (filing took {result['filing_seconds']} s; load "
          f"{result['load_average_before'][0]:.1f} → {result['load_average_after'][0]:.1f}); {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
