"""The escalation sweep (SPEC: Escalation). Level-triggered and set-based: one query per rule and
batch finds the open, running tickets that should have reached the rule and have no row for it;
one transaction writes their escalation rows, their history entries, the in-app notifications and
the outbox rows. Its cost grows with the tickets that change, not with the tickets that exist.

The unique (ticket, rule) constraint is the guarantee of "once"; `SKIP LOCKED` only keeps two
concurrent sweeps from waiting on each other.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from desk import faults
from notifications.models import Notification, Outbox
from notifications.rendering import Rendered, render_message
from notifications.services import publish_many
from tickets import audit, clock
from tickets.choices import Kind, Priority
from tickets.lifecycle import OPEN_STATUSES, WAITING_STATUSES
from tickets.models import Escalation, Queue, Ticket

StrOrPromise = str | Promise
KINDS = frozenset(Kind.values)
RUNNING_STATUSES = sorted(s.value for s in OPEN_STATUSES - WAITING_STATUSES)


@dataclass(frozen=True)
class Rule:
    name: str
    level: int  # 1 to 3 raise the ticket's escalation level; 0 only reminds
    audience: str  # "assignee_or_queue", "managers", "dpo"
    priority: int | None  # raised to at least this
    description: StrOrPromise  # translated when an email is rendered


RULES = (
    Rule("due_soon", 1, "assignee_or_queue", None, _("due soon")),
    Rule("due_today_or_overdue", 2, "managers", Priority.HIGH, _("due today or overdue")),
    Rule("overdue_past_margin", 3, "dpo", Priority.URGENT, _("overdue past the margin")),
    Rule("unassigned", 0, "managers", None, _("unassigned too long")),
    Rule("no_first_response", 0, "assignee_or_queue", None, _("without a first response in time")),
    Rule("extension_decision", 0, "assignee_or_queue", None,
         _("near the end of its first period with no decision on an extension")),
    Rule("acknowledgement_late", 0, "managers", Priority.HIGH,
         _("not acknowledged by the date the law sets")),
)


@dataclass
class SweepReport:
    escalated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    messages: int = 0
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.escalated.values())


def calendars_in_use() -> list[str]:
    in_use = Ticket.objects.filter(status__in=RUNNING_STATUSES).values_list("calendar", flat=True)
    return list(in_use.order_by().distinct())  # no default ordering: it would join the DISTINCT


def _thresholds(today: datetime.date, working_days: int, calendars: list[str], *,
                backwards: bool = False) -> Q:
    """Per calendar in use, the due date `working_days` working days from today (or back)."""
    condition = Q(pk__in=[])
    for code in calendars:
        calendar = clock.working_calendar(code)
        day, counted = today, 0
        while counted < working_days:
            day += datetime.timedelta(days=-1 if backwards else 1)
            counted += calendar.is_working_day(day)
        condition |= Q(calendar=code, due_date__lt=day) if backwards else Q(calendar=code, due_date__lte=day)
    return condition


def _configured(default: int, overrides: dict[str, int], today: datetime.date, calendars: list[str], *,
                backwards: bool = False) -> Q:
    """The threshold per kind, else per regime, else the default (DESK_ESCALATION_*_BY)."""
    kinds = {key: days for key, days in overrides.items() if key in KINDS}
    regimes = {key: days for key, days in overrides.items() if key not in KINDS}
    condition = Q(pk__in=[])
    for kind, days in kinds.items():
        condition |= Q(kind=kind) & _thresholds(today, days, calendars, backwards=backwards)
    for regime, days in regimes.items():
        condition |= (Q(regime=regime) & ~Q(kind__in=list(kinds))
                      & _thresholds(today, days, calendars, backwards=backwards))
    rest = ~Q(kind__in=list(kinds)) & ~Q(regime__in=list(regimes))
    return condition | (rest & _thresholds(today, default, calendars, backwards=backwards))


def _due_filter(rule: Rule, today: datetime.date, now: datetime.datetime, calendars: list[str]) -> Q:
    if rule.name == "due_soon":
        return _configured(settings.DESK_ESCALATION_SOON_WORKING_DAYS, settings.DESK_ESCALATION_SOON_BY,
                           today, calendars)
    if rule.name == "due_today_or_overdue":
        return Q(due_date__lte=today)
    if rule.name == "overdue_past_margin":
        return _configured(settings.DESK_ESCALATION_OVERDUE_MARGIN_WORKING_DAYS,
                           settings.DESK_ESCALATION_MARGIN_BY, today, calendars, backwards=True)
    if rule.name == "unassigned":
        return Q(assignee__isnull=True,
                 received_at__lt=now - datetime.timedelta(hours=settings.DESK_ESCALATION_UNASSIGNED_HOURS))
    if rule.name == "no_first_response":
        return Q(first_response_at__isnull=True, first_response_due__lt=today)
    if rule.name == "acknowledgement_late":
        # CCPA §7021(a) and DPA 2018 s.164A(3): the acknowledgement email must have gone out by then.
        delivered = Outbox.objects.filter(ticket=OuterRef("pk"), event="acknowledgement", state="sent")
        return Q(Q(acknowledge_due__lte=today), ~Exists(delivered))
    # extension_decision: GDPR-style regimes, the last day to notify an extension is near.
    return Q(regime__in=["gdpr", "uk_gdpr", "ccpa", "pipeda"], extension__isnull=True) & Q(
        kind__in=["access", "rectification", "erasure", "restriction", "portability", "objection",
                  "consent_withdrawal"]) & Q(due_date__gte=today) & _thresholds(
        today, settings.DESK_ESCALATION_SOON_WORKING_DAYS, calendars)  # after the first period: too late


def candidates(rule: Rule, *, today: datetime.date, now: datetime.datetime,
               calendars: list[str] | None = None) -> QuerySet[Ticket]:
    """Running tickets (a paused clock does not escalate) past the rule, not yet escalated by it."""
    calendars = calendars_in_use() if calendars is None else calendars
    done = Escalation.objects.filter(ticket=OuterRef("pk"), rule=rule.name)
    running = Ticket.objects.filter(status__in=RUNNING_STATUSES)
    tickets = running.filter(_due_filter(rule, today, now, calendars))
    if rule.level:
        # The ticket's own level (in the partial index) skips what is already escalated without
        # looking at the escalation rows; the unique constraint stays the guarantee.
        tickets = tickets.filter(escalation_level__lt=rule.level)
    return tickets.filter(~Exists(done))


def escalation_sweep(*, today: datetime.date | None = None, now: datetime.datetime | None = None,
                     batch_size: int | None = None) -> SweepReport:
    """Escalate every ticket that newly crossed a rule, in batches; safe to run twice at once."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    batch_size = batch_size or settings.DESK_ESCALATION_BATCH
    report = SweepReport()
    calendars = calendars_in_use()
    for rule in RULES:
        conflicts = 0
        while True:
            try:
                done = _escalate_batch(rule, today=today, now=now, batch_size=batch_size, report=report,
                                       calendars=calendars)
            except IntegrityError:
                # Another sweep escalated some of these first (no SKIP LOCKED here): look again.
                conflicts += 1
                if conflicts > 5:
                    raise
                continue
            if done < batch_size:
                break
    return report


