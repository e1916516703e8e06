"""The escalation sweep's PostgreSQL-only query shapes give what the portable ones give."""

from __future__ import annotations

import pytest

from tests.support.people import make_ticket, staff
from tickets import services
from tickets.lifecycle import Status
from tickets.models import Ticket
from tickets.services.escalation import RUNNING_STATUSES, calendars_in_use

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_calendars_in_use_are_those_of_running_tickets() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("this test runs on PostgreSQL (make test-integration)")
    running = [make_ticket(country=country, region=region) for country, region in
               [("FI", ""), ("FI", ""), ("SE", ""), ("GB", "SCT"), ("US", "CA")]]
    agent = staff("agent", member_of=("requests",))
    only_closed = make_ticket(country="DE")
    services.ticket_reject(ticket_id=only_closed.pk, actor=agent, reason="spam")
    paused = make_ticket(country="FR")
    services.ticket_request_information(ticket_id=paused.pk, actor=agent, kind="identity", body="ID?")

    found = calendars_in_use()

    portable = sorted(set(Ticket.objects.filter(status__in=RUNNING_STATUSES)
                          .values_list("calendar", flat=True)))
    assert found == portable
    assert found == sorted({ticket.calendar for ticket in running})
    assert Ticket.objects.get(pk=only_closed.pk).status == Status.REJECTED.value
