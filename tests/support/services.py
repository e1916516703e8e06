"""Real parts for the integration and browser suites: an SMTP sink (aiosmtpd) and a Celery worker
running as its own process against the test database and a Redis broker; and the one way a test
waits for them, `wait_until` (no fixed sleeps: a test waits for a condition it can name)."""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpSink:
    """Collects every message handed to it; can be told to refuse for a while (a server 'down')."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False
    # An address here is refused at RCPT TO with the reply given ("451 4.7.1 Greylisted",
    # "550 5.1.1 No such user"), until the test takes it out; `refused` counts each refusal.
    refuse_recipients: dict[str, str] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self._lock:
            reply = self.refuse_recipients.get(address)
            if reply is not None:
                self.refused[address] = self.refused.get(address, 0) + 1
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "421 Service not available, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def start(self) -> SmtpSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def wait_for(self, predicate: Callable[[EmailMessage], bool], timeout: float = 30) -> EmailMessage:
        """The first message that matches, once one has arrived."""
        found: list[EmailMessage] = []

        def arrived() -> bool:
            with self._lock:
                found.extend(message for message in self.messages if predicate(message))
            return bool(found)

        wait_until(arrived, timeout, f"a matching email (of {len(self.messages)} so far)", interval=0.1)
        return found[0]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages to exactly this address ("outage@…" is not "long-outage@…")."""
        with self._lock:
            return [m for m in self.messages if address in recipients(m)]


def recipients(message: EmailMessage) -> list[str]:
    """The addresses a message is to, lower-cased."""
    return [address.lower() for _name, address in email.utils.getaddresses(message.get_all("To", []))]


def wait_until(condition: Callable[[], Any], timeout: float = 40, what: str = "condition", *,
               meanwhile: Callable[[], Any] | None = None, interval: float = 0.2) -> None:
    """Poll `condition` every `interval` seconds until it holds, or fail naming `what` after
    `timeout` seconds. `meanwhile` runs between two polls: what a part the test does not start
    would do in that time (beat's outbox sweep, for a worker without beat). A condition may raise
    to fail at once (a process it waits for has died)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= end:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        if meanwhile is not None:
            meanwhile()
        time.sleep(interval)


def lease_run_out(outbox_id: int, *, lease_seconds: float) -> None:
    """The claim on an outbox row as if its lease had run out, instead of sleeping through it: the
    lease's end moves back by the lease's length, to the moment of the claim (in the past, and
    after the row's last publish, as it was)."""
    import datetime

    from django.db.models import F
    from django.utils import timezone

    from notifications.models import Outbox

    moved = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.SENDING).update(
        lease_until=F("lease_until") - datetime.timedelta(seconds=lease_seconds))
    assert moved == 1, f"outbox row {outbox_id} is not held by a claim"
    lease_until = Outbox.objects.get(pk=outbox_id).lease_until
    assert lease_until is not None and lease_until < timezone.now()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@dataclass
class Worker:
    """`celery -A desk worker` in its own process group, with the environment the test gives it."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log_start: int = 0  # the log is appended to: this worker's lines start here

    def start(self, *, extra_args: tuple[str, ...] = ()) -> Worker:
        command = [sys.executable, "-m", "celery", "-A", "desk", "worker", "--pool", "prefork",
                   "--concurrency", "1", "--loglevel", "INFO", "--without-mingle",
                   "--without-gossip", "--hostname", f"test-{os.getpid()}-{time.time_ns()}@%h",
                   *extra_args]
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def log(self, since: int | None = None) -> str:
        """What this worker has logged so far (from the byte offset `since`, if given)."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_start if since is None else since)
            return log.read().decode(errors="replace")

    def _running(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"worker exited: {self.log()[-3000:]}")
        return True

    def _wait_ready(self, timeout: float = 60) -> None:
        try:
            wait_until(lambda: self._running() and "ready." in self.log(), timeout, "the worker to start")
        except AssertionError:
            raise RuntimeError(f"worker not ready: {self.log()[-3000:]}") from None

    def finish_queued(self, timeout: float = 60) -> None:
        """Return once the worker has run every task sent to it before this call, instead of
        leaving it time to: a no-op task sent now has run (the one pool process takes the queue
        in order, a message at a time: prefetch 1, acks late), and the broker holds no message
        unacknowledged, so none is running or waiting in the worker for its countdown (a retry).
        Redis brokers only (the integration suites')."""
        from desk.celery import app

        marker = f"finish-queued-{uuid.uuid4()}"
        logged = self.log_path.stat().st_size
        with app.connection_for_write(self.env["CELERY_BROKER_URL"]) as connection:
            app.send_task("celery.accumulate", task_id=marker, connection=connection)
            channel: Any = connection.default_channel  # kombu's Redis channel: its client, its keys

            def finished() -> bool:
                if f"[{marker}] succeeded" not in self.log(since=logged):
                    self._running()  # a worker that died fails the wait at once
                    return False
                return int(channel.client.hlen(channel.unacked_key)) == 0

            wait_until(finished, timeout, "the worker to run every task sent before")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def worker_environment(*, database_name: str, broker_url: str, smtp_port: int,
                       var_dir: Path, private_media: Path, public_base_url: str) -> dict[str, str]:
    from django.conf import settings

    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database_name}")
    keep = {key: value for key, value in os.environ.items()
            if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return {
        **keep,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker_url,
        "DESK_EMAIL_BACKEND": "smtp",
        "DESK_EMAIL_HOST": "127.0.0.1",
        "DESK_EMAIL_PORT": str(smtp_port),
        "DESK_VAR_DIR": str(var_dir),
        "DESK_PRIVATE_MEDIA_ROOT": str(private_media),
        "DESK_PUBLIC_BASE_URL": public_base_url,
        "DESK_OUTBOX_SWEEP_SECONDS": "2",
        "DESK_OUTBOX_LEASE_SECONDS": "3",
        "DESK_OUTBOX_BACKOFF_SECONDS": "1",
        "DESK_OUTBOX_BACKOFF_MAX_SECONDS": "2",  # a long outage's tenth attempt within seconds
        "DESK_FAULT_FILE": str(var_dir / "fault"),
    }