def _escalate_batch(rule: Rule, *, today: datetime.date, now: datetime.datetime, batch_size: int,
                    report: SweepReport, calendars: list[str]) -> int:
    with transaction.atomic():
        found = candidates(rule, today=today, now=now, calendars=calendars)
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once take different tickets instead of waiting for each other.
            found = found.select_for_update(skip_locked=True, of=("self",))
        tickets = list(found.select_related("queue", "assignee").order_by("id")[:batch_size])
        if not tickets:
            return 0
        Escalation.objects.bulk_create(
            [Escalation(ticket=t, rule=rule.name, level=rule.level, due_date=t.due_date) for t in tickets])
        _raise_tickets(rule, tickets)
        report.messages += _notify(rule, tickets)
        faults.hit("escalation.before_commit")
        report.escalated[rule.name] += len(tickets)
        report.batches += 1
        return len(tickets)


def _raise_tickets(rule: Rule, tickets: list[Ticket]) -> None:
    """One history entry per ticket: the level, a raised priority, and the reason.

    Every ticket of the batch gets the same change, so one UPDATE with GREATEST does it (a
    bulk_update would build a CASE branch per ticket and field); the history rows are written from
    the same values, sealed into each ticket's audit chain, in the same transaction."""
    now = timezone.now()
    changes: dict[str, Any] = {"escalation_level": Greatest("escalation_level", Value(rule.level)),
                               "updated_at": now}
    if rule.priority is not None:
        changes["priority"] = Greatest("priority", Value(rule.priority))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(**changes)
    for ticket in tickets:
        ticket.escalation_level = max(ticket.escalation_level, rule.level)
        ticket.priority = max(ticket.priority, rule.priority or 0)
        ticket.updated_at = now
    audit.bulk_history_create(tickets, reason=f"escalation ({rule.name})", date=now)


