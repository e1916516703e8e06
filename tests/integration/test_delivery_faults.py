"""Delivery under the faults of issue 15 (items 2, 15, 16, 17, 19, 20), with real PostgreSQL, Redis,
a Celery worker and an SMTP server (aiosmtpd) that greylists, refuses or is down:

- a 451 at RCPT (greylisting) is retried until the server accepts; a 550 fails at once;
- an outage longer than the old 8 attempts keeps the message pending, retried and alerted;
- a worker SIGKILLed mid-claim does not spend an attempt;
- the sweep publishes only rows whose last publish is older than the lease;
- no outbox row, nor a dump of the table, holds a working status link; the email's link opens
  the request, and a second delivery's link replaces the first's;
- `make run`'s default (SQLite, the file-system broker, a real worker) delivers a backlog in full
  (bench/delivery.py measures how fast), and its supervisor restarts a worker that died.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from desk.crypto import email_digest
from notifications import services
from notifications.models import Outbox
from notifications.selectors import outbox_health
from tests.conftest import unavailable, valid_request
from tests.support.services import (
    ROOT,
    SmtpSink,
    Worker,
    body_text,
    free_port,
    lease_run_out,
    wait_until,
    worker_environment,
)
from tickets.models import StatusLink, Ticket
from tickets.selectors import ticket_by_status_link_digest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SECRET = re.compile(r"[A-Za-z0-9_-]{40,}")


@pytest.fixture(autouse=True)
def _the_workers_lease(settings: Any) -> None:
    """This process sweeps as beat would, with the lease the test worker has (worker_environment)."""
    settings.DESK_OUTBOX_LEASE_SECONDS = 3


def beat() -> None:
    """Beat's outbox sweep, as often as a short DESK_OUTBOX_SWEEP_SECONDS would run it: the test
    worker has no beat (wait_until(..., meanwhile=beat))."""
    services.outbox_sweep()


def submit(address: str) -> Ticket:
    assert Client().post("/", valid_request(email=address)).status_code == 302
    return Ticket.objects.get(requester_email_digest=email_digest(address))


def row_of(ticket: Ticket) -> Outbox:
    return Outbox.objects.get(ticket=ticket, event="acknowledgement")


def arm(worker: Any, point: str) -> Path:
    fault = Path(worker.env["DESK_FAULT_FILE"])
    fault.parent.mkdir(parents=True, exist_ok=True)
    fault.write_text(point)
    return fault


def opens(text: str, ticket: Ticket) -> bool:
    """Whether the one status link in the text opens the ticket now (the lookup every exchange of
    a link makes, whatever the link's shape)."""
    link = re.search(r"https?://\S+/status/\S+", text)
    assert link is not None, text
    secrets = SECRET.findall(link.group(0))
    assert len(secrets) == 1, link.group(0)
    return ticket_by_status_link_digest(hashlib.sha256(secrets[0].encode()).hexdigest()) == ticket


def working_secrets(texts: list[str]) -> list[str]:
    live = set(StatusLink.objects.values_list("digest", flat=True))
    return [token for text in texts for token in SECRET.findall(text)
            if hashlib.sha256(token.encode()).hexdigest() in live]


def outbox_table_dump() -> str:
    """`pg_dump --data-only` of the outbox table: what a backup holds."""
    if shutil.which("pg_dump") is None:
        unavailable("pg_dump is not installed")
    options = connection.settings_dict
    command = ["pg_dump", "--data-only", "--table", Outbox._meta.db_table,
               "-h", str(options.get("HOST") or "127.0.0.1"), "-p", str(options.get("PORT") or 5432),
               "-U", str(options.get("USER") or "postgres"), str(options["NAME"])]
    env = {**os.environ, "PGPASSWORD": str(options.get("PASSWORD") or "")}
    return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120, text=True).stdout


def test_a_greylisted_recipient_is_retried_and_delivered_once_the_server_accepts(
        celery_worker: Worker, smtp_sink: SmtpSink) -> None:
    """Item 15: a 451 at RCPT was a permanent failure after one attempt."""
    address = "greylisted@example.org"
    smtp_sink.refuse_recipients[address] = "451 4.7.1 Greylisted, try again later"
    try:
        ticket = submit(address)
        wait_until(lambda: smtp_sink.refused.get(address, 0) >= 2, what="two greylisted attempts",
                   meanwhile=beat)
        row = row_of(ticket)
        assert row.state in ("pending", "sending")
        assert row.first_failure_at is not None and "451" in row.last_error
    finally:
        del smtp_sink.refuse_recipients[address]

    wait_until(lambda: row_of(ticket).state == "sent", what="sent", meanwhile=beat)
    celery_worker.finish_queued()  # a duplicate, were there one, has been sent by now
    assert len(smtp_sink.to(address)) == 1
    assert row_of(ticket).attempts == smtp_sink.refused[address] + 1


