"""Nothing accepted is lost and nothing happens twice, with real PostgreSQL, Redis, a Celery worker
and an SMTP server, when the mail server or the broker is down, when a worker is killed with
SIGKILL in the middle of a delivery or of a sweep, and when two sweeps run at once."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from desk.crypto import email_digest
from notifications.models import Outbox
from notifications.services import outbox_sweep
from tests.conftest import valid_request
from tests.support.concurrency import in_parallel
from tests.support.people import make_ticket, staff
from tests.support.services import SmtpSink, Worker, lease_run_out, wait_until
from tickets.models import Escalation, Ticket
from tickets.services.escalation import escalation_sweep
from tickets.tasks import sweep_escalations

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def arm(worker: Any, point: str) -> Path:
    fault = Path(worker.env["DESK_FAULT_FILE"])
    fault.parent.mkdir(parents=True, exist_ok=True)
    fault.write_text(point)
    return fault


def submit(address: str) -> Ticket:
    assert Client().post("/", valid_request(email=address)).status_code == 302
    return Ticket.objects.get(requester_email_digest=email_digest(address))


def deliver_due_rows() -> None:
    """What beat's outbox sweep does every few seconds."""
    outbox_sweep()


@pytest.fixture
def staff_of_requests() -> dict[str, Any]:
    dpo = staff("dpo")
    dpo.groups.add(Group.objects.get_or_create(name="dpo")[0])
    return {"agent": staff("agent", member_of=("requests",)),
            "manager": staff("boss", manager_of=("requests",)), "dpo": dpo}


def overdue_tickets(count: int, agent: Any) -> list[Ticket]:
    tickets = [make_ticket(received_at=timezone.now() - datetime.timedelta(days=3)) for _ in range(count)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        due_date=timezone.localdate() - datetime.timedelta(days=20), assignee=agent,
        first_response_at=timezone.now())
    return tickets


def test_smtp_down_then_back_delivers_once(celery_worker: Worker, smtp_sink: SmtpSink) -> None:
    smtp_sink.refusing = True
    try:
        ticket = submit("smtp-down@example.org")
        wait_until(lambda: Outbox.objects.get(ticket=ticket).attempts >= 1, what="a refused attempt")
        assert smtp_sink.to("smtp-down@example.org") == []
        assert Outbox.objects.get(ticket=ticket).state in ("pending", "sending")
    finally:
        smtp_sink.refusing = False

    smtp_sink.wait_for(lambda m: "smtp-down@example.org" in str(m["To"]))
    wait_until(lambda: Outbox.objects.get(ticket=ticket).state == "sent", what="sent")
    celery_worker.finish_queued()  # a duplicate, were there one, has been sent by now
    assert len(smtp_sink.to("smtp-down@example.org")) == 1


def test_a_worker_killed_mid_delivery_loses_nothing(celery_worker: Worker, smtp_sink: SmtpSink) -> None:
    arm(celery_worker, "outbox.before_send")

    ticket = submit("killed@example.org")
    wait_until(lambda: not Path(celery_worker.env["DESK_FAULT_FILE"]).exists(), what="the fault to fire")
    wait_until(lambda: Outbox.objects.get(ticket=ticket).state == "sending", what="the claimed row")
    lease_run_out(Outbox.objects.get(ticket=ticket).pk,
                  lease_seconds=float(celery_worker.env["DESK_OUTBOX_LEASE_SECONDS"]))
    deliver_due_rows()

    smtp_sink.wait_for(lambda m: "killed@example.org" in str(m["To"]))
    wait_until(lambda: Outbox.objects.get(ticket=ticket).state == "sent", what="sent")
    celery_worker.finish_queued()  # a duplicate, were there one, has been sent by now
    assert len(smtp_sink.to("killed@example.org")) == 1
    row = Outbox.objects.get(ticket=ticket)
    assert (row.attempts, row.interrupted) == (1, 1)  # the killed claim is no attempt (issue 15)


def test_a_worker_killed_mid_sweep_escalates_each_ticket_once(
    celery_worker: Worker, smtp_sink: SmtpSink, staff_of_requests: dict[str, Any]
) -> None:
    already = len(smtp_sink.messages)
    tickets = overdue_tickets(5, staff_of_requests["agent"])
    arm(celery_worker, "escalation.before_commit")

    sweep_escalations.delay()
    wait_until(lambda: not Path(celery_worker.env["DESK_FAULT_FILE"]).exists(), what="the fault to fire")
    sweep_escalations.delay()  # the next beat tick (the killed one may also be redelivered)
    wait_until(lambda: Escalation.objects.filter(rule="overdue_past_margin").count() == 5,
               what="every due escalation")
    sweep_escalations.delay()
    celery_worker.finish_queued()  # the third sweep, and a redelivered one, have run

    rules = Counter(Escalation.objects.values_list("ticket_id", "rule"))
    assert set(rules.values()) == {1}
    assert {ticket_id for ticket_id, _ in rules} == {t.pk for t in tickets}
    keys = Counter(Outbox.objects.filter(event="escalation").values_list("dedupe_key", flat=True))
    assert set(keys.values()) == {1}
    # Levels 1 and 3 for five tickets reach the assignee and the DPO; level 2 the manager.
    wait_until(lambda: Outbox.objects.filter(event="escalation", state="sent").count() == 15,
               what="every escalation email")
    # The sink is the session's (earlier tests email a "dpo" too): count this test's emails only.
    to_dpo = [m for m in smtp_sink.messages[already:] if "dpo@example.org" in str(m["To"])]
    assert len(to_dpo) == 5, [str(m["Subject"]) for m in to_dpo]


def test_a_sweep_in_threads_writes_each_batch_once_and_counts_every_threads_statements(
        staff_of_requests: dict[str, Any]) -> None:
    tickets = overdue_tickets(45, staff_of_requests["agent"])

    report = escalation_sweep(batch_size=4, workers=3)

    assert report.escalated["due_today_or_overdue"] == 45
    assert Escalation.objects.filter(rule="due_today_or_overdue").count() == 45
    assert set(Counter(Escalation.objects.values_list("ticket_id", "rule")).values()) == {1}
    assert Outbox.objects.filter(event="escalation").count() == report.messages == 45 * 3
    # Three rules (due soon, due, past the margin) of 45 tickets in batches of four: twelve
    # batches a rule at the least (more if a thread took what the others had not locked yet). Each
    # batch sends its five or more statements from its own thread, and all are counted.
    assert report.batches >= 3 * 12
    assert report.statements >= 2 + report.batches * 5
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.escalation_level >= 2
        assert ticket.history.first().history_change_reason.startswith("escalation")


def test_two_sweeps_at_once_escalate_each_ticket_once(staff_of_requests: dict[str, Any]) -> None:
    overdue_tickets(60, staff_of_requests["agent"])

    in_parallel(lambda _number: escalation_sweep(batch_size=7), 2)

    assert Escalation.objects.filter(rule="due_today_or_overdue").count() == 60
    assert set(Counter(Escalation.objects.values_list("ticket_id", "rule")).values()) == {1}
    assert Outbox.objects.filter(event="escalation").count() == 60 * 3  # agent, manager, DPO
    assert len(set(Outbox.objects.values_list("dedupe_key", flat=True))) == Outbox.objects.count()
