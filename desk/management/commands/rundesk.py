"""`make run`: the web server, one Celery worker and Celery beat together; Ctrl-C stops all three.

A supervisor, too: a process that exits while the desk runs is started again, after a pause that
doubles while it keeps failing (1 s up to 30 s). A Celery worker whose pool fails to start exits
for good ("Could not start worker processes"), and a desk with no worker delivers no email (issue
15, item 20). In production, systemd does this (`Restart=always`; docs/operations.md).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.glogging import Logger as GunicornLogger

# gunicorn's access log, to the console, through the logger that masks status-link secrets.
ACCESS_LOG_ARGUMENTS = ["--access-logfile", "-", "--logger-class", f"{__name__}.StatusLinkMaskingLogger"]


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (first-try default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        var = settings.VAR_DIR
        commands = {
            "web": [python, "-m", "gunicorn", "desk.wsgi", "--bind", options["bind"],
                    "--workers", "2", "--threads", "4", *ACCESS_LOG_ARGUMENTS],
            "worker": [python, "-m", "celery", "-A", "desk", "worker", "--loglevel", "INFO",
                       "--concurrency", "2", "--hostname", "desk-worker@%h"],
            "beat": [python, "-m", "celery", "-A", "desk", "beat", "--loglevel", "INFO",
                     "--schedule", str(var / "celerybeat-schedule")],
        }
        processes = {name: self._start(command) for name, command in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"Privacy Desk is running at http://{options['bind']}/"))
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and beat.")
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restarts = {name: Restarts() for name in commands}
        while not stopping:
            for name, process in processes.items():
                if process.poll() is None:
                    restarts[name].running()
                    continue
                restart = restarts[name]
                if restart.at is None:
                    restart.at = time.monotonic() + restart.pause
                    self.stderr.write(f"{name} exited (exit {process.returncode}); "
                                      f"starting it again in {restart.pause:.0f} s")
                elif time.monotonic() >= restart.at:
                    processes[name] = self._start(commands[name])
                    restart.started()
                    self.stdout.write(f"{name} started again (pid {processes[name].pid})")
            time.sleep(0.5)
        self._stop_all(processes)

    def _start(self, command: list[str]) -> subprocess.Popen[bytes]:
        # Each in its own process group, so Ctrl-C reaches them only through us, in order.
        return subprocess.Popen(command, start_new_session=True)  # noqa: S603 - our own fixed commands

    def _stop_all(self, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        # SIGTERM to each main process only: gunicorn and Celery then stop their own children
        # gracefully (a worker finishes its task; an unacknowledged one is redelivered).
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in processes.items():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            self.stdout.write(f"{name} stopped (exit {process.returncode})")


class Restarts:
    """When to start an exited process again: 1 s after it exited, then after pauses that double
    while it keeps dying young (a crash loop), back to 1 s once it has run for a minute."""

    def __init__(self) -> None:
        self.pause = 1.0
        self.at: float | None = None
        self.since = time.monotonic()

    def started(self) -> None:
        self.at = None
        self.pause = min(self.pause * 2, 30.0)
        self.since = time.monotonic()

    def running(self) -> None:
        if time.monotonic() - self.since > 60:
            self.pause = 1.0


# An emailed link of the old shape holds its secret in the path (/status/open/SECRET/); the new
# one holds it in the fragment, which is never sent, but a page can still be asked for with one
# (a pasted link, the language switcher's return address). A staff enrolment link
# (/staff/enrol/SECRET/, desk/enrolment.py) is single use and asks for the password, yet is masked
# the same way: a log is no place for a secret.
_STATUS_SECRET = re.compile(
    r"(/status/open/|/staff/enrol/)[^/\s\"?#]+|(/status/link/(?:%23|#))[^\s\"]+")


def mask_status_secrets(text: str) -> str:
    return _STATUS_SECRET.sub(lambda match: (match.group(1) or match.group(2)) + "[secret]", text)


class StatusLinkMaskingLogger(GunicornLogger):  # gunicorn has no type hints: its Logger is Any here
    """gunicorn's access log with status-link secrets masked in every field it can write (the
    request line, the path, the Referer an old link's page sends, any header or environ value a
    format names), so the log of `make run` never holds a link that opens a request (issue 15,
    hole 7). A proxy in front keeps its own log: see the README on old links."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: mask_status_secrets(value) if isinstance(value, str) else value
                for name, value in atoms.items()}