def _recipients(rule: Rule, tickets: list[Ticket]) -> dict[int, list[User]]:
    """Who hears of each ticket: the assignee (or the queue), the queue's managers, or the DPOs."""
    if rule.audience == "dpo":
        officers = list(User.objects.filter(groups__name="dpo", is_active=True).order_by("id"))
        return {t.pk: officers for t in tickets}
    through = Queue.managers.through if rule.audience == "managers" else Queue.members.through
    links = through.objects.filter(queue_id__in={t.queue_id for t in tickets}, user__is_active=True)
    by_queue: dict[int, list[User]] = defaultdict(list)
    for link in links.select_related("user").order_by("user_id"):
        by_queue[link.queue_id].append(link.user)
    if rule.audience == "assignee_or_queue":
        return {t.pk: [t.assignee] if t.assignee else by_queue[t.queue_id] for t in tickets}
    return {t.pk: by_queue[t.queue_id] for t in tickets}


# Placeholders the message is rendered with once per rule and batch, then filled per ticket:
# rendering three templates for each of thousands of tickets would be most of the sweep's time.
_SLOTS = {"reference": "\ue000reference\ue000", "queue": "\ue000queue\ue000",
          "due_text": "\ue000due\ue000", "ticket_url": "\ue000url\ue000"}


def _fill(template: str, values: dict[str, str], *, html: bool) -> str:
    for name, slot in _SLOTS.items():
        template = template.replace(slot, escape(values[name]) if html else values[name])
    return template


def _notify(rule: Rule, tickets: Iterable[Ticket]) -> int:
    tickets = list(tickets)
    recipients = _recipients(rule, tickets)
    language = settings.DESK_STAFF_LANGUAGE
    shape = render_message(event="escalation", language=language,
                           context={**_SLOTS, "rule": rule.description, "level": rule.level})
    rows: list[Outbox] = []
    notes: list[Notification] = []
    for ticket in tickets:
        with translation.override(language):
            due_text = formats.date_format(ticket.due_date, "DATE_FORMAT")
        values = {"reference": ticket.reference, "queue": ticket.queue.name, "due_text": due_text,
                  "ticket_url": f"{settings.DESK_PUBLIC_BASE_URL}/staff/tickets/{ticket.reference}/"}
        rendered = Rendered(subject=_fill(shape.subject, values, html=False),
                            body_text=_fill(shape.body_text, values, html=False),
                            body_html=_fill(shape.body_html, values, html=True))
        for user in recipients[ticket.pk]:
            key = f"escalation:{ticket.pk}:{rule.name}:{user.pk}"
            notes.append(Notification(user=user, ticket=ticket, event=f"escalation.{rule.name}",
                                      dedupe_key=key, text=rendered.subject))
            if user.email:
                rows.append(Outbox(dedupe_key=key, event="escalation", ticket=ticket, recipient=user.email,
                                   language=language, subject=rendered.subject,
                                   body_text=rendered.body_text, body_html=rendered.body_html))
    Notification.objects.bulk_create(notes)
    created = Outbox.objects.bulk_create(rows)
    ids = [row.pk for row in created]

    def publish_after_commit() -> None:
        publish_many(ids)

    transaction.on_commit(publish_after_commit, robust=True)
    return len(created)
