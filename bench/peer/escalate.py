"""Time django-helpdesk's `escalate_tickets` on N tickets, in the peer's venv; print one JSON object.

Run by `python -m bench peer` (bench/peer_sweep.py), from the repository's root:
`.venv-peer/bin/python -m bench.peer.escalate --tickets N [--share 0.10]`.

The tickets are seeded as the research did (shared/research/django-helpdesk.md §6): bulk inserts
with one opening follow-up each, three queues with `escalate_days=1` and locale "en", every ticket
open, at priority 3, with a submitter and an owner. A share of them (10 % by default, as in our
sweep's bench) is backdated three days, so that the command escalates those; the others were just
opened and are not due, like our bench's tickets that are not past a level. The command is called
in-process with a query counter around it; e-mail goes to the locmem outbox.

Progress goes to stderr, the result to stdout, so that the caller can read it.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import sys
import time
from collections import Counter, defaultdict
from importlib.metadata import version
from typing import Any
from urllib.parse import unquote, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")

BATCH = 5_000
QUEUES = ("q0", "q1", "q2")
# The durability settings decide what a commit costs: the peer commits each statement on its own.
DURABILITY = ("fsync", "synchronous_commit", "wal_sync_method", "commit_delay")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_database() -> None:
    """The peer's database, made on the bench's server if missing (before Django connects to it)."""
    import psycopg

    url = urlsplit(os.environ.get("PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/desk_bench_peer"))
    name = url.path.lstrip("/") or "desk_bench_peer"
    with psycopg.connect(host=url.hostname or "127.0.0.1", port=url.port or 5432,
                         user=unquote(url.username or "postgres"), password=unquote(url.password or ""),
                         dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


class QueryCounter:
    """For connection.execute_wrapper: counts the statements and their time, by their first word.
    Each of the peer's writes is committed on its own (autocommit), so its time includes the commit."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.kind_seconds: defaultdict[str, float] = defaultdict(float)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = sql.lstrip().split(None, 1)[0].upper()
            self.kinds[kind] += 1
            self.kind_seconds[kind] += time.perf_counter() - started

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    @property
    def seconds(self) -> float:
        return sum(self.kind_seconds.values())


def empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE helpdesk_ticket CASCADE")  # follow-ups, changes, CCs with them


def queues() -> list[Any]:
    """Three queues that escalate daily. Kept across runs rather than re-created: a queue's delete
    leaves its per-queue Permission behind, and the same slug then fails to be created (§6)."""
    from helpdesk.models import EscalationExclusion, Queue

    made = []
    for slug in QUEUES:
        queue, _ = Queue.objects.update_or_create(slug=slug, defaults={
            "title": f"Queue {slug}", "email_address": f"{slug}@example.org", "locale": "en",
            "escalate_days": 1, "updated_ticket_cc": "", "new_ticket_cc": "",
            "enable_notifications_on_email_events": False})
        made.append(queue)
    # An exclusion day would shorten the window and escalate every open ticket (research §1.1).
    EscalationExclusion.objects.all().delete()
    return made


def owner() -> Any:
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="bench-agent", defaults={
        "email": "bench-agent@example.org", "is_staff": True})
    return user


def seed(tickets: int, share: float) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone
    from helpdesk.models import FollowUp, Ticket

    started = time.perf_counter()
    empty()
    queue_rows, agent = queues(), owner()
    due = round(tickets * share)
    backdated = timezone.now() - datetime.timedelta(days=3)
    for start in range(0, tickets, BATCH):
        numbers = range(start, min(start + BATCH, tickets))
        rows = Ticket.objects.bulk_create([
            Ticket(title=f"Bench request {number}", queue=queue_rows[number % len(queue_rows)],
                   submitter_email=f"bench{number}@example.org", assigned_to=agent,
                   status=Ticket.OPEN_STATUS, priority=3, description="bench")
            for number in numbers])
        FollowUp.objects.bulk_create([
            FollowUp(ticket=ticket, title="Ticket Opened", comment="bench", public=True)
            for ticket in rows])
        # `created` is auto_now_add, so the due ones are backdated after the insert.
        late = [ticket.pk for number, ticket in zip(numbers, rows, strict=True) if number < due]
        if late:
            Ticket.objects.filter(pk__in=late).update(created=backdated)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 2), "tickets": tickets, "due": due}


def escalate() -> dict[str, Any]:
    """One run of the command, in-process, with its statements counted and the outbox emptied first."""
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection

    mail.outbox = []
    counter = QueryCounter()
    load_before = os.getloadavg()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        call_command("escalate_tickets", stdout=io.StringIO())
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "queries": counter.total, "statements": dict(counter.kinds),
            "seconds_in_database": round(counter.seconds, 3),
            "seconds_by_statement": {kind: round(spent, 3) for kind, spent in counter.kind_seconds.items()},
            "emails": len(mail.outbox),
            "load_average": {"before": load_before, "after": os.getloadavg()}}


def warm_up() -> None:
    """A running cron process starts cold every hour, but our bench warms ours up (templates loaded,
    connection open): the peer gets the same, one escalated ticket before the seed."""
    from django.utils import timezone
    from helpdesk.models import Ticket

    empty()
    queue_rows, agent = queues(), owner()
    ticket = Ticket.objects.create(title="warm-up", queue=queue_rows[0], submitter_email="w@example.org",
                                   assigned_to=agent, status=Ticket.OPEN_STATUS, priority=3)
    Ticket.objects.filter(pk=ticket.pk).update(created=timezone.now() - datetime.timedelta(days=3))
    escalate()


def server() -> dict[str, Any]:
    from django.db import connection

    from bench.database import server as server_settings

    settings = server_settings()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
                       [list(DURABILITY)])
        settings.update(cursor.fetchall())
    return settings


def run(tickets: int, share: float) -> dict[str, Any]:
    import django
    from django.core.management import call_command

    create_database()
    django.setup()
    call_command("migrate", verbosity=0)

    from django.utils import timezone
    from helpdesk.models import FollowUp, Ticket, TicketChange

    warm_up()
    seeded = seed(tickets, share)
    log(f"seeded {tickets:,} open tickets ({seeded['due']:,} due for escalation) in {seeded['seconds']} s")
    first = escalate()
    escalated = Ticket.objects.filter(last_escalation__isnull=False).count()
    idle = escalate()
    seconds = first["seconds"]
    return {
        "bench": "django-helpdesk escalate_tickets",
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "tickets": tickets,
        "share_due": share,
        "due": seeded["due"],
        "escalated": escalated,
        "seconds": round(seconds, 3),
        "queries": first["queries"],
        "queries_per_ticket": round(first["queries"] / escalated, 2) if escalated else None,
        "per_second": round(escalated / seconds, 1) if seconds else None,
        "ms_per_ticket": round(seconds * 1000 / escalated, 3) if escalated else None,
        "emails": first["emails"],
        "email_backend": "django.core.mail.backends.locmem.EmailBackend (in memory, as in the research's "
                         "figures: no SMTP round trip inside the command's loop)",
        "first_run": first,
        "idle_run": idle,
        "rows": {"escalation_followups": FollowUp.objects.filter(title="Ticket Escalated").count(),
                 "ticket_changes": TicketChange.objects.count()},
        "seed": seeded,
        "versions": {"django_helpdesk": version("django-helpdesk"), "django": django.get_version(),
                     "python": platform.python_version()},
        "postgresql": server(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer.escalate")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.10, help="share of the tickets due for escalation")
    options = parser.parse_args(argv)
    if not 0 < options.share <= 1:
        parser.error("--share must be in (0, 1]")
    print(json.dumps(run(options.tickets, options.share)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
