"""Retention on the real parts (test G3): PostgreSQL, where two sweeps at once take different
tickets (SKIP LOCKED) and the dashboard's percentiles are the database's own, and the Celery
worker that runs the nightly task on the same database and file store."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.support.concurrency import in_parallel
from tests.support.people import staff
from tests.support.services import Worker, wait_until
from tickets import services, uploads
from tickets.models import Attachment, Ticket
from tickets.selectors.metrics import MetricsFilter, Period, dashboard_figures
from tickets.services.retention import RETENTION_ACTOR, retention_due, retention_sweep
from tickets.tasks import erase_expired_personal_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
HISTORY = Ticket.history.model


def closed_long_ago(agent: Any, canary: str, *, with_file: bool = False, days: int = 800) -> Ticket:
    """A request received, answered and closed `days` ago, through the services: its row and its
    history agree (verify_audit names a row changed behind its history's back)."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days), tick=True):
        return _closed_now(agent, canary, with_file=with_file)


def _closed_now(agent: Any, canary: str, *, with_file: bool) -> Ticket:
    attachment = None
    if with_file:
        content = b"%PDF-1.4\n" + canary.encode()
        attachment = uploads.check_upload(SimpleUploadedFile(f"{canary}.pdf", content))
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name=f"Name {canary}", email=f"{canary}@example.org",
        description=f"Request {canary}", language="en", attachment=attachment, submission_key=uuid.uuid4(),
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body=f"Done, {canary}.")
    services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
    return ticket


def orm_hits(canary: str) -> set[str]:
    hits = set()
    for model in apps.get_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        if any(canary in repr(row) for row in model._base_manager.values_list(*columns)):
            hits.add(model._meta.label)
    return hits


def figures() -> str:
    user = get_user_model().objects.get(username="figures")
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=30), today + datetime.timedelta(days=1))
    wanted = MetricsFilter(period=period)
    return json.dumps(dataclasses.asdict(dashboard_figures(user, wanted, today=today)), sort_keys=True,
                      default=str)


def erasure_entries() -> Counter[int]:
    # The reasons are encrypted: read them through the model, not in SQL.
    return Counter(entry.id for entry in HISTORY.objects.only("id", "history_change_reason")
                   if (entry.history_change_reason or "").startswith(RETENTION_ACTOR))


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def agent() -> Any:
    get_user_model().objects.create_user("figures", "f@example.org", "x-long-password", is_staff=True,
                                         is_superuser=True)
    return staff("agent", member_of=("requests",))


def test_two_sweeps_at_once_erase_each_ticket_once(agent: Any) -> None:
    tickets = [closed_long_ago(agent, f"CANARY-PARALLEL-{n:02d}") for n in range(30)]
    before = figures()

    reports = in_parallel(lambda _number: retention_sweep(batch_size=4), 2)

    assert sum(report.total for report in reports) == 30
    erased = sorted(reference for report in reports for reference in report.references)
    assert erased == sorted(ticket.reference for ticket in tickets)
    assert erasure_entries() == Counter({ticket.pk: 1 for ticket in tickets})
    assert orm_hits("CANARY-PARALLEL") == set()
    assert figures() == before
    assert "Every ticket history is intact." in verify_audit()


def test_the_worker_erases_what_is_due_once_and_the_files_with_it(
    celery_worker: Worker, agent: Any, settings: Any,
) -> None:
    # The files must be where the worker looks for them.
    settings.PRIVATE_MEDIA_ROOT = Path(celery_worker.env["DESK_PRIVATE_MEDIA_ROOT"])
    due = [closed_long_ago(agent, f"CANARY-WORKER-{n}", with_file=True) for n in range(3)]
    recent = closed_long_ago(agent, "CANARY-RECENT", with_file=True, days=10)
    files = {ticket.pk: Attachment.objects.get(ticket=ticket).stored_name for ticket in [*due, recent]}
    assert all((settings.PRIVATE_MEDIA_ROOT / name).exists() for name in files.values())
    before = figures()

    erase_expired_personal_data.delay()
    erase_expired_personal_data.delay()  # a doubled beat tick
    wait_until(lambda: not retention_due().exists() and len(erasure_entries()) == 3, 60, "the erasure")
    celery_worker.finish_queued()  # the doubled tick has run too

    assert erasure_entries() == Counter({ticket.pk: 1 for ticket in due})
    assert orm_hits("CANARY-WORKER") == set()
    assert not any((settings.PRIVATE_MEDIA_ROOT / files[ticket.pk]).exists() for ticket in due)
    assert (settings.PRIVATE_MEDIA_ROOT / files[recent.pk]).exists()
    assert "tickets.Ticket" in orm_hits("CANARY-RECENT")
    assert figures() == before
    assert "Every ticket history is intact." in verify_audit()
