"""Seed N open tickets with history and time the escalation sweep."""

from __future__ import annotations

import datetime
import json
import os
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from notifications.models import Notification, Outbox
from tickets import audit
from tickets.models import Escalation, Queue, Ticket

BATCH = 5_000
SEED_REASON = "bench seed"


def seed(tickets: int, share: float) -> dict[str, float]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tickets_ticket, tickets_historicalticket, tickets_escalation, "
                       "notifications_outbox, notifications_notification CASCADE")
    queue = Queue.objects.get(slug="complaints")
    agent, _ = User.objects.get_or_create(username="bench-agent", defaults={
        "email": "bench-agent@example.org", "is_staff": True})
    queue.members.add(agent)
    now = timezone.now()
    today = timezone.localdate()
    past = int(tickets * share)
    for start in range(0, tickets, BATCH):
        rows = [_ticket(number, queue, agent, now, today, due_soon=number < past)
                for number in range(start, min(start + BATCH, tickets))]
        bulk_create_with_history(rows, Ticket, batch_size=BATCH, default_change_reason=SEED_REASON)
    _seal_seed_history()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "tickets": tickets, "past_level": past}


def _seal_seed_history(chunk: int = 20_000) -> None:
    """Seal the seed's history entries in their chains, as the services' would be: simple-history's
    bulk_create_with_history skips the signal that seals (tickets/audit.py), and the bench checks
    the chains after the sweep. Each ticket has one seed entry, the first of its chain."""
    model = Ticket.history.model
    entries = (model.objects.filter(chain_hash="").order_by("history_id")
               .only(*audit.CHAINED_FIELDS, "history_id", "history_date", "history_type", "history_user_id"))
    while True:
        batch = list(entries[:chunk])
        if not batch:
            return
        sealed = [{"history_id": entry.history_id,
                   "chain_hash": audit.entry_digest(audit.GENESIS, entry, reason=SEED_REASON)}
                  for entry in batch]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_historicalticket h SET chain_hash = v.chain_hash "
                "FROM jsonb_to_recordset(%s::jsonb) AS v(history_id integer, chain_hash text) "
                "WHERE h.history_id = v.history_id", [json.dumps(sealed)])


def _ticket(number: int, queue: Queue, agent: User, now: datetime.datetime, today: datetime.date,
            *, due_soon: bool) -> Ticket:
    # Due in 2 days (past "due soon" only) or in 60 days; assigned and answered, so that no other
    # rule applies: the sweep has exactly `share` of the tickets to escalate.
    due = today + datetime.timedelta(days=2 if due_soon else 60)
    return Ticket(
        reference=f"PD-BENCH-{number:07d}", kind="complaint", regime="gdpr", calendar="FI", language="fi",
        requester_name=f"Bench {number}", requester_email=f"bench{number}@example.org",
        requester_country="FI", description="bench", received_at=now, due_date=due,
        first_response_due=today, first_response_at=now, queue=queue, assignee=agent,
        status="in_progress",
    )


def timed_sweep() -> dict[str, Any]:
    from tickets.services.escalation import escalation_sweep

    started = time.perf_counter()
    report = escalation_sweep()
    seconds = time.perf_counter() - started
    # The statements of every thread of the sweep (DESK_ESCALATION_WORKERS), BEGIN and COMMIT aside.
    return {"seconds": seconds, "escalated": report.total, "batches": report.batches,
            "emails": report.messages, "queries": report.statements,
            "workers": settings.DESK_ESCALATION_WORKERS,
            "load_average": os.getloadavg()}  # the machine is shared: what else ran at the time


def run_idle(*, runs: int = 5) -> dict[str, Any]:
    """Time the idle sweep on whatever open tickets the bench database holds, without seeding: a
    million open tickets take long to seed with history, and once there they can be re-measured
    (`python -m bench sweep --idle-only`). The first sweep escalates what is due, if anything."""
    from tickets.services.escalation import RUNNING_STATUSES, escalation_sweep

    running = Ticket.objects.filter(status__in=RUNNING_STATUSES).count()
    escalation_sweep()
    sweeps = [timed_sweep() for _ in range(runs)]
    milliseconds = sorted(sweep["seconds"] * 1000 for sweep in sweeps)
    print(f"\nidle sweep over {running:,} running tickets: {milliseconds[0]:.1f}–{milliseconds[-1]:.1f} ms "
          f"in {sweeps[-1]['queries']} queries ({runs} runs, load {os.getloadavg()[0]:.2f})")
    return {"running_tickets": running, "idle_sweeps": sweeps}


def run(*, tickets: int, share: float) -> dict[str, Any]:
    # A running worker has loaded its modules, holiday calendars and templates once; so does the
    # bench (the first rendering loads Django's template engine: 0.9 s in the profile).
    from desk.celery import app
    from notifications.rendering import render_message
    from tickets.services.escalation import _SLOTS, escalation_sweep

    escalation_sweep()
    render_message(event="escalation", language=settings.DESK_STAFF_LANGUAGE,
                   context={**_SLOTS, "rule": "warm-up", "level": 1})
    app.connection_for_write().ensure_connection(max_retries=1)
    seeded = seed(tickets, share)
    print(f"seeded {tickets:,} open tickets ({seeded['past_level']:,} past level 1) "
          f"in {seeded['seconds']:.1f} s")
    history_before = Ticket.history.count()
    first = timed_sweep()
    idle = timed_sweep()
    checks = {
        "escalations": Escalation.objects.count(),
        "outbox_rows": Outbox.objects.count(),
        "notifications": Notification.objects.count(),
        # The reasons are encrypted, so the sweep's entries are told apart by count, not by text.
        "history_rows_from_sweep": Ticket.history.count() - history_before,
    }
    # The sweep's entries are sealed into each ticket's chain: verify the chains it extended.
    started = time.perf_counter()
    broken = list(audit.verify(Escalation.objects.values_list("ticket_id", flat=True).distinct()))
    checks["audit_chains_broken"] = len(broken)
    checks["audit_verify_seconds"] = round(time.perf_counter() - started, 1)
    rate = first["escalated"] / first["seconds"] if first["seconds"] else 0.0
    print("\n| sweep | tickets escalated | batches | queries | seconds | per second |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| first | {first['escalated']:,} | {first['batches']} | {first['queries']} | "
          f"{first['seconds']:.2f} | {rate:,.0f} |")
    print(f"| idle | {idle['escalated']:,} | {idle['batches']} | {idle['queries']} | "
          f"{idle['seconds'] * 1000:.1f} ms | — |")
    print(f"\nrows written: {checks}")
    if broken:
        raise SystemExit(f"the audit chain is broken after the sweep: {broken[:3]}")
    return {"seed": seeded, "first_sweep": first, "idle_sweep": idle, "rows": checks,
            "escalations_per_second": rate}
