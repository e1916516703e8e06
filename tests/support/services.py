"""Real parts for the integration and browser suites: an SMTP sink (aiosmtpd) and a Celery worker
running as its own process against the test database and a Redis broker."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
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
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.1)
        raise AssertionError(f"no matching email within {timeout}s; got {len(self.messages)}")

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]


def wait_until(condition: Callable[[], Any], timeout: float = 40, what: str = "condition") -> None:
    """Poll `condition` every 0.2 s until it holds, or fail naming `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


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

    def start(self, *, extra_args: tuple[str, ...] = ()) -> Worker:
        command = [sys.executable, "-m", "celery", "-A", "desk", "worker", "--pool", "prefork",
                   "--concurrency", "1", "--loglevel", "INFO", "--without-mingle",
                   "--without-gossip", "--hostname", f"test-{os.getpid()}-{time.time_ns()}@%h",
                   *extra_args]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
            if "ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready: {self.log_path.read_text()[-3000:]}")

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
