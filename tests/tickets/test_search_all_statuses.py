"""A search names the tickets wanted: by reference or by the requester's whole email address it
finds every ticket the user may see, whatever its status (issue 16, item 8: "?q=PD-2026-000051"
said "No tickets match" for a resolved ticket). A status ticked still narrows it; the search
stays two index lookups and the page's queries do not grow."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.support.people import client_for, make_ticket, staff
from tickets import selectors, services
from tickets.lifecycle import Status
from tickets.models import Ticket
from tickets.staff_forms import QueueFilterForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> Any:
    return staff("agent", member_of=("requests",))


def finished(agent: Any, status: Status, **ticket: Any) -> Ticket:
    """A ticket taken through the services to a status the queue hides by default."""
    made = make_ticket(**ticket)
    if status in (Status.RESOLVED, Status.CLOSED):
        services.ticket_resolve(ticket_id=made.pk, actor=agent, outcome="fulfilled", body="Done.")
    if status == Status.CLOSED:
        services.ticket_close(ticket_id=made.pk, actor=agent, reason="")
    if status == Status.WITHDRAWN:
        services.ticket_resolve(ticket_id=made.pk, actor=agent, outcome="withdrawn", body="As asked.")
    if status == Status.REJECTED:
        services.ticket_reject(ticket_id=made.pk, actor=agent, reason="Unfounded.")
    made.refresh_from_db()
    assert made.status == status
    return made


def listed(page: Any) -> str:
    return page.content.decode()


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.WITHDRAWN, Status.REJECTED])
def test_a_reference_finds_the_ticket_whatever_its_status(agent: Any, status: Status) -> None:
    ticket = finished(agent, status)
    client = client_for(agent)

    assert f">{ticket.reference}</a>" not in listed(client.get("/staff/tickets/"))  # open ones only
    for typed in (ticket.reference, f"  {ticket.reference.lower()} "):
        page = listed(client.get("/staff/tickets/", {"q": typed}))
        assert f">{ticket.reference}</a>" in page, typed
        assert "No tickets match" not in page
    api = client_for(agent).get("/api/v1/tickets/", {"q": ticket.reference})
    assert [row["reference"] for row in api.json()["results"]] == [ticket.reference]


def test_an_email_finds_every_ticket_of_the_address_open_or_not(agent: Any) -> None:
    open_one = make_ticket()
    resolved = finished(agent, Status.RESOLVED)
    closed = finished(agent, Status.CLOSED)
    someone_else = services.ticket_create(
        kind="access", country="FI", region="", name="Other", email="other@example.org",
        description="Please.", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False).ticket

    page = listed(client_for(agent).get("/staff/tickets/", {"q": "RIKU@example.org"}))

    for ticket in (open_one, resolved, closed):
        assert f">{ticket.reference}</a>" in page
    assert f">{someone_else.reference}</a>" not in page


def test_a_ticked_status_still_narrows_the_search(agent: Any) -> None:
    resolved = finished(agent, Status.RESOLVED)
    client = client_for(agent)

    narrowed = listed(client.get("/staff/tickets/", {"q": resolved.reference, "status": "new"}))
    chosen = listed(client.get("/staff/tickets/", {"q": resolved.reference, "status": "resolved"}))

    assert f">{resolved.reference}</a>" not in narrowed
    assert "No tickets match" in narrowed
    assert f">{resolved.reference}</a>" in chosen


def test_the_search_never_reaches_past_the_users_queues(agent: Any) -> None:
    elsewhere = finished(agent, Status.RESOLVED, kind="complaint")  # the complaints queue
    outsider = staff("outsider", member_of=("complaints",))

    page = listed(client_for(agent).get("/staff/tickets/", {"q": elsewhere.reference}))

    assert f">{elsewhere.reference}</a>" not in page
    assert "No tickets match" in page
    found = listed(client_for(outsider).get("/staff/tickets/", {"q": elsewhere.reference}))
    assert f">{elsewhere.reference}</a>" in found


def test_without_a_search_the_queue_still_shows_open_tickets_only(agent: Any) -> None:
    form = QueueFilterForm({}, queues=selectors.queues_of(agent))
    searched = QueueFilterForm({"q": "PD-2026-000001"}, queues=selectors.queues_of(agent))

    assert set(form.to_filter().statuses) == {status.value for status in
                                              (Status.NEW, Status.AWAITING_VERIFICATION, Status.IN_PROGRESS,
                                               Status.AWAITING_REQUESTER)}
    assert searched.to_filter().statuses == ()  # no status filter at all


@pytest.mark.parametrize("matches", [1, 25])
def test_a_search_costs_the_queue_pages_queries_whatever_it_finds(
    agent: Any, matches: int, django_assert_num_queries: Any
) -> None:
    for _ in range(matches):
        finished(agent, Status.CLOSED, received_at=timezone.now() - datetime.timedelta(days=3))
    client = client_for(agent)
    # session, user, the second factor's device, queues for the filter, the page count, the page,
    # the status counts, unread notifications (navigation): as without a search
    with django_assert_num_queries(8):
        page = client.get("/staff/tickets/", {"q": "riku@example.org"})
    assert listed(page).count('class="ticket-link"') == matches


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_search_is_two_index_lookups_not_a_scan(agent: Any) -> None:
    ticket = finished(agent, Status.CLOSED)
    wanted = QueueFilterForm({"q": ticket.reference.lower()}, queues=selectors.queues_of(agent)).to_filter()
    found = selectors.ticket_queue(agent, wanted, today=datetime.date(2026, 1, 1))

    plan = found.explain()

    assert "UPPER" not in str(found.query)  # an UPPER(reference) would match no index
    assert "USING INDEX sqlite_autoindex_tickets_ticket_1 (reference=?)" in plan
    assert "USING INDEX ticket_requester_email_digest (requester_email_digest=?)" in plan
    assert "SCAN tickets_ticket" not in plan
    assert list(found) == [ticket]



def test_a_found_ticket_past_its_due_date_is_overdue_only_while_open(agent: Any) -> None:
    answered = finished(agent, Status.RESOLVED)
    still_open = make_ticket()  # the same requester (tests.support.people)
    past = timezone.localdate() - datetime.timedelta(days=3)
    Ticket.objects.filter(pk__in=[answered.pk, still_open.pk]).update(due_date=past)

    page = listed(client_for(agent).get("/staff/tickets/", {"q": "riku@example.org"}))

    assert f">{answered.reference}</a>" in page and f">{still_open.reference}</a>" in page
    rows = {reference: page.split(f">{reference}</a>")[0].rsplit("<tr", 1)[1]
            for reference in (answered.reference, still_open.reference)}
    assert "row--overdue" in rows[still_open.reference]
    assert "row--overdue" not in rows[answered.reference]
    assert page.count('class="overdue"') == 1