def test_a_recipient_refused_for_good_fails_at_once(celery_worker: Worker, smtp_sink: SmtpSink) -> None:
    address = "nobody-here@example.org"
    smtp_sink.refuse_recipients[address] = "550 5.1.1 No such user"
    try:
        ticket = submit(address)
        wait_until(lambda: row_of(ticket).state == "failed", what="failed")
        celery_worker.finish_queued()  # a second attempt, were there one, has been made by now
        row = row_of(ticket)
        assert (row.state, row.attempts, smtp_sink.refused[address]) == ("failed", 1, 1)
        assert "550" in row.last_error
        assert smtp_sink.to(address) == []
    finally:
        del smtp_sink.refuse_recipients[address]


def test_an_outage_beyond_eight_attempts_stays_pending_is_retried_and_alerted(
        celery_worker: Any, smtp_sink: SmtpSink, capsys: Any) -> None:
    """Item 16: 8 attempts (about 35 minutes) and the message failed for good. The outage here is
    already an hour old and 8 attempts deep when the test lets the worker try twice more."""
    address = "long-outage@example.org"
    smtp_sink.refusing = True  # 421 to every message
    try:
        ticket = submit(address)
        wait_until(lambda: row_of(ticket).attempts >= 1, what="a refused attempt", meanwhile=beat)
        an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
        Outbox.objects.filter(pk=row_of(ticket).pk).update(attempts=8, first_failure_at=an_hour_ago)

        wait_until(lambda: row_of(ticket).attempts >= 10, what="two attempts past the eighth", meanwhile=beat)
        row = row_of(ticket)
        assert row.state in ("pending", "sending") and row.first_failure_at == an_hour_ago
        health = outbox_health()
        assert health.alert and health.retrying >= 1 and health.oldest_temporary_failure_at == an_hour_ago
        with pytest.raises(SystemExit) as exited:
            call_command("outbox")
        assert exited.value.code == 1
        assert "ALERT: mail has been failing" in capsys.readouterr().err
        assert smtp_sink.to(address) == []
    finally:
        smtp_sink.refusing = False

    wait_until(lambda: row_of(ticket).state == "sent", what="sent once the server is back", meanwhile=beat)
    assert len(smtp_sink.to(address)) == 1
    assert not outbox_health().alert


def test_a_worker_killed_mid_claim_does_not_spend_an_attempt(
        celery_worker: Worker, smtp_sink: SmtpSink) -> None:
    """Item 16: the claim counted as an attempt, so crashes used up the retries."""
    fault = arm(celery_worker, "outbox.before_send")

    ticket = submit("killed-mid-claim@example.org")
    wait_until(lambda: not fault.exists(), what="the fault to fire")
    wait_until(lambda: row_of(ticket).state == "sending", what="the claimed row")
    assert row_of(ticket).attempts == 0
    lease_run_out(row_of(ticket).pk, lease_seconds=float(celery_worker.env["DESK_OUTBOX_LEASE_SECONDS"]))

    wait_until(lambda: row_of(ticket).state == "sent", what="sent", meanwhile=beat)
    row = row_of(ticket)
    assert (row.attempts, row.interrupted) == (1, 1)
    assert len(smtp_sink.to("killed-mid-claim@example.org")) == 1


