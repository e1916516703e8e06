"""The escalation sweep (SPEC: Escalation). Level-triggered and set-based: one query per rule and
batch finds the open, running tickets that should have reached the rule and have no row for it;
one transaction writes their escalation rows, their history entries, the in-app notifications and
the outbox rows. Its cost grows with the tickets that change, not with the tickets that exist.

The unique (ticket, rule) constraint is the guarantee of "once"; `SKIP LOCKED` only keeps two
concurrent sweeps from waiting on each other.

A batch locks its tickets first (their ids only), then reads what it needs (each ticket's values,
its chain head, who is told) in a later statement, when nothing can change them any more. Read in
the locking statement, a ticket that a staff action changed meanwhile came back in its new version
but with its chain head and its assignee's address from the statement's older snapshot: the
sweep's history entry forked the chain and the email went nowhere (issue 15, fault 14).
An escalation is never left unsent for want of a recipient: it goes to the queue's managers, and
the report counts it.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import formats, timezone, translation

from desk import faults
from notifications.services import Message, outbox_enqueue_many
from tickets import audit, bulk, reasons
from tickets.escalation_rules import RULES, Recipients, Rule, Window, people_of, queue_managers
from tickets.lifecycle import OPEN_STATUSES, WAITING_STATUSES
from tickets.models import Escalation, Queue, Ticket

logger = logging.getLogger(__name__)

RUNNING_STATUSES = sorted(s.value for s in OPEN_STATUSES - WAITING_STATUSES)


@dataclass
class SweepReport:
    escalated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Escalations (per rule) whose audience had no one with an email address (an assignee without
    # one or no longer active, a queue without agents, no DPO): sent to the queue's managers.
    to_managers: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Those with no manager to send to either: nobody was emailed (each is logged as a warning).
    unaddressed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    messages: int = 0
    batches: int = 0
    statements: int = 0  # SQL statements sent, in every thread (transactions' BEGIN/COMMIT aside)

    @property
    def total(self) -> int:
        return sum(self.escalated.values())

    def counting(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        """A connection.execute_wrapper counting what this report's sweep (or thread) sends."""
        self.statements += 1
        return execute(sql, params, many, context)


def calendars_in_use() -> list[str]:
    """The working-day calendars of running tickets (a few dozen at most, among a million rows).

    A DISTINCT reads every open ticket (0.38 s at a million on PostgreSQL); this walks the partial
    index `ticket_open_calendar` from one calendar to the next, one index probe per calendar."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    running = ", ".join(["%s"] * len(RUNNING_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE in_use(calendar) AS (
                    SELECT * FROM (SELECT calendar FROM {table} WHERE status IN ({running})
                                   ORDER BY calendar LIMIT 1) AS first
                    UNION ALL
                    SELECT (SELECT t.calendar FROM {table} t WHERE t.status IN ({running})
                            AND t.calendar > in_use.calendar ORDER BY t.calendar LIMIT 1)
                    FROM in_use WHERE in_use.calendar IS NOT NULL)
                SELECT calendar FROM in_use WHERE calendar IS NOT NULL""",  # noqa: S608 - the model's own table; values are parameters
            [*RUNNING_STATUSES, *RUNNING_STATUSES])
        return [row[0] for row in cursor.fetchall()]


def candidates(rule: Rule, *, today: datetime.date, now: datetime.datetime,
               calendars: list[str] | None = None) -> QuerySet[Ticket]:
    """Running tickets (a paused clock does not escalate) past the rule, not yet escalated by it."""
    calendars = calendars_in_use() if calendars is None else calendars
    done = Escalation.objects.filter(ticket=OuterRef("pk"), rule=rule.name)
    running = Ticket.objects.filter(status__in=RUNNING_STATUSES)
    tickets = running.filter(rule.filter(Window(today=today, now=now, calendars=tuple(calendars))))
    if rule.level:
        # The ticket's own level (in the partial index) skips what is already escalated without
        # looking at the escalation rows; the unique constraint stays the guarantee.
        tickets = tickets.filter(escalation_level__lt=rule.level)
    return tickets.filter(~Exists(done))


