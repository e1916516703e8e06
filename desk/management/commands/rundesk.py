"""`make run`: the web server, one Celery worker and Celery beat together; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (first-try default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        var = settings.VAR_DIR
        commands = {
            "web": [python, "-m", "gunicorn", "desk.wsgi", "--bind", options["bind"],
                    "--workers", "2", "--threads", "4", "--access-logfile", "-"],
            "worker": [python, "-m", "celery", "-A", "desk", "worker", "--loglevel", "INFO",
                       "--concurrency", "2", "--hostname", "desk-worker@%h"],
            "beat": [python, "-m", "celery", "-A", "desk", "beat", "--loglevel", "INFO",
                     "--schedule", str(var / "celerybeat-schedule")],
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}
        for name, command in commands.items():
            # Each in its own process group, so Ctrl-C reaches them only through us, in order.
            processes[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603 - our own fixed commands
        self.stdout.write(self.style.SUCCESS(f"Privacy Desk is running at http://{options['bind']}/"))
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and beat.")
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        self._stop_all(processes)

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
