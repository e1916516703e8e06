"""The manager's figures: service levels now and over a period, computed by the database.

Every figure is an aggregate: conditional counts grouped by kind, queue, assignee or week, and a
histogram of working days for each percentile. The dashboard makes the same number of queries at
ten tickets and at a million, and nothing here loops over tickets: Python only adds up groups.
Dates are the organisation's (settings.TIME_ZONE): a period runs from its first day's midnight
to the midnight after its last day, and "on time" compares the local date of the answer with the
due date, as the deadline engine counts (research/deadlines.md §2.2).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from tickets.choices import Outcome
from tickets.escalation_rules import LEVELS
from tickets.lifecycle import OPEN_STATUSES, WAITING_STATUSES, Status
from tickets.models import Escalation, Queue, Satisfaction, Ticket

OPEN = sorted(OPEN_STATUSES)
WAITING = sorted(WAITING_STATUSES)
SCORES = (1, 2, 3, 4, 5)
PERCENTILES = {"median": 0.5, "p90": 0.9}

# Open tickets by days left (negative: overdue), in calendar days: (code, lowest, highest).
AGEING = (
    ("overdue_15_plus", None, -15),
    ("overdue_8_14", -14, -8),
    ("overdue_1_7", -7, -1),
    ("due_0_7", 0, 7),
    ("due_8_14", 8, 14),
    ("due_15_30", 15, 30),
    ("due_31_plus", 31, None),
)


def dashboard_queues(user: Any) -> QuerySet[Queue]:
    """The queues whose figures a user may see: those they manage; every queue for an
    administrator (figures hold no requester's personal data)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Queue.objects.none()
    if user.is_superuser:
        return Queue.objects.all()
    return Queue.objects.filter(managers=user)


# The days a period may start or end on: far wider than any desk's records, and far enough from
# the calendar's own ends that a period's bounds and its weeks exist. 0001-01-01 at midnight in
# Helsinki is still in year 0 in UTC, and the day after 9999-12-31 is none: both were an
# OverflowError, an HTTP 500, on the dashboard and /api/v1/metrics/ (issue 15, hole 8).
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Midnight of the first day to midnight after the last, in the organisation's zone."""
        zone = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time(), tzinfo=zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(),
                                          tzinfo=zone)
        return first, after

    def weeks(self) -> list[datetime.date]:
        """The Mondays of the weeks the period touches."""
        monday = self.start - datetime.timedelta(days=self.start.weekday())
        return [monday + datetime.timedelta(weeks=n)
                for n in range((self.end - monday).days // 7 + 1)]


@dataclass(frozen=True)
class MetricsFilter:
    period: Period
    queue_id: int | None = None
    kind: str = ""
    regime: str = ""


@dataclass(frozen=True)
class Spread:
    """How long something took, in working days: how many, the median and the 90th percentile
    (PostgreSQL's percentile_cont: linear between the two nearest ranks)."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class NowFigures:
    """What is open right now (the dashboard's first section)."""

    open: int
    by_status: Mapping[Status, int]  # every open status, none left out
    due_within_7_days: int
    overdue: int
    paused: int  # waiting for the requester: the statutory clock stands still
    unassigned: int
    by_escalation_level: Mapping[int, int]  # every level of LEVELS
    ageing: Mapping[str, int]  # by the codes of AGEING, in its order


@dataclass(frozen=True, kw_only=True)
class Answers:
    """Tickets answered in the period, and how punctually: on time by the first due date, on
    time only thanks to the extension, or late; extended; refused. Each rate is a share from 0 to
    1 (four decimals), None when nothing was answered."""

    resolved: int
    on_time: int
    on_time_extended: int
    late: int
    extended: int
    refused: int

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.resolved)

    @property
    def on_time_extended_rate(self) -> float | None:
        return _rate(self.on_time_extended, self.resolved)

    @property
    def late_rate(self) -> float | None:
        return _rate(self.late, self.resolved)

    @property
    def extension_rate(self) -> float | None:
        return _rate(self.extended, self.resolved)

    @property
    def refusal_rate(self) -> float | None:
        return _rate(self.refused, self.resolved)


@dataclass(frozen=True, kw_only=True)
class AgentFigures(Answers):
    """One assignee's open tickets now, and what they answered in the period."""

    agent: str  # the username
    name: str  # the full name, or the username when there is none
    open: int


@dataclass(frozen=True, kw_only=True)
class Breakdown(Answers):
    """One kind of request (or one queue, by name): received and answered in the period."""

    key: str
    received: int


@dataclass(frozen=True)
class Week:
    week: datetime.date  # the Monday it starts on
    received: int
    resolved: int


@dataclass(frozen=True)
class EscalationCount:
    level: int
    rule: str  # the rule's name
    count: int


@dataclass(frozen=True)
class Escalations:
    """The escalations made in the period, per level and rule (every level of LEVELS counted)."""

    by_rule: tuple[EscalationCount, ...]  # by level, then rule

    @property
    def by_level(self) -> dict[int, int]:
        return {level: sum(row.count for row in self.by_rule if row.level == level) for level in LEVELS}

    @property
    def total(self) -> int:
        return sum(row.count for row in self.by_rule)


@dataclass(frozen=True)
class SatisfactionFigures:
    answers: int
    average: float | None  # out of 5, two decimals
    by_score: Mapping[int, int]  # every score of SCORES
    # Answers in the period per ticket answered in it: a guide, as the two sets can differ.
    response_rate: float | None


@dataclass(frozen=True, kw_only=True)
class PeriodFigures(Answers):
    """What happened over the period: the answers (the totals of Answers), and the rest."""

    received: int
    weekly: tuple[Week, ...]  # every week the period touches
    first_response_days: Spread
    resolution_days: Spread
    escalations: Escalations
    agents: tuple[AgentFigures, ...]  # by username
    kinds: tuple[Breakdown, ...]  # by kind
    queues: tuple[Breakdown, ...]  # by queue name
    satisfaction: SatisfactionFigures


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard, read alike by its page, its CSV tables, the monthly report
    and the metrics API (tickets.api.serializers.MetricsSerializer)."""

    filter: MetricsFilter
    today: datetime.date
    time_zone: str  # the organisation's, which the period's days and weeks are in
    queue_ids: tuple[int, ...]  # the queues the figures cover
    now: NowFigures
    over_period: PeriodFigures


def dashboard_figures(user: Any, wanted: MetricsFilter, *, today: datetime.date) -> Dashboard:
    """Every figure of the dashboard, the metrics API and the monthly report, in nine queries:
    each reads one set of tickets once (open now; answered, received, first responses in the
    period) and groups it, so that a million tickets cost what their groups cost."""
    # Every queue, and which are the user's, in one query.
    mine = Exists(dashboard_queues(user).filter(pk=OuterRef("pk")))
    queues = list(Queue.objects.annotate(mine=mine).values_list("pk", "mine"))
    queue_ids = sorted(pk for pk, is_mine in queues if is_mine and wanted.queue_id in (None, pk))
    tickets = Ticket.objects.filter(_scope(wanted, queue_ids))
    # The escalations and answers of those tickets; when that is every ticket, no join at all.
    everything = len(queue_ids) == len(queues) and not (wanted.kind or wanted.regime)
    related = Q() if everything else _scope(wanted, queue_ids, through="ticket__")
    first, after = wanted.period.bounds()
    resolved_in = Q(resolved_at__gte=first, resolved_at__lt=after)
    now, open_by_agent = _now(tickets, today)
    answered = _answered(tickets.filter(resolved_in))
    received = _received(tickets.filter(received_at__gte=first, received_at__lt=after))
    resolved_weeks = _weekly(tickets.filter(resolved_in), "resolved_at")
    first_responses = tickets.filter(first_response_at__gte=first, first_response_at__lt=after)
    totals = _sum(answered, ANSWER_COUNTS)
    period = PeriodFigures(
        **totals,
        received=sum(row["received"] for row in received),
        weekly=tuple(Week(week=monday,
                          received=sum(row["received"] for row in received if row["week"] == monday),
                          resolved=resolved_weeks.get(monday, 0)) for monday in wanted.period.weeks()),
        first_response_days=_spread(first_responses, "first_response_days"),
        resolution_days=_spread(tickets.filter(resolved_in), "resolution_days"),
        escalations=_escalations(related, first, after),
        agents=_agents(answered, open_by_agent),
        kinds=_breakdown(answered, received, "kind"),
        queues=_breakdown(answered, received, "queue__name"),
        satisfaction=_satisfaction(related, first, after, totals["resolved"]),
    )
    return Dashboard(filter=wanted, today=today, time_zone=timezone.get_current_timezone_name(),
                     queue_ids=tuple(queue_ids), now=now, over_period=period)


def _scope(wanted: MetricsFilter, queue_ids: list[int], through: str = "") -> Q:
    """The tickets the figures cover, as a condition on tickets or, `through` a relation, on
    rows that belong to tickets (a join, not an IN over every ticket in scope)."""
    scope = Q(**{f"{through}queue_id__in": queue_ids})
    if wanted.kind:
        scope &= Q(**{f"{through}kind": wanted.kind})
    if wanted.regime:
        scope &= Q(**{f"{through}regime": wanted.regime})
    return scope


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


ANSWER_COUNTS = ("resolved", "on_time", "on_time_extended", "late", "extended", "refused")


def _sum(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> dict[str, int]:
    """Column totals of grouped rows (the rows are groups, never tickets)."""
    rows = list(rows)
    return {column: sum(row[column] for row in rows) for column in columns}


def _now(tickets: QuerySet[Ticket], today: datetime.date) -> tuple[NowFigures, dict[int, dict[str, Any]]]:
    """What is open right now: one pass over the open tickets, grouped by assignee (so the
    agents' open work comes with it)."""
    def due(days: int) -> datetime.date:
        return today + datetime.timedelta(days=days)

    counts: dict[str, Any] = {"open": Count("id")}
    counts |= {f"status_{status}": Count("id", filter=Q(status=status)) for status in OPEN}
    counts |= {f"level_{level}": Count("id", filter=Q(escalation_level=level)) for level in LEVELS}
    for code, lowest, highest in AGEING:
        window = Q()
        if lowest is not None:
            window &= Q(due_date__gte=due(lowest))
        if highest is not None:
            window &= Q(due_date__lte=due(highest))
        counts[f"ageing_{code}"] = Count("id", filter=window)
    counts["paused"] = Count("id", filter=Q(status__in=WAITING))
    groups = list(tickets.filter(status__in=OPEN).values(*ASSIGNEE).annotate(**counts).order_by())
    row = _sum(groups, counts)
    now = NowFigures(
        open=row["open"],
        by_status={status: row[f"status_{status}"] for status in OPEN},
        due_within_7_days=row["ageing_due_0_7"],
        overdue=sum(row[f"ageing_{code}"] for code, _low, high in AGEING if high is not None and high < 0),
        paused=row["paused"],
        unassigned=sum(group["open"] for group in groups if group["assignee_id"] is None),
        by_escalation_level={level: row[f"level_{level}"] for level in LEVELS},
        ageing={code: row[f"ageing_{code}"] for code, _low, _high in AGEING},
    )
    return now, {group["assignee_id"]: group for group in groups if group["assignee_id"]}


def _timeliness(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each answered ticket's answer date and its first due date (before any extension)."""
    return tickets.annotate(
        answered_on=TruncDate("resolved_at"),
        first_due=Coalesce("extension__previous_due_date", "due_date"),
    )


ON_TIME = Q(answered_on__lte=F("first_due"))
ON_TIME_EXTENDED = Q(answered_on__gt=F("first_due"), answered_on__lte=F("due_date"))
LATE = Q(answered_on__gt=F("due_date"))
ASSIGNEE = ("assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name")
ANSWERED_GROUPS = ("kind", "queue__name", *ASSIGNEE)


def _answered(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The tickets answered in the period, in one pass grouped by kind, queue and assignee: on
    time by the first due date, on time only thanks to the extension, or late; extended; refused."""
    return list(_timeliness(tickets).values(*ANSWERED_GROUPS).annotate(
        resolved=Count("id"), on_time=Count("id", filter=ON_TIME),
        on_time_extended=Count("id", filter=ON_TIME_EXTENDED), late=Count("id", filter=LATE),
        extended=Count("id", filter=Q(extension__isnull=False)),
        refused=Count("id", filter=Q(outcome=Outcome.REFUSED)),
    ).order_by())


def _received(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """What arrived in the period, in one pass grouped by week, kind and queue."""
    rows = (tickets.annotate(week=TruncWeek("received_at")).values("week", "kind", "queue__name")
            .annotate(received=Count("id")).order_by())
    return [{**row, "week": _as_date(row["week"])} for row in rows]


def _weekly(tickets: QuerySet[Ticket], moment: str) -> dict[datetime.date, int]:
    rows = (tickets.annotate(week=TruncWeek(moment)).values("week")
            .annotate(total=Count("id")).order_by())
    return {_as_date(row["week"]): row["total"] for row in rows}


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _spread(tickets: QuerySet[Ticket], days: str) -> Spread:
    """Median and 90th percentile from one query: how many tickets took each number of working
    days (a few hundred values at most), walked in rank order."""
    histogram = list(tickets.filter(**{f"{days}__isnull": False}).values_list(days)
                     .annotate(total=Count("id")).order_by(days))
    count = sum(total for _value, total in histogram)
    if not count:
        return Spread(0, None, None)

    def value_at(rank: int) -> int:
        seen = 0
        for value, total in histogram:
            seen += total
            if rank < seen:
                return int(value)
        raise AssertionError("rank beyond the count")  # pragma: no cover - ranks are below count

    def percentile(share: float) -> float:
        position = (count - 1) * share
        low, high = math.floor(position), math.ceil(position)
        below, above = value_at(low), value_at(high)
        return round(below + (position - low) * (above - below), 2)

    return Spread(count, percentile(PERCENTILES["median"]), percentile(PERCENTILES["p90"]))


def _escalations(scope: Q, first: datetime.datetime, after: datetime.datetime) -> Escalations:
    rows = (Escalation.objects.filter(scope, created_at__gte=first, created_at__lt=after)
            .values("level", "rule").annotate(total=Count("id")).order_by("level", "rule"))
    return Escalations(by_rule=tuple(EscalationCount(level=row["level"], rule=row["rule"], count=row["total"])
                                     for row in rows))


def _agents(answered: list[dict[str, Any]], open_now: dict[int, dict[str, Any]]) -> tuple[AgentFigures, ...]:
    """Each assignee's open tickets now, and what they answered in the period and how punctually."""
    names = {row["assignee_id"]: row for row in answered if row["assignee_id"]} | open_now
    result = [
        AgentFigures(
            agent=name["assignee__username"],
            name=f"{name['assignee__first_name']} {name['assignee__last_name']}".strip()
            or name["assignee__username"],
            open=open_now[pk]["open"] if pk in open_now else 0,
            **_sum((row for row in answered if row["assignee_id"] == pk), ANSWER_COUNTS),
        )
        for pk, name in names.items()
    ]
    return tuple(sorted(result, key=lambda row: row.agent))


def _breakdown(answered: list[dict[str, Any]], received: list[dict[str, Any]],
               key: str) -> tuple[Breakdown, ...]:
    """Per kind of request (or per queue): received and answered in the period, and how."""
    return tuple(
        Breakdown(key=value, received=sum(row["received"] for row in received if row[key] == value),
                  **_sum((row for row in answered if row[key] == value), ANSWER_COUNTS))
        for value in sorted({row[key] for row in answered} | {row[key] for row in received})
    )


def _satisfaction(scope: Q, first: datetime.datetime, after: datetime.datetime,
                  resolved: int) -> SatisfactionFigures:
    counts: dict[str, Any] = {"answers": Count("id"), "average": Avg("score")}
    counts |= {f"score_{score}": Count("id", filter=Q(score=score)) for score in SCORES}
    row = Satisfaction.objects.filter(
        scope, answered_at__gte=first, answered_at__lt=after,
    ).aggregate(**counts)
    return SatisfactionFigures(
        answers=row["answers"],
        average=round(row["average"], 2) if row["average"] is not None else None,
        by_score={score: row[f"score_{score}"] for score in SCORES},
        response_rate=_rate(row["answers"], resolved),
    )



@dataclass(frozen=True)
class PublicRecord:
    """What the public form tells every requester about the last twelve months (SPEC: Transparency)."""

    answered: int
    on_time_rate: float | None  # by the legal due date, an extension the law allows included
    answers: int
    satisfaction: float | None

    @property
    def on_time_percent(self) -> int:
        return round((self.on_time_rate or 0) * 100)


def public_record(today: datetime.date) -> PublicRecord | None:
    """The whole desk's record over the last 365 days, in two queries, cached for an hour; None
    while too few requests were answered for the figures to say nothing about anyone, and always
    when the organisation does not publish it (DESK_PUBLIC_RECORD off: no query at all)."""
    if not settings.DESK_PUBLIC_RECORD:
        return None

    def compute() -> PublicRecord | None:
        first, after = Period(today - datetime.timedelta(days=364), today).bounds()
        row = _timeliness(Ticket.objects.filter(resolved_at__gte=first, resolved_at__lt=after)).aggregate(
            answered=Count("id"), on_time=Count("id", filter=ON_TIME | ON_TIME_EXTENDED))
        if row["answered"] < settings.DESK_PUBLIC_RECORD_MINIMUM:
            return None
        rated = Satisfaction.objects.filter(answered_at__gte=first, answered_at__lt=after).aggregate(
            answers=Count("id"), average=Avg("score"))
        return PublicRecord(
            answered=row["answered"], on_time_rate=_rate(row["on_time"], row["answered"]),
            answers=rated["answers"],
            satisfaction=round(rated["average"], 1) if rated["answers"] >= settings.DESK_PUBLIC_RECORD_MINIMUM
            else None,
        )

    record: PublicRecord | None = cache.get_or_set(f"desk:public-record:{today.isoformat()}", compute, 3600)
    return record
