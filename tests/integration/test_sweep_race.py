"""Staff actions racing the escalation sweep on PostgreSQL (issue 15, fault 14): no audit chain is
forked and every escalation reaches one outbox row per recipient.

Under READ COMMITTED a row that a staff action changed after the sweep's locking statement took its
snapshot is locked in its new version, while the rest of that statement (a subquery, a join) reads
the snapshot. The window between the snapshot and the lock is milliseconds wide; to hit it on every
run, the sweep's locking statement runs here as a cursor: DECLARE takes the snapshot, FETCH takes
the locks, and the staff actions commit in between (the very statement, split in two: PostgreSQL
locks a cursor's FOR UPDATE rows as they are fetched, and reads them as of its DECLARE).
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, Outbox
from tests.conftest import unavailable
from tests.support.concurrency import in_parallel
from tests.support.people import staff
from tickets import audit, bulk, services
from tickets.errors import AssignmentRefused, NothingToDo
from tickets.models import Escalation, Queue, Ticket
from tickets.services.escalation import SweepReport, escalation_sweep

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TICKETS = 2_000
AGENTS = 4
SEED_REASON = "seeded for the race"
LOCKING = re.compile(r"\bFOR UPDATE\b.*\bSKIP LOCKED\b", re.DOTALL)
names = itertools.count()


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        unavailable("the sweep's race needs DATABASE_URL pointing at PostgreSQL")


@pytest.fixture
def desk() -> dict[str, Any]:
    dpo = staff("dpo")
    dpo.groups.add(Group.objects.get_or_create(name="dpo")[0])
    return {"agents": [staff(f"agent{number}", member_of=("requests",)) for number in range(AGENTS)],
            "manager": staff("boss", manager_of=("requests",)), "dpo": dpo,
            "queue": Queue.objects.get(slug="requests")}


def seed(count: int, queue: Queue, *, due: datetime.date) -> list[int]:
    """`count` running, answered, unassigned complaints due on `due`, each with a first history
    entry sealed in its chain by the sweep's own bulk path (services one by one would take minutes)."""
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [Ticket(reference=f"PD-RACE-{number:06d}", kind="complaint", regime="gdpr", calendar="FI",
                language="fi", requester_name=f"Race {number}", requester_email=f"race{number}@example.org",
                requester_country="FI", description="race", received_at=now, due_date=due,
                first_response_due=due, first_response_at=now, queue=queue, status="in_progress")
         for number in range(count)], batch_size=1_000)
    ids = sorted(ticket.pk for ticket in tickets)
    rows = list(Ticket.objects.filter(pk__in=ids).order_by("id").values(*audit.CHAINED_FIELDS))
    bulk.history_insert(rows, reason=SEED_REASON, date=now, heads={})
    assert list(audit.verify()) == []
    return ids


@contextmanager
def locks_taken_late(between: Callable[[], object]) -> Iterator[None]:
    """On this thread's connection, every locking statement of the sweep takes its snapshot
    (DECLARE), then `between()` runs, then it takes its locks (FETCH ALL)."""
    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not LOCKING.search(sql):
            return execute(sql, params, many, context)
        cursor = f"sweep_race_{next(names)}"
        execute(f"DECLARE {cursor} NO SCROLL CURSOR FOR {sql}", params, many, context)
        between()
        return execute(f"FETCH ALL FROM {cursor}", None, False, context)

    with connection.execute_wrapper(wrapper):
        yield


def expected_keys(rule_audience: dict[str, str], desk: dict[str, Any]) -> set[str]:
    """The dedupe key of each outbox row the escalations should have written: one per recipient,
    the recipients taken from the ticket as its escalation entry recorded it."""
    agents = [agent.pk for agent in desk["agents"]]
    keys: set[str] = set()
    entries = audit.history_model().objects.filter(history_user=None)
    for entry in entries.only("id", "assignee_id", "history_change_reason"):
        if entry.history_change_reason == SEED_REASON:
            continue
        rule = entry.history_change_reason.removeprefix("escalation (").removesuffix(")")
        audience = rule_audience[rule]
        people = ([entry.assignee_id] if entry.assignee_id else agents) if audience == "assignee_or_queue" \
            else [desk["manager"].pk] if audience == "managers" else [desk["dpo"].pk]
        keys |= {f"escalation:{entry.id}:{rule}:{person}" for person in people}
    return keys


