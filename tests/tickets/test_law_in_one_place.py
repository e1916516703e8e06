"""The deadline engine is the only source of legal knowledge (issue 17, §1).

For every law and every kind of request, the escalation sweep's extension reminder and the ticket
page's "Extend the deadline" agree with the engine's plan for that law and kind: both exist exactly
when the engine plans an extension notice, until its date. A copy of the law kept elsewhere (the
lists of "extendable" laws and kinds the sweep once read) drifts: it forgot Virginia's extension
notice and reminded a Californian objection, which no law lets the desk extend, to extend.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from notifications.models import Outbox
from tests.support.people import make_ticket, staff
from tickets.actions import available_actions
from tickets.choices import Regime
from tickets.deadlines import KINDS, LAWS, default_calendar, schedule_for
from tickets.escalation_rules import RULES_BY_NAME
from tickets.models import Escalation, Queue, Ticket
from tickets.regions import jurisdiction_for
from tickets.services.escalation import candidates, escalation_sweep

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)  # a Monday
# Where a requester lives, for each law (tickets/regions.py decides the law from it).
PLACES = {"gdpr": ("FI", ""), "uk_gdpr": ("GB", "SCT"), "ccpa": ("US", "CA"), "us_va": ("US", "VA"),
          "us_ct": ("US", "CT"), "us_co": ("US", "CO"), "us_ut": ("US", "UT"), "us_or": ("US", "OR"),
          "lgpd": ("BR", ""), "pipeda": ("CA", ""), "fadp": ("CH", "")}
EXTENSION_DECISION = RULES_BY_NAME["extension_decision"]


def planned_notice(law: str, kind: str, calendar: str) -> datetime.date | None:
    """The engine's own answer: the last day to tell the requester of an extension, if any."""
    notice = schedule_for(regime=law, kind=kind, received=RECEIVED.date(), calendar=calendar).get(
        "extension_notice")
    return None if notice is None else notice.due


def reminded(ticket: Ticket, day: datetime.date) -> bool:
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return candidates(EXTENSION_DECISION, today=day, now=now).filter(pk=ticket.pk).exists()


@pytest.fixture
def agent() -> Any:
    user = staff("agent")
    for queue in Queue.objects.all():
        queue.members.add(user)
    return user


def test_every_law_the_desk_knows_is_the_engines() -> None:
    assert set(PLACES) == set(LAWS) == set(Regime.values)
    for law, (country, region) in PLACES.items():
        found = jurisdiction_for(country=country, region=region, default_regime="gdpr",
                                 organisation_country="FI")
        assert found.regime == law
        # The calendar is the engine's for the law, but for a UK nation named by the requester.
        expected = f"GB-{region}" if law == "uk_gdpr" else default_calendar(law, "FI").code
        assert found.calendar == expected


@pytest.mark.parametrize("law", sorted(PLACES))
def test_reminders_and_the_extend_action_follow_the_engines_plan(law: str, agent: Any) -> None:
    country, region = PLACES[law]
    for kind in KINDS:
        ticket = make_ticket(kind=kind, country=country, region=region, received_at=RECEIVED)
        assert ticket.regime == law
        notice = planned_notice(law, kind, ticket.calendar)
        assert ticket.extension_notice_due == notice, (law, kind)

        day = notice or ticket.due_date  # the last day of the first period: a decision is due
        planned = notice is not None
        assert reminded(ticket, day) is planned, (law, kind, "reminder")
        assert available_actions(ticket, agent, today=day).allows("extend") is planned, (law, kind)

        after = day + datetime.timedelta(days=1)  # too late: the law allows no extension now
        assert not reminded(ticket, after), (law, kind)
        assert not available_actions(ticket, agent, today=after).allows("extend"), (law, kind)


@pytest.mark.parametrize(("law", "kind", "expected"), [
    ("us_va", "access", True),  # Virginia plans an extension notice (Va. Code § 59.1-578(A))
    ("ccpa", "objection", False),  # a Californian opt-out is never extended (11 CCR § 7026(f))
    ("gdpr", "opt_out", True),  # outside California an opt-out is an objection, extendable
])
def test_the_sweep_reminds_exactly_the_tickets_the_engine_plans_a_notice_for(
        law: str, kind: str, expected: bool, agent: Any) -> None:
    country, region = PLACES[law]
    ticket = make_ticket(kind=kind, country=country, region=region, received_at=RECEIVED)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, first_response_at=RECEIVED)
    day = ticket.extension_notice_due or ticket.due_date

    escalation_sweep(today=day, now=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))))

    rules = set(Escalation.objects.filter(ticket=ticket).values_list("rule", flat=True))
    assert ("extension_decision" in rules) is expected
    # The ticket is near its deadline either way: its agent hears of that.
    assert Outbox.objects.filter(dedupe_key=f"escalation:{ticket.pk}:due_soon:{agent.pk}").exists()
    reminder = Outbox.objects.filter(dedupe_key=f"escalation:{ticket.pk}:extension_decision:{agent.pk}")
    assert reminder.exists() is expected
