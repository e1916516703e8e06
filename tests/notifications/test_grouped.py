"""The in-app list grouped per rule and day, with the tickets listed (issue 16, item 18: a sweep told
a manager of forty tickets in forty lines, in stored English). Marked read one by one, a group at a
time or all, by plain forms; worded in the reader's language; its queries do not grow."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from notifications import selectors
from notifications.models import Notification
from tests.support.people import client_for, make_ticket, staff
from tickets.models import Ticket
from tickets.services.escalation import escalation_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> Any:
    return staff("boss", member_of=("requests",), manager_of=("requests",))


def overdue(count: int) -> list[Ticket]:
    return [make_ticket(received_at=timezone.now() - datetime.timedelta(days=60)) for _ in range(count)]


def notify(user: Any, ticket: Ticket | None, event: str, *, at: datetime.datetime | None = None,
           text: str = "stored English") -> Notification:
    made = Notification.objects.create(user=user, ticket=ticket, event=event, text=text,
                                       dedupe_key=f"{event}:{ticket.pk if ticket else 0}:{user.pk}:{at}")
    if at is not None:  # auto_now_add: moved afterwards
        Notification.objects.filter(pk=made.pk).update(created_at=at)
    return made


def groups_on(page: str) -> dict[str, list[str]]:
    """Each group's heading and the references it lists, in the page's order."""
    found = re.findall(r'<h3 id="group-[^"]+">(.*?)</h3>(.*?)</section>', page, re.DOTALL)
    return {title: re.findall(r'>(PD-\d{4}-\d{6})</a>', body) for title, body in found}


def unread(user: Any) -> set[int]:
    return set(Notification.objects.filter(user=user, read_at__isnull=True).values_list("id", flat=True))


def test_a_sweep_is_one_group_per_rule_with_its_tickets_listed(manager: Any) -> None:
    tickets = overdue(3)
    escalation_sweep()
    assert Notification.objects.filter(user=manager).count() >= 6  # one per ticket and rule

    page = client_for(manager).get("/staff/notifications/").content.decode()

    groups = groups_on(page)
    references = sorted(ticket.reference for ticket in tickets)
    assert {"Due soon", "Due today or overdue", "Unassigned too long"} <= set(groups)
    for title in ("Due soon", "Due today or overdue", "Unassigned too long"):
        assert sorted(groups[title]) == references
    assert page.count("<h2 id=\"day-") == 1
    assert "Today" in page
    assert "3 tickets, 3 new" in page
    assert "stored English" not in page and "is due soon" not in page  # never the stored text


def test_groups_are_per_day_newest_first(manager: Any) -> None:
    ticket = make_ticket()
    now = timezone.now()
    notify(manager, ticket, "escalation.due_soon", at=now)
    notify(manager, ticket, "escalation.due_soon", at=now - datetime.timedelta(days=3))
    notify(manager, ticket, "escalation.due_soon", at=now - datetime.timedelta(days=40))  # past the list

    groups = selectors.notification_groups(manager)

    assert [group.day for group in groups] == [timezone.localdate(now),
                                               timezone.localdate(now - datetime.timedelta(days=3))]
    assert all(group.total == 1 for group in groups)


@pytest.mark.parametrize(("language", "title", "count", "mark_all"), [
    ("fi", "Erääntyy pian", "2 tikettiä, 2 uutta", "Merkitse kaikki luetuiksi"),
    ("en", "Due soon", "2 tickets, 2 new", "Mark all as read"),
])
def test_the_list_speaks_its_readers_language(
    manager: Any, language: str, title: str, count: str, mark_all: str
) -> None:
    first, second = make_ticket(), make_ticket()
    notify(manager, first, "escalation.due_soon", text=f"{first.reference}: due soon")
    notify(manager, second, "escalation.due_soon", text=f"{second.reference}: due soon")
    notify(manager, None, "something.new")

    page = client_for(manager, HTTP_ACCEPT_LANGUAGE=language).get("/staff/notifications/").content.decode()

    assert f">{title}</h3>" in page
    assert count in page
    assert mark_all in page
    assert "due soon" not in page  # the stored English subject is not what is read
    assert "escalation." not in re.sub(r'data-event="[^"]*"|name="event" value="[^"]*"', "", page)
    if language == "fi":
        assert "Muut ilmoitukset" in page and "Tänään" in page and "Merkitse luetuksi" in page


def test_one_notification_is_marked_read_alone(manager: Any) -> None:
    ticket = make_ticket()
    one = notify(manager, ticket, "escalation.due_soon")
    other = notify(manager, ticket, "escalation.unassigned")
    colleague = staff("colleague", member_of=("requests",))
    theirs = notify(colleague, ticket, "escalation.due_soon")
    client = client_for(manager)

    response = client.post("/staff/notifications/read/", {"notification": one.pk})
    client.post("/staff/notifications/read/", {"notification": theirs.pk})  # not theirs to mark

    assert response.status_code == 302
    assert unread(manager) == {other.pk}
    assert unread(colleague) == {theirs.pk}
    page = client.get("/staff/notifications/").content.decode()
    assert f'name="notification" value="{one.pk}"' not in page  # nothing left to mark
    assert f'name="notification" value="{other.pk}"' in page


def test_a_group_is_marked_read_and_the_others_stay(manager: Any) -> None:
    tickets = [make_ticket() for _ in range(3)]
    now = timezone.now()
    soon = [notify(manager, ticket, "escalation.due_soon") for ticket in tickets]
    yesterday = notify(manager, tickets[0], "escalation.due_soon", at=now - datetime.timedelta(days=1))
    unassigned = notify(manager, tickets[0], "escalation.unassigned")

    client_for(manager).post("/staff/notifications/read/", {
        "event": "escalation.due_soon", "day": timezone.localdate(now).isoformat()})

    assert unread(manager) == {yesterday.pk, unassigned.pk}
    assert all(Notification.objects.get(pk=row.pk).read_at is not None for row in soon)


def test_all_are_marked_read(manager: Any) -> None:
    ticket = make_ticket()
    for event in ("escalation.due_soon", "escalation.unassigned", "escalation.due_today_or_overdue"):
        notify(manager, ticket, event)
    client = client_for(manager)

    client.post("/staff/notifications/read/")

    assert unread(manager) == set()
    page = client.get("/staff/notifications/").content.decode()
    assert "notifications-read-all" not in page and "Mark as read" not in page


@pytest.mark.parametrize("bad", [{"event": "escalation.due_soon"}, {"day": "2026-01-01"},
                                 {"notification": "x"}, {"day": "yesterday", "event": "x"},
                                 {"user": "1"}])
def test_a_malformed_request_says_so_and_marks_nothing(manager: Any, bad: dict[str, str]) -> None:
    notify(manager, make_ticket(), "escalation.due_soon")
    before = unread(manager)

    response = client_for(manager).post("/staff/notifications/read/", bad, follow=True)

    assert unread(manager) == before
    assert 'class="message message--error"' in response.content.decode()


def test_a_big_group_lists_its_newest_tickets_and_counts_the_rest(
    manager: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "TICKETS_PER_GROUP", 2)
    tickets = [make_ticket() for _ in range(3)]
    for ticket in tickets:
        notify(manager, ticket, "escalation.due_soon")

    page = client_for(manager).get("/staff/notifications/").content.decode()

    assert groups_on(page)["Due soon"] == [tickets[2].reference, tickets[1].reference]
    assert "And 1 more ticket." in page
    assert "3 tickets, 3 new" in page


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_makes_the_same_queries_at_1_and_40_notifications(
    manager: Any, count: int, django_assert_num_queries: Any
) -> None:
    tickets = [make_ticket() for _ in range(count)]
    for ticket in tickets:
        notify(manager, ticket, "escalation.due_today_or_overdue")
        notify(manager, ticket, "escalation.unassigned")
    client = client_for(manager)
    # session, user, the second factor's device, unread notifications (navigation), and the
    # notifications of the last days with their tickets, counted and cut per group (one SELECT)
    with django_assert_num_queries(5):
        page = client.get("/staff/notifications/").content.decode()
    assert len(groups_on(page)["Due today or overdue"]) == count