def test_the_sweep_publishes_only_rows_whose_last_publish_is_older_than_the_lease(
        monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Item 17: each sweep published every pending row again (1,800 redundant tasks in a run)."""
    settings.DESK_OUTBOX_LEASE_SECONDS = 120  # longer than filing the backlog takes
    published: list[int] = []
    monkeypatch.setattr(services, "_publish", published.append)
    tickets = [submit(f"backlog-{number}@example.org") for number in range(40)]  # published on commit
    published.clear()
    rows = sorted(Outbox.objects.filter(ticket__in=tickets).values_list("pk", flat=True))
    assert len(rows) == 40

    for _tick in range(3):
        services.outbox_sweep()
    assert published == []

    lease = datetime.timedelta(seconds=settings.DESK_OUTBOX_LEASE_SECONDS)
    long_ago = timezone.now() - lease - datetime.timedelta(seconds=1)
    Outbox.objects.filter(pk__in=rows).update(published_at=long_ago)
    for _tick in range(3):
        services.outbox_sweep()
    assert published == rows  # once each, not three times


def test_no_stored_row_holds_a_working_link_and_a_second_delivery_replaces_the_first_link(
        celery_worker: Any, smtp_sink: SmtpSink) -> None:
    """Item 2: every emailed link was readable in the outbox (the admin, a dump with the keys, a
    backup). The worker here dies after the server's 250, so the email goes out twice."""
    address = "twice@example.org"
    ticket = submit(address)
    first = smtp_sink.wait_for(lambda m: address in str(m["To"]))
    assert opens(body_text(first), ticket)
    wait_until(lambda: row_of(ticket).state == "sent", what="sent")
    stored = [str(value) for row in Outbox.objects.values() for value in row.values()]
    assert working_secrets([outbox_table_dump(), *stored]) == []

    # As if the worker died between the 250 and the commit of `sent`: the sweep sends it again.
    Outbox.objects.filter(pk=row_of(ticket).pk).update(
        state="sending", lease_until=timezone.now() - datetime.timedelta(seconds=1),
        published_at=None)
    wait_until(lambda: len(smtp_sink.to(address)) == 2, what="the second copy", meanwhile=beat)

    copies = smtp_sink.to(address)
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert not opens(body_text(copies[0]), ticket)
    assert opens(body_text(copies[1]), ticket)
    html = copies[1].get_body(preferencelist=("html",))
    assert html is not None and opens(str(html.get_content()), ticket)
    wait_until(lambda: row_of(ticket).state == "sent", what="sent again")
    stored = [str(value) for row in Outbox.objects.values() for value in row.values()]
    assert working_secrets([outbox_table_dump(), *stored]) == []


# --- `make run`'s default: the file-system broker and SQLite (19), and its supervisor (20)


def test_make_runs_default_delivers_a_backlog_in_full_with_a_real_worker(tmp_path: Path) -> None:
    """bench/delivery.py at a small N: every acknowledgement of the backlog reaches the sink
    through the file-system broker and the worker `rundesk` starts (the rate is the bench's)."""
    environment = {**os.environ, "DESK_BENCH_RESULTS": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bench.delivery", "--emails", "60"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = (tmp_path / "delivery-60.json").read_text()
    assert '"delivered": 60' in result and '"broker": "filesystem://"' in result
    assert '"database": "django.db.backends.sqlite3"' in result


def test_make_run_starts_again_a_worker_that_died(
        tmp_path: Path, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 20: a worker that died while it started exited for good, and `make run` with it. Here
    its first start dies (a fault point at worker_init), then the running worker is SIGKILLed; each
    time `rundesk` starts it again and the next email is delivered."""
    from django.conf import settings

    monkeypatch.setattr(services, "_publish", lambda outbox_id: None)  # only rundesk's beat publishes
    env = worker_environment(
        database_name=str(settings.DATABASES["default"]["NAME"]), broker_url="unused",
        smtp_port=smtp_sink.port, var_dir=tmp_path / "var", private_media=tmp_path / "private",
        public_base_url="http://127.0.0.1")
    del env["CELERY_BROKER_URL"]  # `make run`'s embedded broker, under the var directory
    env.update({"DESK_OUTBOX_SWEEP_SECONDS": "1", "DESK_OUTBOX_LEASE_SECONDS": "2", "PYTHONUNBUFFERED": "1"})
    fault = Path(env["DESK_FAULT_FILE"])
    fault.parent.mkdir(parents=True, exist_ok=True)
    fault.write_text("worker.start")
    log = tmp_path / "rundesk.log"
    with log.open("ab") as output:
        command = [sys.executable, "manage.py", "rundesk", "--bind", f"127.0.0.1:{free_port()}"]
        desk = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_until(lambda: not fault.exists(), 60, "the worker's first start to die")
        wait_until(lambda: "worker exited" in log.read_text(), 30, "the supervisor to see it")
        wait_until(lambda: "worker started again" in log.read_text(), 30, "the worker started again")
        submit("after-restart@example.org")
        smtp_sink.wait_for(lambda m: "after-restart@example.org" in str(m["To"]), timeout=60)

        pid = int(re.findall(r"worker started again \(pid (\d+)\)", log.read_text())[-1])
        os.killpg(pid, signal.SIGKILL)
        wait_until(lambda: log.read_text().count("worker started again") == 2, 60, "a second restart")
        submit("after-kill@example.org")
        smtp_sink.wait_for(lambda m: "after-kill@example.org" in str(m["To"]), timeout=60)
        assert desk.poll() is None  # the desk kept running throughout
    finally:
        desk.send_signal(signal.SIGTERM)
        try:
            desk.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(desk.pid, signal.SIGKILL)
            desk.wait()
    assert "worker stopped" in log.read_text()
