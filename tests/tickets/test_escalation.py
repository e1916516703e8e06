"""The escalation sweep: each rule once per ticket, one outbox row per recipient per level, a history
entry saying so, nothing for a paused clock, and a cost that follows the batches, not the tickets."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification, Outbox
from tests.support.people import client_for, make_ticket, staff
from tickets import services
from tickets.models import Escalation, Queue, Ticket
from tickets.services.escalation import escalation_sweep

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)  # a Monday
NOW = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def desk() -> dict[str, Any]:
    agent = staff("agent", member_of=("requests",))
    manager = staff("boss", manager_of=("requests",))
    dpo = staff("dpo")
    dpo.groups.add(Group.objects.get_or_create(name="dpo")[0])
    return {"agent": agent, "manager": manager, "dpo": dpo}


def ticket_due(due: datetime.date, **fields: Any) -> Ticket:
    """An assigned, answered GDPR access ticket whose due date is `due` (FI calendar)."""
    ticket = make_ticket(received_at=NOW - datetime.timedelta(days=3))
    fields.setdefault("assignee", staff_member("agent"))
    # Unextended, the first period's last day is both the due date and the last day to extend.
    assert ticket.extension_notice_due == ticket.due_date
    fields.setdefault("extension_notice_due", due)
    Ticket.objects.filter(pk=ticket.pk).update(due_date=due, first_response_at=NOW, **fields)
    ticket.refresh_from_db()
    return ticket


def staff_member(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def escalations(ticket: Ticket) -> set[str]:
    return set(Escalation.objects.filter(ticket=ticket).values_list("rule", flat=True))


def test_each_level_is_reached_once_with_one_message_per_recipient(desk: dict[str, Any]) -> None:
    calm = ticket_due(TODAY + datetime.timedelta(days=30))
    soon = ticket_due(datetime.date(2026, 3, 20))  # Friday: 4 working days ahead
    today = ticket_due(TODAY, assignee=None, received_at=NOW)  # unassigned: level 1 goes to the queue
    late = ticket_due(datetime.date(2026, 3, 5))  # 7 working days overdue, past the 5-day margin

    report = escalation_sweep(today=TODAY, now=NOW)

    assert escalations(calm) == set()
    # An unextended GDPR ticket near the end of its first month also needs a decision on extension.
    assert escalations(soon) == {"due_soon", "extension_decision"}
    assert escalations(today) == {"due_soon", "due_today_or_overdue", "extension_decision"}
    assert escalations(late) == {"due_soon", "due_today_or_overdue", "overdue_past_margin"}
    # Level 1 goes to the assignee, or to the queue's agents; 2 to its managers; 3 to the DPO.
    recipients = set(Outbox.objects.filter(ticket=soon).values_list("recipient", flat=True))
    assert recipients == {"agent@example.org"}
    assert sorted(Outbox.objects.filter(ticket=late).values_list("recipient", flat=True)) == [
        "agent@example.org", "boss@example.org", "dpo@example.org"]
    assert sorted(Outbox.objects.filter(ticket=today).values_list("recipient", flat=True)) == [
        "agent@example.org", "agent@example.org", "boss@example.org"]
    assert Notification.objects.filter(user=desk["dpo"], ticket=late).count() == 1
    late.refresh_from_db()
    assert (late.escalation_level, late.priority) == (3, 4)
    entry = late.history.order_by("-history_id").first()
    assert entry is not None and entry.history_change_reason.startswith("escalation (overdue_past_margin)")
    assert report.escalated["due_soon"] == 3

    again = escalation_sweep(today=TODAY, now=NOW)

    assert again.total == 0
    assert Escalation.objects.count() == 8
    assert Outbox.objects.count() == 8


def test_a_paused_clock_does_not_escalate_and_a_resumed_one_does(desk: dict[str, Any]) -> None:
    ticket = ticket_due(TODAY)
    services.ticket_request_information(ticket_id=ticket.pk, actor=desk["agent"], kind="clarification",
                                        body="Which account?")
    Ticket.objects.filter(pk=ticket.pk).update(due_date=TODAY)  # still due today, but waiting

    assert escalation_sweep(today=TODAY, now=NOW).total == 0

    services.ticket_add_requester_message(ticket=ticket, body="This one.", attachment=None)
    Ticket.objects.filter(pk=ticket.pk).update(due_date=TODAY)
    assert escalations(ticket) == set()

    assert escalation_sweep(today=TODAY, now=NOW).total > 0
    assert "due_today_or_overdue" in escalations(ticket)


def test_unassigned_and_unanswered_tickets_are_reminded_once(desk: dict[str, Any]) -> None:
    # A complaint received Tuesday 10 March: first response due in 2 business days, so on Thursday.
    received = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
    ticket = make_ticket(kind="complaint", received_at=received)
    assert ticket.first_response_due == datetime.date(2026, 3, 12)

    escalation_sweep(today=TODAY, now=NOW)
    escalation_sweep(today=TODAY, now=NOW)

    assert {"unassigned", "no_first_response"} <= escalations(ticket)
    assert Escalation.objects.filter(ticket=ticket, rule="unassigned").count() == 1


def test_a_resolved_ticket_never_escalates(desk: dict[str, Any]) -> None:
    ticket = ticket_due(datetime.date(2026, 3, 1))
    services.ticket_resolve(ticket_id=ticket.pk, actor=desk["agent"], outcome="fulfilled", body="Done.")

    assert escalation_sweep(today=TODAY, now=NOW).total == 0


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_the_queries_follow_the_batches_not_the_tickets(desk: dict[str, Any], batch_size: int) -> None:
    def queries_for(count: int) -> int:
        Ticket.objects.all().delete()
        for _ in range(count):
            ticket_due(TODAY)
        with CaptureQueriesContext(connection) as captured:
            escalation_sweep(today=TODAY, now=NOW, batch_size=batch_size)
        return len(captured.captured_queries)

    # 20, not more: past about 30 rows SQLite's 999-parameter limit splits a bulk insert in two
    # (PostgreSQL's limit is 65,535), which would count the database's limit, not ours.
    few, many = queries_for(4), queries_for(20)

    if batch_size == 1000:
        assert few == many  # one batch each: the same queries for 4 and for 20 tickets
    else:
        assert many > few  # 10 batches against 2: the cost follows the batches


def test_the_command_prints_what_it_did(desk: dict[str, Any], capsys: Any) -> None:
    ticket_due(timezone.localdate())

    call_command("escalate")

    out = capsys.readouterr().out
    assert "due_today_or_overdue: 1 ticket(s)" in out
    assert "escalated" in out


def test_staff_see_their_own_notifications_and_mark_them_read(desk: dict[str, Any]) -> None:
    late = ticket_due(datetime.date(2026, 3, 5))
    escalation_sweep(today=TODAY, now=NOW)
    dpo, agent = client_for(desk["dpo"]), client_for(desk["agent"])

    page = dpo.get("/staff/notifications/").content.decode()
    assert late.reference in page
    assert "1 unread" in page
    assert "Overdue past the margin" in page  # the rule's group, worded in the reader's language
    assert "Overdue past the margin" not in agent.get("/staff/notifications/").content.decode()


    assert dpo.post("/staff/notifications/read/").status_code == 302
    assert "0 unread" in dpo.get("/staff/notifications/").content.decode()
    assert Notification.objects.filter(user=desk["agent"], read_at__isnull=True).exists()
    assert client_for(None).get("/staff/notifications/").status_code == 302


def test_each_manager_gets_one_digest_a_day_of_what_is_due_this_week(desk: dict[str, Any]) -> None:
    from tickets.services.digest import digest_send

    this_week = ticket_due(TODAY + datetime.timedelta(days=3))
    overdue = ticket_due(TODAY - datetime.timedelta(days=1))
    ticket_due(TODAY + datetime.timedelta(days=30))  # not this week

    assert digest_send(today=TODAY) == 1
    assert digest_send(today=TODAY) == 0  # twice the same day: still one

    digest = Outbox.objects.get(event="digest")
    assert digest.recipient == "boss@example.org"
    assert this_week.reference in digest.body_text and overdue.reference in digest.body_text
    assert "2 open tickets in your queues are due within a week. 1 is already overdue." in digest.body_text
    assert digest_send(today=TODAY + datetime.timedelta(days=1)) == 1  # tomorrow's


def test_an_undelivered_statutory_acknowledgement_is_escalated_once(desk: dict[str, Any]) -> None:
    # A Californian erasure request received Friday 6 March 2026: CCPA §7021(a) gives 10 business
    # days, so its acknowledgement is due Friday 20 March.
    received = datetime.datetime(2026, 3, 6, 17, 0, tzinfo=datetime.UTC)
    ticket = services.ticket_create(
        kind="erasure", country="US", region="CA", name="Cal", email="cal@example.org",
        description="Delete.", language="en", attachment=None, submission_key=None,
        received_at=received, actor=None, reason="test").ticket
    assert ticket.acknowledge_due == datetime.date(2026, 3, 20)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=desk["agent"], first_response_at=NOW)

    assert escalation_sweep(today=datetime.date(2026, 3, 19), now=NOW).escalated["acknowledgement_late"] == 0
    late = escalation_sweep(today=datetime.date(2026, 3, 20), now=NOW)

    assert late.escalated["acknowledgement_late"] == 1
    assert [row.recipient for row in Outbox.objects.filter(ticket=ticket, event="escalation")] == [
        "boss@example.org"]

    delivered = services.ticket_create(
        kind="erasure", country="US", region="CA", name="Del", email="del@example.org",
        description="Delete.", language="en", attachment=None, submission_key=None,
        received_at=received, actor=None, reason="test").ticket
    assert Outbox.objects.filter(ticket=delivered, event="acknowledgement").update(state="sent") == 1
    escalation_sweep(today=datetime.date(2026, 3, 23), now=NOW)
    assert "acknowledgement_late" not in escalations(delivered)


def test_due_soon_is_configurable_per_kind_and_regime(desk: dict[str, Any], settings: Any) -> None:
    settings.DESK_ESCALATION_SOON_BY = {"access": 1, "gdpr": 8}
    # Due Wednesday 18 March: 2 working days ahead of Monday 16 March.
    access = ticket_due(datetime.date(2026, 3, 18))  # access: 1 day, so not yet
    complaint = make_ticket(kind="complaint", received_at=NOW - datetime.timedelta(days=3))
    Ticket.objects.filter(pk=complaint.pk).update(due_date=datetime.date(2026, 3, 25), assignee=desk["agent"],
                                                  first_response_at=NOW)  # gdpr: 8 days, so yes

    escalation_sweep(today=TODAY, now=NOW)

    assert "due_soon" not in escalations(access)
    assert "due_soon" in escalations(complaint)


@pytest.mark.parametrize("raw", ["access=0", "nonsense=3", "access", "gdpr=x"])
def test_a_bad_threshold_setting_is_refused(raw: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from desk.env import Env

    with pytest.raises(ImproperlyConfigured, match="X"):
        Env({"X": raw}).numbers_by_key("X", frozenset({"access", "gdpr"}))


def test_an_idle_sweep_asks_for_all_seven_rules_in_one_query(
        desk: dict[str, Any], django_assert_num_queries: Any) -> None:
    ticket_due(TODAY + datetime.timedelta(days=30))  # calm: no rule applies
    # The calendars of the running tickets; one SELECT of seven "(SELECT id … LIMIT 1) IS NOT NULL".
    with django_assert_num_queries(2):
        assert escalation_sweep(today=TODAY, now=NOW).total == 0


def test_a_batch_is_written_in_a_fixed_number_of_statements(
        desk: dict[str, Any], django_assert_num_queries: Any, settings: Any) -> None:
    for _ in range(3):
        ticket_due(datetime.date(2026, 3, 20))  # due soon, and near the end of the first period
    # The calendars and the rules' probe; then per rule (due_soon, extension_decision): a savepoint,
    # the batch's ids locked, the locked tickets read (with their chain heads and assignees), the
    # escalation rows, the tickets' update, the history entries, the recipients, the notifications,
    # the outbox rows, the savepoint's release.
    with django_assert_num_queries(2 + 2 * 10):
        report = escalation_sweep(today=TODAY, now=NOW)

    assert dict(report.escalated) == {"due_soon": 3, "extension_decision": 3}
    assert Notification.objects.count() == Outbox.objects.count() == 6


def test_an_escalation_whose_assignee_has_no_address_goes_to_the_managers_and_is_counted(
        desk: dict[str, Any], django_assert_num_queries: Any, caplog: Any) -> None:
    soon = ticket_due(datetime.date(2026, 3, 20))  # due soon, and near the end of the first period
    User.objects.filter(pk=desk["agent"].pk).update(email="")

    # As a batch with everyone addressed (above), and once per rule the queue's managers.
    with django_assert_num_queries(2 + 2 * 11):
        report = escalation_sweep(today=TODAY, now=NOW)

    assert dict(report.escalated) == {"due_soon": 1, "extension_decision": 1}
    assert dict(report.to_managers) == {"due_soon": 1, "extension_decision": 1}
    assert not report.unaddressed and not caplog.records
    assert sorted(Outbox.objects.filter(ticket=soon).values_list("dedupe_key", "recipient")) == [
        (f"escalation:{soon.pk}:due_soon:{desk['manager'].pk}", "boss@example.org"),
        (f"escalation:{soon.pk}:extension_decision:{desk['manager'].pk}", "boss@example.org")]
    assert report.messages == 2
    # The assignee still sees both in the desk, beside the managers.
    assert Notification.objects.filter(user=desk["agent"], ticket=soon).count() == 2
    assert Notification.objects.filter(user=desk["manager"], ticket=soon).count() == 2


def test_a_deactivated_assignee_is_not_told_the_queues_agents_are(desk: dict[str, Any]) -> None:
    other = staff("other", member_of=("requests",))
    soon = ticket_due(datetime.date(2026, 3, 20))
    User.objects.filter(pk=desk["agent"].pk).update(is_active=False)

    report = escalation_sweep(today=TODAY, now=NOW)

    recipients = Outbox.objects.filter(ticket=soon).values_list("recipient", flat=True)
    assert sorted(recipients) == ["other@example.org", "other@example.org"]  # two rules
    assert not Notification.objects.filter(user=desk["agent"]).exists()
    assert Notification.objects.filter(user=other, ticket=soon).count() == 2
    assert not report.to_managers and not report.unaddressed


def test_an_escalation_with_nobody_to_tell_is_still_written_counted_and_logged(
        desk: dict[str, Any], caplog: Any) -> None:
    # Due today, unassigned for three days, in a queue with no agents and no managers: level 1
    # would go to the agents, then to the managers; level 2 and the reminder to the managers.
    # Nobody is there to email.
    Queue.objects.get(slug="requests").members.clear()
    Queue.objects.get(slug="requests").managers.clear()
    today = ticket_due(TODAY, assignee=None)

    report = escalation_sweep(today=TODAY, now=NOW)

    rules = ["due_soon", "due_today_or_overdue", "extension_decision", "unassigned"]
    assert escalations(today) == set(rules)
    assert dict(report.unaddressed) == dict.fromkeys(rules, 1)
    assert not report.to_managers
    assert report.messages == 0
    assert not Outbox.objects.exists() and not Notification.objects.exists()
    assert sorted(record.getMessage() for record in caplog.records) == [
        f"escalation {rule} of ticket {today.reference}: nobody with an email address to tell"
        for rule in sorted(rules)]
    today.refresh_from_db()
    assert today.escalation_level == 2


def test_the_history_entry_copies_the_ticket_as_it_is_after_the_escalation(desk: dict[str, Any]) -> None:
    late = ticket_due(datetime.date(2026, 3, 5))

    escalation_sweep(today=TODAY, now=NOW)

    late.refresh_from_db()
    entry = late.history.order_by("-history_id").first()
    assert entry is not None and entry.history_type == "~" and entry.history_user is None
    # The requester's encrypted fields are copied as ciphertext and still decrypt in the history.
    assert (entry.requester_name, entry.requester_email, entry.description) == (
        late.requester_name, late.requester_email, late.description)
    assert (entry.escalation_level, entry.priority, entry.queue_id, entry.assignee_id) == (
        late.escalation_level, late.priority, late.queue_id, late.assignee_id) == (
        3, 4, late.queue_id, desk["agent"].pk)
    assert late.history.filter(history_type="~").count() == 3  # one per level reached


def test_the_calendars_in_use_are_those_of_running_tickets_only(desk: dict[str, Any]) -> None:
    from tickets.services.escalation import RUNNING_STATUSES, calendars_in_use

    running = [make_ticket(country=country, region=region) for country, region in
               [("FI", ""), ("FI", ""), ("SE", ""), ("GB", "SCT"), ("US", "CA")]]
    rejected = make_ticket(country="GB", region="ENG")
    services.ticket_reject(ticket_id=rejected.pk, actor=desk["agent"], reason="spam")
    paused = make_ticket(country="GB", region="WLS")
    services.ticket_request_information(ticket_id=paused.pk, actor=desk["agent"], kind="identity",
                                        body="Your ID, please.")

    found = calendars_in_use()

    assert found == sorted({ticket.calendar for ticket in running})
    assert found == sorted(set(Ticket.objects.filter(status__in=RUNNING_STATUSES)
                               .values_list("calendar", flat=True)))
    # The rejected and the paused ticket have calendars of their own (England, Wales): not in use.
    assert {Ticket.objects.get(pk=rejected.pk).calendar, Ticket.objects.get(pk=paused.pk).calendar} \
        == {"GB-ENG", "GB-WLS"}
    assert not {"GB-ENG", "GB-WLS"} & set(found)


def test_the_escalate_command_says_how_many_went_to_the_managers(desk: dict[str, Any]) -> None:
    ticket_due(datetime.date(2026, 3, 20))
    User.objects.filter(pk=desk["agent"].pk).update(email="")
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("escalate", stdout=out)

    assert "2 escalation(s) had nobody to email and went to the queue's managers" in out.getvalue()
    assert "nobody to email at all" not in out.getvalue()
