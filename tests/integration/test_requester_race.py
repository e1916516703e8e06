"""A requester's messages racing each other or a member of staff, on PostgreSQL (issue 16, item 7):
the ended request is locked, and then its follow-up, so messages at once open exactly one
follow-up; a message and a staff close on an answered request end as exactly one of "reopened"
(the close is refused) or "closed, then followed up", whatever the interleaving."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Outbox
from tests.conftest import unavailable
from tests.support.concurrency import in_parallel
from tests.support.people import staff
from tests.support.services import wait_until
from tickets import services
from tickets.errors import Refusal
from tickets.lifecycle import Status
from tickets.models import Message, Ticket
from tickets.services.intake import Delivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARALLEL = 6
ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        unavailable("the requester races need DATABASE_URL pointing at PostgreSQL")


@pytest.fixture(autouse=True)
def _emails_delivered(_postgresql: None, celery_worker: Any) -> Iterator[None]:
    """The staff alerts these races queue are delivered by the session's worker before the test
    ends: the database is emptied after each test, and emptying it while the worker is still
    delivering deadlocks (the flush and the worker lock the tables in different orders)."""
    yield
    wait_until(lambda: not Outbox.objects.filter(state__in=("pending", "sending")).exists(),
               what="the queued emails to be delivered")


def answered(agent: Any, number: int) -> Ticket:
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Race", email=f"race{number}@example.org",
        description="Haluan nähdä tietoni.", language="fi", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False).ticket
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Tässä ovat tietosi.")
    return Ticket.objects.get(pk=ticket.pk)


def test_messages_at_once_on_an_ended_request_open_exactly_one_follow_up() -> None:
    agent = staff("race-agent", member_of=("requests",))
    ticket = answered(agent, 0)
    services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")

    def write(number: int) -> Delivery:
        return services.ticket_add_requester_message(
            ticket=ticket, body=f"Message {number}.", attachment=None).delivery

    deliveries = in_parallel(write, PARALLEL)

    assert sorted(deliveries) == sorted([Delivery.FOLLOW_UP] + [Delivery.ADDED] * (PARALLEL - 1))
    follow_up = Ticket.objects.get(follow_up_of=ticket)
    bodies = {follow_up.description, *Message.objects.filter(ticket=follow_up).values_list("body", flat=True)}
    assert bodies == {f"Message {number}." for number in range(PARALLEL)}  # none lost
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    assert not Ticket.objects.filter(follow_up_of=follow_up).exists()


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_a_message_racing_a_staff_close_ends_in_exactly_one_reopen_or_one_follow_up(
    round_number: int,
) -> None:
    agent = staff(f"closer-{round_number}", member_of=("requests",))
    ticket = answered(agent, round_number)

    def act(number: int) -> str:
        if number == 0:
            return services.ticket_add_requester_message(
                ticket=ticket, body="One more thing.", attachment=None).delivery
        try:
            services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
        except Refusal:
            return "close refused"
        return "closed"

    outcome = set(in_parallel(act, 2))

    ticket = Ticket.objects.get(pk=ticket.pk)
    follow_ups = Ticket.objects.filter(follow_up_of=ticket)
    if outcome == {Delivery.REOPENED, "close refused"}:
        # The message came first: the request is open again, and an open request cannot be closed.
        assert ticket.status == Status.IN_PROGRESS
        assert follow_ups.count() == 0
        assert Message.objects.filter(ticket=ticket, kind="requester").count() == 1
    else:
        assert outcome == {"closed", Delivery.FOLLOW_UP}
        assert ticket.status == Status.CLOSED
        assert follow_ups.count() == 1
        assert follow_ups.get().description == "One more thing."
        assert not Message.objects.filter(ticket=ticket, kind="requester").exists()