def rules_with_work(*, today: datetime.date, now: datetime.datetime, calendars: list[str]) -> list[Rule]:
    """The rules that have a ticket to escalate, in one query for all seven (`SELECT (SELECT id …
    LIMIT 1) IS NOT NULL, …`): an idle sweep, the common case a minute after the last, costs that
    query and the calendars', not a transaction and a query per rule. Asking before writing
    misses nothing: the sweep only raises levels, which never makes a rule due, and a ticket that
    becomes due meanwhile is found by the next sweep (level-triggered)."""
    probes: list[str] = []
    params: list[Any] = []
    for rule in RULES:
        found = candidates(rule, today=today, now=now, calendars=calendars)
        # Ordered by its date (`dated_by`), the first match is read from that date's index over
        # the rule's range. Unordered (an EXISTS drops any ORDER BY), the planner expects one
        # of its thousands of estimated matches early in the table and reads all of it when they
        # are all escalated already, as they are a minute after a sweep. The other rules take no
        # order, not the model's (due_date, id), which would sort every match.
        found = found.order_by(rule.dated_by) if rule.dated_by else found.order_by()
        try:
            sql, rule_params = found.values("pk")[:1].query.sql_with_params()
        except EmptyResultSet:  # no calendar in use, so no ticket can be past a working-day rule
            sql, rule_params = "SELECT NULL", ()
        probes.append(f"({sql}) IS NOT NULL")
        params += rule_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes), params)
        answers = cursor.fetchone()
    return [rule for rule, due in zip(RULES, answers, strict=True) if due]


