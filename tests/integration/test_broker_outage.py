"""The broker is really down when a customer submits: a Redis of the test's own is stopped, the
request is made by a separate process that can reach no broker, then Redis comes back, beat's
outbox sweep publishes, and a real worker on that Redis delivers the acknowledgement once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from desk.crypto import email_digest
from notifications.models import Outbox
from tests.conftest import unavailable
from tests.support.services import (
    ROOT,
    SmtpSink,
    Worker,
    free_port,
    recipients,
    wait_until,
    worker_environment,
)
from tickets.models import Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUBMIT = """
from django.test import Client
from tests.conftest import valid_request
response = Client().post("/", valid_request(name="Outage", email="outage@example.org",
                                            description="Broker down."))
print(response.status_code)
"""


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # the test's own server, on loopback
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "the private Redis to start", interval=0.1)

    def answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the private Redis exited with status {self.process.returncode}")
        return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              check=False).stdout.strip() == b"PONG"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_a_submission_while_the_broker_is_down_is_acknowledged_once_it_is_back(
    celery_worker: Any, smtp_sink: SmtpSink, tmp_path: Path,
) -> None:
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    redis = PrivateRedis(tmp_path)
    redis.start()
    broker = f"redis://127.0.0.1:{redis.port}/0"
    env = worker_environment(
        database_name=str(settings.DATABASES["default"]["NAME"]), broker_url=broker,
        smtp_port=smtp_sink.port, var_dir=tmp_path / "var", private_media=tmp_path / "private",
        public_base_url="http://127.0.0.1")
    worker = Worker(env=env, log_path=tmp_path / "outage-worker.log").start()
    try:
        redis.stop()  # the broker goes down

        submitted = manage(env, "shell", "-c", SUBMIT)
        assert submitted.stdout.strip().endswith("302"), submitted.stdout + submitted.stderr
        ticket = Ticket.objects.get(requester_email_digest=email_digest("outage@example.org"))
        row = Outbox.objects.get(ticket=ticket)
        assert (row.state, row.attempts) == ("pending", 0)  # saved; nothing reached a worker

        redis.start()  # back, empty: whatever was published before is gone
        swept = manage(env, "outbox", "--sweep")
        assert "published 1 pending" in swept.stdout, swept.stdout + swept.stderr

        smtp_sink.wait_for(lambda m: "outage@example.org" in recipients(m), timeout=60)
        wait_until(lambda: Outbox.objects.get(pk=row.pk).state == "sent", 30, "the row sent")
        worker.finish_queued()  # a duplicate, were there one, has been sent by now
        assert len(smtp_sink.to("outage@example.org")) == 1
    finally:
        worker.stop()
        redis.stop()