def test_staff_actions_committed_inside_the_sweeps_lock_window_fork_no_chain_and_lose_no_email(
        desk: dict[str, Any]) -> None:
    today = timezone.localdate()
    ids = seed(TICKETS, desk["queue"], due=today + datetime.timedelta(days=2))
    # The first batch is the 500 lowest ids: in it, 200 tickets change while the sweep's locking
    # statement is between its snapshot and its locks; half are assigned (an address the snapshot
    # has not got), half get a note (a history entry the snapshot has not got).
    raced, staff_threads = ids[:200], 4
    assigned = set(raced[::2])
    snapshot_taken = threading.Event()
    staff_done = threading.Barrier(staff_threads + 1, timeout=120)

    def let_staff_act() -> None:
        if not snapshot_taken.is_set():  # the first batch only
            snapshot_taken.set()
            staff_done.wait()

    def work(number: int) -> SweepReport | None:
        if number == 0:
            with locks_taken_late(let_staff_act):
                return escalation_sweep(batch_size=500, workers=1)
        try:
            assert snapshot_taken.wait(timeout=120)
            for ticket_id in raced[number - 1::staff_threads]:
                agent = desk["agents"][ticket_id % AGENTS]
                if ticket_id in assigned:
                    services.ticket_assign(ticket_id=ticket_id, actor=desk["manager"], assignee_id=agent.pk,
                                           reason="racing the sweep")
                else:
                    services.ticket_add_note(ticket_id=ticket_id, actor=agent, body="Racing the sweep.")
        finally:
            staff_done.wait()
        return None

    report = next(result for result in in_parallel(work, staff_threads + 1) if result is not None)

    assert report.escalated == {"due_soon": TICKETS}
    # The race happened: each raced ticket's staff entry came between its first entry and the
    # sweep's, and the sweep escalated it in that same first batch.
    entries = audit.history_model().objects.filter(id__in=raced).order_by("id", "history_id")
    by_ticket: dict[int, list[bool]] = {}
    for ticket_id, user_id in entries.values_list("id", "history_user_id"):
        by_ticket.setdefault(ticket_id, []).append(user_id is not None)
    assert by_ticket == {ticket_id: [False, True, False] for ticket_id in raced}
    # No chain forked: every escalation entry links to the staff entry before it.
    assert list(audit.verify()) == []
    # Every escalation reached its recipients: the assignee set in the window, else every agent.
    keys = set(Outbox.objects.filter(event="escalation").values_list("dedupe_key", flat=True))
    assert keys == expected_keys({"due_soon": "assignee_or_queue"}, desk)
    assert len(keys) == report.messages == len(assigned) + (TICKETS - len(assigned)) * AGENTS
    assert Notification.objects.count() == report.messages
    assert not report.to_managers and not report.unaddressed
    for ticket in Ticket.objects.filter(pk__in=assigned):
        assert [row.recipient for row in Outbox.objects.filter(ticket=ticket, event="escalation")] == [
            f"agent{ticket.pk % AGENTS}@example.org"]


def test_staff_actions_racing_three_rounds_of_sweeps_fork_no_chain_and_lose_no_email(
        desk: dict[str, Any]) -> None:
    """Four members of staff assign, unassign, claim and annotate random tickets as fast as they
    can while the sweep, in two threads, takes each of the 2,000 tickets through levels 1, 2 and 3
    in batches of 250; each locking statement of one thread waits 20 ms between its snapshot and
    its locks, so that actions land there in every batch. A ticket a staff action holds locked is
    skipped (SKIP LOCKED) and taken by the next sweep, so each level is swept until it is done."""
    due = timezone.localdate() + datetime.timedelta(days=2)
    ids = seed(TICKETS, desk["queue"], due=due)
    # Level 1 two days before the due date; 2 on it; 3 two weeks after (past the 5-working-day
    # margin whatever the holidays). From the second on, tickets left unassigned are reminded too.
    levels = {due - datetime.timedelta(days=2): "due_soon", due: "due_today_or_overdue",
              due + datetime.timedelta(days=14): "overdue_past_margin"}
    sweeps_done = threading.Event()
    staff_threads = 4
    actions = [0] * staff_threads

    def act(number: int) -> None:
        choose = random.Random(number)
        agents = desk["agents"]
        while not sweeps_done.is_set():
            ticket_id, agent = choose.choice(ids), choose.choice(agents)
            action = choose.randrange(4)
            try:
                if action == 0:
                    services.ticket_assign(ticket_id=ticket_id, actor=desk["manager"], assignee_id=agent.pk,
                                           reason="racing the sweep")
                elif action == 1:
                    services.ticket_assign(ticket_id=ticket_id, actor=desk["manager"], assignee_id=None,
                                           reason="racing the sweep")
                elif action == 2:
                    services.ticket_claim(ticket_id=ticket_id, actor=agent)
                else:
                    services.ticket_add_note(ticket_id=ticket_id, actor=agent, body="Racing the sweep.")
            except (NothingToDo, AssignmentRefused):
                continue  # already so: nothing written
            actions[number - 1] += 1

    reports: list[SweepReport] = []

    def work(number: int) -> None:
        if number:
            act(number)
            return
        try:
            with locks_taken_late(lambda: sweeps_done.wait(0.02)):
                for day, rule in levels.items():
                    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
                    for _ in range(20):
                        reports.append(escalation_sweep(today=day, now=now, batch_size=250, workers=2))
                        if Escalation.objects.filter(rule=rule).count() == TICKETS:
                            break
        finally:
            sweeps_done.set()

    in_parallel(work, staff_threads + 1, timeout=600)

    rules = {"due_soon": "assignee_or_queue", "due_today_or_overdue": "managers",
             "overdue_past_margin": "dpo", "unassigned": "managers"}
    for rule in levels.values():
        assert Escalation.objects.filter(rule=rule).count() == TICKETS
        assert sum(report.escalated[rule] for report in reports) == TICKETS
    assert sum(actions) > 100  # the staff were busy throughout
    assert list(audit.verify()) == []
    keys = list(Outbox.objects.filter(event="escalation").values_list("dedupe_key", flat=True))
    assert set(keys) == expected_keys(rules, desk)
    assert len(keys) == sum(report.messages for report in reports)
    assert not any(report.to_managers or report.unaddressed for report in reports)
