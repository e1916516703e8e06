"""`make run`: the web server, one Celery worker and Celery beat together; Ctrl-C stops all three.

A supervisor, too: a process that exits while the desk runs is started again, after a pause that
doubles while it keeps failing (1 s up to 30 s). A Celery worker whose pool fails to start exits
for good ("Could not start worker processes"), and a desk with no worker delivers no email (issue
15, item 20). In production, systemd does this (`Restart=always`; docs/operations.md).

For a newcomer (issue 16, item 16): a port already taken is said in words, with the `make run
PORT=…` that works; the public base URL of emailed links follows the port unless it is set; the
worker and beat print no banner and log warnings only (their INFO lines, two per email, buried
everything); and once the web server answers, the worker takes tasks and no email waits, the
addresses and the demo sign-ins are printed last, where they stay visible.
"""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gunicorn.glogging import Logger as GunicornLogger

# gunicorn's access log, to the console, through the logger that masks status-link secrets.
ACCESS_LOG_ARGUMENTS = ["--access-logfile", "-", "--logger-class", f"{__name__}.StatusLinkMaskingLogger"]


# How long the ready message waits for the demo's emails to be delivered before it is printed anyway.
READY_WAIT_SECONDS = 90


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, bind: str) -> Address:
        host, _, port = bind.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise CommandError(f"--bind must be HOST:PORT with a port from 1 to 65535, not {bind!r}. "
                               "With make: make run PORT=8001")
        return cls(host.strip("[]"), int(port))

    @property
    def local_host(self) -> str:
        """Where this machine reaches the server: 127.0.0.1 when it listens on every interface."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host  # noqa: S104 - a comparison

    @property
    def url(self) -> str:
        host = self.local_host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def taken(self) -> bool:
        """Whether another program listens here already: a bind as gunicorn's (SO_REUSEADDR, so a
        connection closing in TIME_WAIT does not count) that fails with "address in use"."""
        family, kind, protocol, _name, where = socket.getaddrinfo(
            self.host, self.port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(where)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return True
                raise CommandError(f"Cannot listen on {self.host}:{self.port}: {error.strerror}.") from None
        return False

    def answers(self) -> bool:
        try:
            with socket.create_connection((self.local_host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def next_free(self) -> int | None:
        return next((port for port in range(self.port + 1, min(self.port + 50, 65536))
                     if not Address(self.host, port).taken()), None)


def port_taken_message(address: Address) -> str:
    free = address.next_free()
    hint = (f"Start the desk on another port, for example:  make run PORT={free}" if free is not None
            else "Start the desk on another port:  make run PORT=<a free port>")
    return (f"Port {address.port} on {address.host} is already in use by another program (perhaps "
            f"a desk that is still running in another terminal).\n{hint}")


def child_environment(address: Address, environ: Mapping[str, str], *,
                      worker_ready: Path | None = None) -> dict[str, str]:
    """The environment of the web server, the worker and beat: emailed links point at the port
    the desk listens on, unless DESK_PUBLIC_BASE_URL says otherwise (a proxy, a real host name);
    and the file the worker creates once it takes tasks (desk/celery.py)."""
    environment = dict(environ)
    if not environment.get("DESK_PUBLIC_BASE_URL", "").strip():
        environment["DESK_PUBLIC_BASE_URL"] = address.url
    if worker_ready is not None:
        environment["RUNDESK_WORKER_READY_FILE"] = str(worker_ready)
    return environment


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (first-try default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000",
                            help="HOST:PORT of the web server (make run PORT=8001 sets the port)")

    def handle(self, *args: Any, **options: Any) -> None:
        address = Address.parse(options["bind"])
        if address.taken():
            raise CommandError(port_taken_message(address))
        worker_ready = Path(settings.VAR_DIR) / "worker.ready"
        worker_ready.unlink(missing_ok=True)
        environment = child_environment(address, os.environ, worker_ready=worker_ready)
        python = sys.executable
        # The worker and beat without their banners, logging warnings and errors only: at INFO
        # each email is two lines, and the banners came after the sign-ins.
        commands = {
            "web": [python, "-m", "gunicorn", "desk.wsgi", "--bind", options["bind"],
                    "--workers", "2", "--threads", "4", *ACCESS_LOG_ARGUMENTS],
            "worker": [python, "-m", "celery", "-A", "desk", "--quiet", "worker", "--loglevel", "WARNING",
                       "--concurrency", "2", "--hostname", "desk-worker@%h"],
            "beat": [python, "-m", "celery", "-A", "desk", "--quiet", "beat", "--loglevel", "WARNING",
                     "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        processes = {name: self._start(command, environment) for name, command in commands.items()}
        self.stdout.write(f"Starting Privacy Desk at {address.url}/ (the web server, a worker and beat)…")
        self._supervise(address, commands, processes, environment, Ready(worker_ready))

    def _supervise(self, address: Address, commands: dict[str, list[str]],
                   processes: dict[str, subprocess.Popen[bytes]], environment: dict[str, str],
                   ready: Ready) -> None:
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
                if name == "web" and not ready.announced and address.taken():
                    # Another program took the port between the check and gunicorn's bind.
                    self._stop_all(processes)
                    raise CommandError(port_taken_message(address))
                restart = restarts[name]
                if restart.at is None:
                    restart.at = time.monotonic() + restart.pause
                    self.stderr.write(f"{name} exited (exit {process.returncode}); "
                                      f"starting it again in {restart.pause:.0f} s")
                elif time.monotonic() >= restart.at:
                    processes[name] = self._start(commands[name], environment)
                    restart.started()
                    self.stdout.write(f"{name} started again (pid {processes[name].pid})")
            if not ready.announced and ready.due(address):
                self._announce(address, ready)
            time.sleep(0.5)
        self._stop_all(processes)

    def _announce(self, address: Address, ready: Ready) -> None:
        """The last thing on the console once the desk is up: where to go and how to sign in."""
        ready.announced = True
        base = address.url
        lines = [
            "",
            self.style.SUCCESS(f"Privacy Desk is ready at {base}/"),
            f"  The request form:     {base}/",
            f"  Staff sign-in:        {base}/staff/login/",
            f"  The API and its docs: {base}/api/docs/",
        ]
        if settings.DESK_DEV_MAIL:
            lines.append(f"  Emails the desk sent: {base}/dev/mail/  (kept there, not sent: development)")
        if not ready.worker_started:
            lines.append("  The worker has not started yet: emails wait for it.")
        elif ready.waiting:
            lines.append(f"  {ready.waiting} emails are still waiting for the worker.")
        self.stdout.write("\n".join(lines))
        if not settings.PRODUCTION:
            from desk.management.commands.seed_demo import Command as SeedDemo

            self.stdout.write("")
            sign_ins = io.StringIO()
            SeedDemo(stdout=sign_ins).print_logins()  # as seed_demo prints them, whatever it holds
            self.stdout.write(sign_ins.getvalue(), ending="")
        self.stdout.write("\nPress Ctrl-C to stop the web server, the worker and beat.")

    def _start(self, command: list[str], environment: dict[str, str]) -> subprocess.Popen[bytes]:
        # Each in its own process group, so Ctrl-C reaches them only through us, in order.
        return subprocess.Popen(command, start_new_session=True, env=environment)  # noqa: S603 - our own fixed commands

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


class Ready:
    """When the ready message is due: the web server answers, the worker takes tasks (its file,
    desk/celery.py) and the outbox has nothing left to send, or READY_WAIT_SECONDS have passed."""

    def __init__(self, worker_ready: Path, *, wait: float = READY_WAIT_SECONDS) -> None:
        self.worker_ready = worker_ready
        self.deadline = time.monotonic() + wait
        self.announced = False
        self.worker_started = False
        self.waiting = 0

    def due(self, address: Address) -> bool:
        from django.db import DatabaseError

        from notifications.models import Outbox

        if not address.answers():
            return False
        self.worker_started = self.worker_ready.exists()
        try:
            self.waiting = Outbox.objects.filter(
                state__in=[Outbox.State.PENDING, Outbox.State.SENDING]).count()
        except DatabaseError:  # a database not there yet: the supervisor goes on and asks again
            return False
        return (self.worker_started and self.waiting == 0) or time.monotonic() >= self.deadline


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
    hole 7). A proxy in front keeps its own log: see docs/operations.md on old status links."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: mask_status_secrets(value) if isinstance(value, str) else value
                for name, value in atoms.items()}