def escalation_sweep(*, today: datetime.date | None = None, now: datetime.datetime | None = None,
                     batch_size: int | None = None, workers: int | None = None) -> SweepReport:
    """Escalate every ticket that newly crossed a rule, in batches; safe to run twice at once.

    On PostgreSQL a rule's batches are written by `workers` threads at once
    (DESK_ESCALATION_WORKERS), each with its own connection: while one waits on the database the
    other builds its batch, and `SKIP LOCKED` gives them different tickets. SQLite writes one
    transaction at a time, so there it is one."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    batch_size = batch_size or settings.DESK_ESCALATION_BATCH
    workers = workers or settings.DESK_ESCALATION_WORKERS
    if not connection.features.has_select_for_update_skip_locked:
        workers = 1
    report = SweepReport()
    with connection.execute_wrapper(report.counting):
        calendars = calendars_in_use()
        due = rules_with_work(today=today, now=now, calendars=calendars)
    for rule in due:
        def escalate(rule: Rule = rule) -> SweepReport:
            return _escalate_rule(rule, today=today, now=now, batch_size=batch_size, calendars=calendars)

        reports = [escalate()] if workers == 1 else bulk.in_threads(escalate, workers)
        for part in reports:
            for name, count in part.escalated.items():
                report.escalated[name] += count
            for name, count in part.to_managers.items():
                report.to_managers[name] += count
            for name, count in part.unaddressed.items():
                report.unaddressed[name] += count
            report.messages += part.messages
            report.batches += part.batches
            report.statements += part.statements
    return report


def _escalate_rule(rule: Rule, *, today: datetime.date, now: datetime.datetime, batch_size: int,
                   calendars: list[str]) -> SweepReport:
    report = SweepReport()
    conflicts = 0
    while True:
        try:
            with connection.execute_wrapper(report.counting):
                done = _escalate_batch(rule, today=today, now=now, batch_size=batch_size, report=report,
                                       calendars=calendars)
        except IntegrityError:
            # Another sweep escalated some of these first (no SKIP LOCKED here): look again.
            conflicts += 1
            if conflicts > 5:
                raise
            continue
        if done < batch_size:
            return report


def _escalate_batch(rule: Rule, *, today: datetime.date, now: datetime.datetime, batch_size: int,
                    report: SweepReport, calendars: list[str]) -> int:
    """Lock a batch, read it, then write it in five statements whatever its size (tickets/bulk.py):
    the escalation rows, the tickets' new level, their history entries, and the notifications with
    their outbox rows (the recipients' query between; one more only when some escalation has
    nobody to tell).

    The tickets are read as values, not model instances, and only the columns the history's hash
    and the messages need: the requester's encrypted fields are neither decrypted here nor
    encrypted again (the history copies their ciphertext in SQL, tickets/bulk.py)."""
    with transaction.atomic():
        ticket_ids = _lock(rule, today=today, now=now, batch_size=batch_size, calendars=calendars)
        if not ticket_ids:
            return 0
        tickets = _read_locked(ticket_ids)
        written = timezone.now()
        bulk.escalations_insert(ticket_ids, rule=rule.name, level=rule.level, created_at=written)
        bulk.tickets_raise(tickets, level=rule.level, priority=rule.priority,
                           reason=reasons.ESCALATED(rule=rule.name), date=written)
        report.messages += _notify(rule, tickets, report=report)
        faults.hit("escalation.before_commit")
        report.escalated[rule.name] += len(tickets)
        report.batches += 1
        return len(tickets)


def _lock(rule: Rule, *, today: datetime.date, now: datetime.datetime, batch_size: int,
          calendars: list[str]) -> list[int]:
    """The ids of a batch of the rule's candidates, locked; nothing else is read here.

    Under READ COMMITTED a row a staff action changed after this statement's snapshot is locked
    in its new version (PostgreSQL re-checks it), while everything else the statement reads (a
    subquery, a joined row) stays as of the snapshot. So the values the history's hash and the
    messages need are read by `_read_locked`, a later statement that sees every commit up to the
    locks, after which no one can change these tickets until the batch commits."""
    found = candidates(rule, today=today, now=now, calendars=calendars)
    if connection.features.has_select_for_update_skip_locked:
        # Two sweeps at once take different tickets instead of waiting for each other.
        found = found.select_for_update(skip_locked=True, of=("self",))
    return list(found.order_by("id").values_list("id", flat=True)[:batch_size])


def _read_locked(ticket_ids: list[int]) -> list[dict[str, Any]]:
    """The locked tickets as they are now: what the history's hash covers, the chain head the new
    entry links to, the queue's name and the assignee's address for the messages."""
    found = Ticket.objects.filter(pk__in=ticket_ids).annotate(
        head=audit.chain_head(), queue_name=F("queue__name"), assignee_email=F("assignee__email"),
        assignee_active=F("assignee__is_active"))
    return list(found.order_by("id").values(*audit.CHAINED_FIELDS, "head", "queue_name", "assignee_email",
                                            "assignee_active"))


def _addressed(rule: Rule, tickets: list[dict[str, Any]], *, report: SweepReport) -> Recipients:
    """The recipients, with the queue's managers added to every escalation that would otherwise
    email no one (one more query, only for a batch that has such an escalation); each is counted,
    and one with no manager either is logged: it is never dropped silently."""
    recipients = rule.recipients(tickets)
    unaddressed = [t for t in tickets if not any(email for _, email in recipients[t["id"]])]
    if not unaddressed:
        return recipients
    managers = ({} if rule.recipients is queue_managers else  # the managers had no address either
                people_of(Queue.managers.through, {t["queue_id"] for t in unaddressed}))
    for ticket in unaddressed:
        told = {user_id for user_id, _ in recipients[ticket["id"]]}  # in-app only: no address
        instead = [(user_id, email) for user_id, email in managers.get(ticket["queue_id"], [])
                   if email and user_id not in told]
        if instead:
            recipients[ticket["id"]] = [*recipients[ticket["id"]], *instead]
            report.to_managers[rule.name] += 1
        else:
            report.unaddressed[rule.name] += 1
            logger.warning("escalation %s of ticket %s: nobody with an email address to tell",
                           rule.name, ticket["reference"])
    return recipients


# Where each ticket's values go in the message rendered once per rule and batch (tickets/bulk.py
# `BatchMessage`), by name.
_SLOTS = {"reference": "\ue000reference\ue000", "queue": "\ue000queue\ue000",
          "due_text": "\ue000due\ue000", "ticket_url": "\ue000url\ue000"}


def _notify(rule: Rule, tickets: list[dict[str, Any]], *, report: SweepReport) -> int:
    """Each recipient's in-app notification and email of the escalation, in the staff's language:
    the ticket, its queue, its deadline and a link to it."""
    recipients = _addressed(rule, tickets, report=report)
    language = settings.DESK_STAFF_LANGUAGE
    shape = bulk.BatchMessage.render(event="escalation", language=language, markers=_SLOTS,
                                     context={"rule": rule.description, "level": rule.level})
    due_texts: dict[datetime.date, str] = {}
    messages: list[Message] = []
    base_url = settings.DESK_PUBLIC_BASE_URL
    with translation.override(language):
        for ticket in tickets:
            due = ticket["due_date"]
            if due not in due_texts:  # a batch shares a few due dates
                due_texts[due] = formats.date_format(due, "DATE_FORMAT")
            subject, body_text, body_html = shape.fill({
                "reference": ticket["reference"], "queue": ticket["queue_name"] or "",
                "due_text": due_texts[due], "ticket_url": f"{base_url}/staff/tickets/{ticket['reference']}/"})
            for user_id, email in recipients[ticket["id"]]:
                messages.append(Message(
                    dedupe_key=f"escalation:{ticket['id']}:{rule.name}:{user_id}", event="escalation",
                    ticket_id=ticket["id"], user_id=user_id, recipient=email or "", language=language,
                    subject=subject, body_text=body_text, body_html=body_html,
                    notification_event=f"escalation.{rule.name}"))
    return outbox_enqueue_many(messages=messages)
