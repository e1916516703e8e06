"""The manager's figures, asserted exactly on a known spread of tickets: period boundaries at
midnight in the organisation's zone (not UTC), on time by the first and by the extended due date,
working-day medians and 90th percentiles, per agent, per kind, escalations, satisfaction; the same
number of queries at 10 and 10,000 tickets; who may see them; the CSV files; the API's JSON and the
schema that describes it."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from tests.support.people import client_for, csv_rows
from tickets.lifecycle import Status
from tickets.models import Escalation, Extension, Queue, Satisfaction, Ticket
from tickets.selectors.metrics import (
    AgentFigures,
    Breakdown,
    Dashboard,
    EscalationCount,
    MetricsFilter,
    NowFigures,
    Period,
    SatisfactionFigures,
    Spread,
    Week,
    dashboard_figures,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.date(2026, 11, 23)  # a Monday
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 22))  # Sunday to Sunday


def local(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=HELSINKI)


def date(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def member(username: str, *queues: str, manages: tuple[str, ...] = (), **extra: Any) -> Any:
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-test-password",
                                    is_staff=True, **extra)
    for slug in queues:
        Queue.objects.get(slug=slug).members.add(user)
    for slug in manages:
        Queue.objects.get(slug=slug).managers.add(user)
    return user


_numbers = iter(range(1, 1_000_000))


OCTOBER_20 = local(10, 20)


def ticket(*, received: datetime.datetime = OCTOBER_20, due: datetime.date, status: str = "in_progress",
           queue: str = "requests", kind: str = "access", **fields: Any) -> Ticket:
    return Ticket.objects.create(
        reference=f"PD-T-{next(_numbers):06d}", kind=kind, regime="gdpr", calendar="FI", language="en",
        requester_name="Riku Requester", requester_email="riku@example.org", requester_country="FI",
        description="Please.", received_at=received, due_date=due, status=status,
        queue=Queue.objects.get(slug=queue), **fields,
    )


def resolved(*, at: datetime.datetime, days: int, **fields: Any) -> Ticket:
    fields.setdefault("outcome", "fulfilled")
    return ticket(status="resolved", resolved_at=at, resolution_days=days, **fields)


def escalate(target: Ticket, rule: str, level: int, at: datetime.datetime) -> None:
    row = Escalation.objects.create(ticket=target, rule=rule, level=level, due_date=target.due_date)
    Escalation.objects.filter(pk=row.pk).update(created_at=at)  # auto_now_add: set it afterwards


def extend(target: Ticket, previous: datetime.date) -> None:
    Extension.objects.create(ticket=target, notified_at=local(10, 30), reason="many systems",
                             previous_due_date=previous, new_due_date=target.due_date)


def rate(score: int, target: Ticket, at: datetime.datetime) -> None:
    Satisfaction.objects.create(ticket=target, score=score, answered_at=at)


@pytest.fixture
def spread() -> dict[str, Any]:
    """A known spread over the requests queue, plus look-alikes that must not count: another
    queue's tickets, and tickets a minute either side of the period's midnights."""
    agent, agent2 = member("agent", "requests"), member("agent2", "requests")
    boss = member("boss", "requests", manages=("requests",))
    # Open now (today 23 Nov): due date, status, assignee, level.
    o1 = ticket(received=local(11, 1, 0, 10), due=date(11, 23), status="new")  # received in the period
    o2 = ticket(due=date(11, 30), assignee=agent, escalation_level=1,
                first_response_at=local(11, 20), first_response_days=2)
    ticket(due=date(12, 1), assignee=agent, first_response_at=local(10, 21), first_response_days=1)
    ticket(received=local(11, 22, 23, 59), due=date(12, 23), status="awaiting_requester", assignee=agent,
           kind="complaint")
    ticket(received=local(11, 16, 9), due=date(12, 24), kind="erasure")
    o6 = ticket(due=date(11, 22), assignee=agent, escalation_level=2,
                first_response_at=local(11, 23, 0, 30), first_response_days=50)  # just after the period
    ticket(received=local(10, 31, 23, 50), due=date(11, 16), status="new", escalation_level=2)
    o8 = ticket(due=date(11, 15), assignee=agent, escalation_level=3)
    ticket(due=date(11, 9), status="awaiting_verification", assignee=agent)
    o10 = ticket(due=date(11, 8), assignee=agent, escalation_level=3)
    # Answered in the period (1 Nov 00:00 to 23 Nov 00:00, Helsinki).
    r1 = resolved(received=local(10, 27), at=local(11, 1, 0, 30), days=3, due=date(11, 20), assignee=agent,
                  first_response_at=local(11, 1, 0, 30), first_response_days=3)
    # Answered at 00:30 on 10 Nov in Helsinki, 9 Nov in UTC: a day late, not on time.
    r2 = resolved(received=local(10, 12), at=local(11, 10, 0, 30), days=20, due=date(11, 9),
                  kind="erasure", outcome="refused", assignee=agent, first_response_at=local(11, 2, 10),
                  first_response_days=1)
    r3 = resolved(received=local(10, 1), at=local(11, 9, 0, 30), days=30, due=date(12, 5), assignee=agent2,
                  first_response_at=local(10, 15), first_response_days=2)
    extend(r3, previous=date(11, 5))  # answered after the first due date, by the extended one
    r4 = resolved(received=local(10, 5), at=local(11, 15, 23, 30), days=10, due=date(12, 20), assignee=agent2,
                  outcome="partly_fulfilled", first_response_at=local(11, 3), first_response_days=5)
    extend(r4, previous=date(11, 20))  # extended, yet answered by the first due date
    r5 = resolved(received=local(11, 2, 10), at=local(11, 22, 23, 30), days=7, due=date(11, 22),
                  kind="complaint", assignee=agent, first_response_at=local(11, 22, 23, 30),
                  first_response_days=7)
    # Answered just outside the period, and in a queue the manager does not manage.
    resolved(at=local(11, 23, 0, 30), days=100, due=date(11, 30), assignee=agent)
    resolved(at=local(10, 31, 23, 30), days=200, due=date(11, 30), assignee=agent)
    other = resolved(queue="complaints", received=local(11, 5), at=local(11, 6), days=500, due=date(11, 1),
                     first_response_at=local(11, 6), first_response_days=500)
    ticket(queue="complaints", due=date(11, 1), status="new")
    # Escalations: four in the period, one at each level; two outside.
    escalate(o1, "unassigned", 0, local(11, 5))
    escalate(o2, "due_soon", 1, local(11, 20))
    escalate(o6, "due_today_or_overdue", 2, local(11, 22, 23, 30))
    escalate(o6, "due_soon", 1, local(10, 30))
    escalate(o8, "overdue_past_margin", 3, local(11, 10))
    escalate(o10, "overdue_past_margin", 3, local(11, 23, 0, 30))
    escalate(other, "due_soon", 1, local(11, 5))
    # Satisfaction: three answers in the period.
    rate(5, r1, local(11, 2))
    rate(1, r2, local(11, 11))
    rate(4, r3, local(11, 23, 0, 30))
    rate(4, r4, local(11, 16))
    rate(1, other, local(11, 7))
    return {"boss": boss, "agent": agent, "r5": r5}


def figures(user: Any, **filters: Any) -> Dashboard:
    return dashboard_figures(user, MetricsFilter(period=NOVEMBER, **filters), today=TODAY)


def test_what_is_open_now(spread: dict[str, Any]) -> None:
    now = figures(spread["boss"]).now

    assert now == NowFigures(
        open=10,
        by_status={Status.AWAITING_REQUESTER: 1, Status.AWAITING_VERIFICATION: 1, Status.IN_PROGRESS: 6,
                   Status.NEW: 2},
        due_within_7_days=2,
        overdue=5,
        paused=2,
        unassigned=3,
        by_escalation_level={0: 5, 1: 1, 2: 2, 3: 2},
        ageing={"overdue_15_plus": 1, "overdue_8_14": 2, "overdue_1_7": 2, "due_0_7": 2,
                "due_8_14": 1, "due_15_30": 1, "due_31_plus": 1},
    )


def test_the_period_counts_from_midnight_to_midnight_in_helsinki(spread: dict[str, Any]) -> None:
    period = figures(spread["boss"]).over_period

    assert period.received == 4  # 1 Nov 00:10 counts, 31 Oct 23:50 does not
    assert period.weekly == (
        Week(week=date(10, 26), received=1, resolved=1),  # Sunday 1 November
        Week(week=date(11, 2), received=1, resolved=0),
        # Monday 9 Nov 00:30 in Helsinki is still Sunday in UTC: it belongs to this week.
        Week(week=date(11, 9), received=0, resolved=3),
        Week(week=date(11, 16), received=2, resolved=1),
    )


def test_deadlines_kept_first_due_date_extended_and_late(spread: dict[str, Any]) -> None:
    period = figures(spread["boss"]).over_period

    assert (period.resolved, period.on_time, period.on_time_extended, period.late, period.extended,
            period.refused) == (5, 3, 1, 1, 2, 1)
    assert (period.on_time_rate, period.on_time_extended_rate, period.late_rate, period.extension_rate,
            period.refusal_rate) == (0.6, 0.2, 0.2, 0.4, 0.2)


def test_working_day_medians_and_90th_percentiles(spread: dict[str, Any]) -> None:
    period = figures(spread["boss"]).over_period

    # First responses in the period took 1, 2, 3, 5 and 7 working days; resolutions 3, 7, 10, 20
    # and 30. The 90th percentile lies 0.6 of the way from the 4th value to the 5th.
    assert period.first_response_days == Spread(count=5, median=3, p90=6.2)
    assert period.resolution_days == Spread(count=5, median=10, p90=26.0)


def test_an_even_count_takes_the_mean_of_the_middle_two() -> None:
    boss = member("boss", manages=("requests",))
    for days in (2, 3, 8, 11):
        resolved(at=local(11, 5), days=days, due=date(11, 30))

    assert figures(boss).over_period.resolution_days == Spread(count=4, median=5.5, p90=10.1)


def test_nothing_answered_has_no_rates() -> None:
    period = figures(member("boss", manages=("requests",))).over_period

    assert (period.resolved, period.on_time_rate, period.late_rate, period.refusal_rate) == (
        0, None, None, None)
    assert period.resolution_days == Spread(count=0, median=None, p90=None)
    assert period.satisfaction == SatisfactionFigures(answers=0, average=None, response_rate=None,
                                                      by_score={1: 0, 2: 0, 3: 0, 4: 0, 5: 0})


def test_escalations_agents_kinds_queues_and_satisfaction(spread: dict[str, Any]) -> None:
    period = figures(spread["boss"]).over_period

    assert period.escalations.by_rule == (
        EscalationCount(level=0, rule="unassigned", count=1),
        EscalationCount(level=1, rule="due_soon", count=1),
        EscalationCount(level=2, rule="due_today_or_overdue", count=1),
        EscalationCount(level=3, rule="overdue_past_margin", count=1),
    )
    assert (period.escalations.by_level, period.escalations.total) == ({0: 1, 1: 1, 2: 1, 3: 1}, 4)
    assert period.agents == (
        AgentFigures(agent="agent", name="agent", open=7, resolved=3, on_time=2, on_time_extended=0, late=1,
                     extended=0, refused=1),
        AgentFigures(agent="agent2", name="agent2", open=0, resolved=2, on_time=1, on_time_extended=1, late=0,
                     extended=2, refused=0),
    )
    assert [agent.on_time_rate for agent in period.agents] == [0.6667, 0.5]
    assert period.kinds == (
        Breakdown(key="access", received=1, resolved=3, on_time=2, on_time_extended=1, late=0, extended=2,
                  refused=0),
        Breakdown(key="complaint", received=2, resolved=1, on_time=1, on_time_extended=0, late=0, extended=0,
                  refused=0),
        Breakdown(key="erasure", received=1, resolved=1, on_time=0, on_time_extended=0, late=1, extended=0,
                  refused=1),
    )
    assert [kind.on_time_rate for kind in period.kinds] == [0.6667, 1.0, 0.0]
    assert period.queues == (
        Breakdown(key="Data subject requests", received=4, resolved=5, on_time=3, on_time_extended=1, late=1,
                  extended=2, refused=1),
    )
    assert period.satisfaction == SatisfactionFigures(
        answers=3, average=3.33, by_score={1: 1, 2: 0, 3: 0, 4: 1, 5: 1}, response_rate=0.6)


def test_filters_narrow_every_figure(spread: dict[str, Any]) -> None:
    access = figures(spread["boss"], kind="access")
    erasure = figures(spread["boss"], kind="erasure", regime="gdpr")

    access_period, erasure_period = access.over_period, erasure.over_period
    assert (access.now.open, access_period.resolved, access_period.received) == (8, 3, 1)
    assert (erasure.now.open, erasure_period.late, erasure_period.refused) == (1, 1, 1)
    assert erasure_period.satisfaction.answers == 1
    assert figures(spread["boss"], regime="ccpa").now.open == 0


def test_a_manager_sees_only_the_queues_they_manage_and_an_administrator_all(spread: dict[str, Any]) -> None:
    admin = member("root", is_superuser=True)
    complaints = Queue.objects.get(slug="complaints")

    assert figures(spread["boss"], queue_id=complaints.pk).now.open == 0  # not theirs
    everything = figures(admin)
    assert everything.now.open == 11
    assert everything.over_period.resolution_days.count == 6
    # Every queue and no filter: the escalations and answers of every ticket, read without a join.
    assert everything.over_period.escalations.total == 5
    assert everything.over_period.satisfaction.answers == 4
    assert figures(admin, kind="access").over_period.satisfaction.answers == 3  # r1, r4, other
    assert figures(admin, queue_id=complaints.pk).over_period.resolved == 1


# --- The pages, the CSV files and the API ------------------------------------------------------

NOVEMBER_QUERY = "start=2026-11-01&end=2026-11-22"


@pytest.fixture
def in_helsinki_on_the_23rd() -> Any:
    with time_machine.travel(local(11, 23, 12), tick=False):
        yield


# The metrics API's answer for the spread: the JSON shape clients rely on, written out in full.
_BREAKDOWN_ZEROS = {"on_time_extended": 0, "late": 0, "extended": 0, "refused": 0}
API_NOVEMBER = {
    "period": {"start": "2026-11-01", "end": "2026-11-22", "time_zone": "Europe/Helsinki"},
    "filters": {"queue": None, "kind": "", "regime": ""},
    "today": "2026-11-23",
    "now": {
        "open": 10,
        "by_status": {"awaiting_requester": 1, "awaiting_verification": 1, "in_progress": 6, "new": 2},
        "due_within_7_days": 2, "overdue": 5, "paused": 2, "unassigned": 3,
        "by_escalation_level": {"0": 5, "1": 1, "2": 2, "3": 2},
        "ageing": {"overdue_15_plus": 1, "overdue_8_14": 2, "overdue_1_7": 2, "due_0_7": 2, "due_8_14": 1,
                   "due_15_30": 1, "due_31_plus": 1},
    },
    "over_period": {
        "received": 4, "resolved": 5, "on_time": 3, "on_time_extended": 1, "late": 1, "extended": 2,
        "refused": 1, "on_time_rate": 0.6, "on_time_extended_rate": 0.2, "late_rate": 0.2,
        "extension_rate": 0.4, "refusal_rate": 0.2,
        "weekly": [{"week": "2026-10-26", "received": 1, "resolved": 1},
                   {"week": "2026-11-02", "received": 1, "resolved": 0},
                   {"week": "2026-11-09", "received": 0, "resolved": 3},
                   {"week": "2026-11-16", "received": 2, "resolved": 1}],
        "first_response_days": {"count": 5, "median": 3.0, "p90": 6.2},
        "resolution_days": {"count": 5, "median": 10.0, "p90": 26.0},
        "escalations": {
            "by_level": {"0": 1, "1": 1, "2": 1, "3": 1},
            "by_rule": [{"level": 0, "rule": "unassigned", "count": 1},
                        {"level": 1, "rule": "due_soon", "count": 1},
                        {"level": 2, "rule": "due_today_or_overdue", "count": 1},
                        {"level": 3, "rule": "overdue_past_margin", "count": 1}],
            "total": 4,
        },
        "agents": [{"agent": "agent", "name": "agent", "open": 7, "resolved": 3, "on_time": 2,
                    "on_time_extended": 0, "on_time_rate": 0.6667},
                   {"agent": "agent2", "name": "agent2", "open": 0, "resolved": 2, "on_time": 1,
                    "on_time_extended": 1, "on_time_rate": 0.5}],
        "kinds": [{**_BREAKDOWN_ZEROS, "key": "access", "received": 1, "resolved": 3, "on_time": 2,
                   "on_time_extended": 1, "extended": 2, "on_time_rate": 0.6667},
                  {**_BREAKDOWN_ZEROS, "key": "complaint", "received": 2, "resolved": 1, "on_time": 1,
                   "on_time_rate": 1.0},
                  {**_BREAKDOWN_ZEROS, "key": "erasure", "received": 1, "resolved": 1, "on_time": 0,
                   "late": 1, "refused": 1, "on_time_rate": 0.0}],
        "queues": [{"key": "Data subject requests", "received": 4, "resolved": 5, "on_time": 3,
                    "on_time_extended": 1, "late": 1, "extended": 2, "refused": 1, "on_time_rate": 0.6}],
        "satisfaction": {"answers": 3, "average": 3.33, "by_score": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1},
                         "response_rate": 0.6},
    },
}


JSON_TYPES: dict[str, Any] = {"integer": int, "number": (int, float), "string": str, "boolean": bool}


def described_by(value: Any, schema: dict[str, Any], components: dict[str, Any], at: str = "") -> list[str]:
    """Where a JSON value strays from its OpenAPI schema: an object whose keys are not the schema's
    properties, a required key missing, a value not of the schema's type."""
    if "$ref" in schema:
        return described_by(value, components[schema["$ref"].rsplit("/", 1)[1]], components, at)
    if value is None:
        return [] if schema.get("nullable") else [f"{at}: null"]
    kind, problems = schema["type"], []
    if kind == "object" and "properties" in schema:
        properties = schema["properties"]
        if set(value) != set(properties):
            problems.append(f"{at}: keys {sorted(value)} are not {sorted(properties)}")
        problems += [f"{at}.{key}: required" for key in schema.get("required", ()) if key not in value]
        items = [(f"{at}.{key}", item, properties[key]) for key, item in value.items() if key in properties]
    elif kind == "object":
        items = [(f"{at}.{key}", item, schema["additionalProperties"]) for key, item in value.items()]
    elif kind == "array":
        items = [(f"{at}[{index}]", item, schema["items"]) for index, item in enumerate(value)]
    else:
        wrong = not isinstance(value, JSON_TYPES[kind]) or (kind != "boolean" and isinstance(value, bool))
        return [f"{at}: {value!r} is not {kind}"] if wrong else []
    return problems + [problem for where, item, inner in items
                       for problem in described_by(item, inner, components, where)]


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_the_page_the_api_and_the_csv_show_the_same_figures(spread: dict[str, Any]) -> None:
    client = client_for(spread["boss"])

    page = client.get(f"/staff/dashboard/?{NOVEMBER_QUERY}")
    api = client.get(f"/api/v1/metrics/?{NOVEMBER_QUERY}")
    weekly = client.get(f"/staff/dashboard/weekly.csv?{NOVEMBER_QUERY}")

    assert page.status_code == api.status_code == weekly.status_code == 200
    assert api.json() == API_NOVEMBER
    rows = csv_rows(weekly)
    assert rows == [["Week starting", "Received", "Answered"], ["2026-10-26", "1", "1"],
                    ["2026-11-02", "1", "0"], ["2026-11-09", "0", "3"], ["2026-11-16", "2", "1"]]
    assert weekly["Content-Disposition"] == 'attachment; filename="dashboard-weekly-20261101-20261122.csv"'
    html = page.content.decode()
    assert "Overdue by 8–14 days" in html and 'id="table-agents"' in html
    # The charts' bars are drawn at the table's proportions: 3 of 3 and 1 of 3 resolved per week.
    assert 'width="100"' in html and 'width="33.33"' in html


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_the_api_answers_as_its_published_schema_describes(spread: dict[str, Any]) -> None:
    client = client_for(spread["boss"])

    schema = client.get("/api/schema/?format=json").json()
    answer = client.get(f"/api/v1/metrics/?{NOVEMBER_QUERY}").json()

    response = schema["paths"]["/api/v1/metrics/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert described_by(answer, response["schema"], schema["components"]["schemas"]) == []
    # The check finds a stray key, a missing one and a wrong type.
    answer["now"]["stray"], answer["over_period"]["agents"][0]["open"] = 1, "7"
    del answer["over_period"]["satisfaction"]["average"]
    assert described_by(answer, response["schema"], schema["components"]["schemas"]) == [
        ".now: keys ['ageing', 'by_escalation_level', 'by_status', 'due_within_7_days', 'open', 'overdue', "
        "'paused', 'stray', 'unassigned'] are not ['ageing', 'by_escalation_level', 'by_status', "
        "'due_within_7_days', 'open', 'overdue', 'paused', 'unassigned']",
        ".over_period.agents[0].open: '7' is not integer",
        ".over_period.satisfaction: keys ['answers', 'by_score', 'response_rate'] are not "
        "['answers', 'average', 'by_score', 'response_rate']",
        ".over_period.satisfaction.average: required",
    ]


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
@pytest.mark.parametrize("table", ["status", "ageing", "levels", "weekly", "timeliness", "response_times",
                                   "escalations", "agents", "kinds", "queues", "satisfaction"])
def test_every_dashboard_table_downloads_as_csv(spread: dict[str, Any], table: str) -> None:
    response = client_for(spread["boss"]).get(f"/staff/dashboard/{table}.csv?{NOVEMBER_QUERY}")

    rows = csv_rows(response)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_a_name_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(spread: dict[str, Any]) -> None:
    User.objects.filter(username="agent").update(first_name="=HYPERLINK(\"http://evil.example\")")

    response = client_for(spread["boss"]).get(f"/staff/dashboard/agents.csv?{NOVEMBER_QUERY}")

    rows = csv_rows(response)
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.example\")"


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
@pytest.mark.parametrize(("query", "message"), [
    ("start=2026-11-22&end=2026-11-01", "The last day must not be before the first day."),
    ("start=2000-01-01&end=2026-11-01", "Choose a period of at most ten years."),
    ("start=yesterday", "Enter a valid date."),
    ("queue=999999", "Select a valid choice."),
    ("kind=everything", "Select a valid choice."),
])
def test_a_bad_period_or_filter_is_refused_with_a_message(
    spread: dict[str, Any], query: str, message: str
) -> None:
    client = client_for(spread["boss"])

    page = client.get(f"/staff/dashboard/?{query}")
    api = client.get(f"/api/v1/metrics/?{query}")
    table = client.get(f"/staff/dashboard/weekly.csv?{query}")

    assert (page.status_code, api.status_code, table.status_code) == (400, 400, 400)
    assert message in page.content.decode() and message in str(api.json()["errors"])


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_the_error_is_in_the_users_language(spread: dict[str, Any]) -> None:
    client = client_for(spread["boss"])

    page = client.get("/staff/dashboard/?start=2026-11-22&end=2026-11-01", headers={"accept-language": "fi"})

    assert page.status_code == 400 and 'lang="fi"' in page.content.decode()
    assert "The last day must not be before the first day." not in page.content.decode()


@pytest.mark.parametrize(("persona", "page", "api"), [
    ("agent", 404, 403), ("no_queue", 404, 403), ("anonymous", 302, 403), ("boss", 200, 200),
])
def test_only_managers_and_administrators_see_the_figures(
    spread: dict[str, Any], persona: str, page: int, api: int
) -> None:
    users = {"agent": spread["agent"], "boss": spread["boss"], "no_queue": member("nobody")}
    client = client_for(users[persona]) if persona in users else Client()

    responses = [client.get(url).status_code for url in (
        "/staff/dashboard/", "/staff/dashboard/weekly.csv", "/staff/reports/monthly/")]

    assert responses == [page, page, page]
    assert client.get("/api/v1/metrics/").status_code in {api, 401}


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_the_monthly_report_is_the_whole_month(spread: dict[str, Any]) -> None:
    client = client_for(spread["boss"])

    last_month = client.get("/staff/reports/monthly/")  # on 23 Nov: October
    november = client.get("/staff/reports/monthly/?month=2026-11")
    wrong = client.get("/staff/reports/monthly/?month=2026-13")

    assert last_month.context["figures"].filter.period == Period(date(10, 1), date(10, 31))
    assert november.context["figures"].filter.period == Period(date(11, 1), date(11, 30))
    # November as a whole also holds the answer given at 00:30 on the 23rd.
    assert november.context["period"].resolved == 6
    assert wrong.status_code == 400 and "Write the month as year-month" in wrong.content.decode()


# --- A fixed number of queries -----------------------------------------------------------------

def bulk(count: int, agent: Any) -> None:
    """`count` tickets of every state: open, answered in November (a third of them extended
    and rated), escalated."""
    queue = Queue.objects.get(slug="requests")
    rows = []
    for number in range(count):
        answered = number % 2 == 0
        rows.append(Ticket(
            reference=f"PD-B-{number:06d}", kind=("access", "erasure", "complaint")[number % 3],
            regime="gdpr", calendar="FI", language="fi", requester_name="B", requester_email="b@example.org",
            requester_country="FI", description="b", received_at=local(11, 1 + number % 20),
            due_date=date(11, 1 + number % 29), queue=queue, assignee=agent if number % 4 else None,
            status="resolved" if answered else "in_progress", escalation_level=number % 4,
            first_response_at=local(11, 2 + number % 20), first_response_days=number % 7,
            resolved_at=local(11, 3 + number % 19) if answered else None,
            resolution_days=number % 23 if answered else None,
        ))
    Ticket.objects.bulk_create(rows, batch_size=2_000)
    tickets = list(Ticket.objects.filter(reference__startswith="PD-B-", status="resolved")
                   .values_list("pk", "due_date"))
    Extension.objects.bulk_create([
        Extension(ticket_id=pk, notified_at=local(11, 1), reason="r", previous_due_date=due, new_due_date=due)
        for pk, due in tickets[::3]])
    Satisfaction.objects.bulk_create([
        Satisfaction(ticket_id=pk, score=1 + pk % 5, answered_at=local(11, 10)) for pk, _due in tickets[::3]])
    Escalation.objects.bulk_create([
        Escalation(ticket_id=pk, rule="due_soon", level=1, due_date=due) for pk, due in tickets[::5]])


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
@pytest.mark.parametrize("count", [10, 10_000])
def test_the_dashboard_makes_the_same_queries_at_10_and_10000_tickets(
    count: int, django_assert_num_queries: Any
) -> None:
    agent = member("agent", "requests")
    boss = member("boss", "requests", manages=("requests",))
    bulk(count, agent)
    client = client_for(boss)
    # session, user, the second factor's device, may see the dashboard, the queues in scope; then the figures:
    # open now (by assignee), answered (by kind, queue and assignee), received (by week, kind and queue),
    # answered per week, first responses and resolutions (one histogram each), escalations, satisfaction; the
    # navigation and the form's queue choices.
    with django_assert_num_queries(15):
        assert client.get(f"/staff/dashboard/?{NOVEMBER_QUERY}").status_code == 200
    # The API: the same figures without the page's choices and navigation.
    with django_assert_num_queries(13):
        assert client.get(f"/api/v1/metrics/?{NOVEMBER_QUERY}").status_code == 200


# --- The public record (SPEC: Transparency) ----------------------------------------------------

@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_the_public_form_tells_the_last_twelve_months_record(settings: Any) -> None:
    settings.DESK_PUBLIC_RECORD_MINIMUM = 4
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    answers = []
    for number, (day, due) in enumerate([(date(11, 2), date(11, 5)), (date(6, 1), date(6, 1)),
                                         (date(3, 1), date(2, 1)), (date(1, 5), date(1, 10))]):
        queue = ("requests", "complaints")[number % 2]  # the whole desk's record, every queue
        answers.append(resolved(at=local(day.month, day.day), days=1, due=due, queue=queue))
    resolved(at=datetime.datetime(2025, 11, 23, 12, tzinfo=HELSINKI), days=1, due=date(1, 1))  # 366 days ago
    for score, target in zip((5, 4, 4, 2), answers, strict=True):
        rate(score, target, local(11, 2))

    text = Client().get("/").content.decode()

    # Three of the four answered by their due date; 15 / 4 = 3.75, shown as 3.8.
    assert "we answered 4 requests, 75 % of them by the date the law sets" in text
    assert "People rated how we treated them 3.8 out of 5 on average (4 answers)" in text


@pytest.mark.usefixtures("in_helsinki_on_the_23rd")
def test_too_few_answers_are_not_published(settings: Any) -> None:
    settings.DESK_PUBLIC_RECORD_MINIMUM = 4
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _ in range(3):
        rate(5, resolved(at=local(11, 2), days=1, due=date(11, 5)), local(11, 2))

    assert 'id="public-record"' not in Client().get("/").content.decode()
