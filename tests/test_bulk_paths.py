"""The fast paths write what the model API writes (issue 17 §3): tickets/bulk.py and
notifications/bulk.py against save() and create(), one test per table, byte for byte.

The same escalations are written twice from the same desk, each time rolled back after its rows
are read: once by the sweep (`escalation_sweep`, whose writes are tickets/bulk.py's and
notifications/bulk.py's), once one ticket at a time through the model API (`Escalation.objects
.create`, the services' `record()` with simple-history's sealed entry, `Outbox.objects.create`,
`Notification.objects.create`, each email rendered whole by `render_message`). Every column of
every row must be equal, surrogate ids aside: the ciphertexts and the audit chain's hashes too.

AES-GCM draws a random nonce per value, so no two writes of a value are the same bytes. Here the
nonce source of desk/crypto.py gives zeros (`fixed_nonces`): a value's ciphertext then depends
only on the key, the plaintext and the associated data (its column, and its row for a v2 value),
and the two paths' ciphertexts are compared exactly, key id and version included.

The bulk writers take a PostgreSQL branch (`= ANY`, `jsonb_to_recordset`) and an SQLite one: the
fast suite runs this file on SQLite, and tests/integration/test_bulk_paths_postgresql.py runs it
again on PostgreSQL.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import formats, timezone, translation

from desk import crypto
from notifications.bulk import Message
from notifications.models import Notification, Outbox
from notifications.rendering import render_message
from notifications.services import outbox_enqueue_many
from tests.support.people import make_ticket, staff
from tickets import bulk, escalation_rules, reasons
from tickets.escalation_rules import RULES, Rule
from tickets.models import Escalation, Queue, Ticket
from tickets.services.common import record
from tickets.services.escalation import escalation_sweep

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)  # a Monday
NOW = datetime.datetime(2026, 3, 16, 10, 0, 0, 123456, tzinfo=datetime.UTC)  # microseconds too: all kept
CREATED = NOW - datetime.timedelta(days=3)  # the tickets' own writes: not the time of the escalation
# Which rules escalate which ticket (tickets/services/escalation.py decides; here only the writes
# are compared): due in 4 working days; due today and unassigned for 3 days; 7 working days overdue.
EXPECTED = {"soon": {"due_soon"}, "today": {"due_soon", "due_today_or_overdue", "unassigned"},
            "late": {"due_soon", "due_today_or_overdue", "overdue_past_margin"}}
Rows = list[dict[str, Any]]


@pytest.fixture
def fixed_nonces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every nonce desk/crypto.py draws is zeros, so that equal writes are equal bytes."""
    monkeypatch.setattr(crypto, "os", SimpleNamespace(urandom=bytes))


@pytest.fixture
def desk(settings: Any, fixed_nonces: None) -> dict[str, Any]:
    """Three tickets of a queue whose name HTML must escape, an agent, a manager and a DPO; the
    emails in Finnish (translated words, Finnish dates)."""
    settings.DESK_STAFF_LANGUAGE = "fi"
    with time_machine.travel(CREATED, tick=False):
        agent = staff("agent", member_of=("requests",))
        staff("boss", manager_of=("requests",))
        dpo = staff("dpo")
        dpo.groups.add(Group.objects.get_or_create(name="dpo")[0])
        Queue.objects.filter(slug="requests").update(name="Pyynnöt & <valitukset>")
        tickets = {
            "soon": _ticket(datetime.date(2026, 3, 20), assignee=agent),  # Friday: 4 working days ahead
            "today": _ticket(TODAY, assignee=None),  # unassigned: level 1 goes to the queue's agents
            "late": _ticket(datetime.date(2026, 3, 5), assignee=agent),  # past the 5-day margin
        }
    return {"agent": agent, "tickets": tickets}


def _ticket(due: datetime.date, *, assignee: User | None) -> Ticket:
    """A running, answered GDPR complaint due on `due` (FI calendar), received at CREATED."""
    ticket = make_ticket(kind="complaint", received_at=CREATED)
    Ticket.objects.filter(pk=ticket.pk).update(due_date=due, first_response_at=CREATED, assignee=assignee,
                                               queue=Queue.objects.get(slug="requests"), status="in_progress")
    return ticket


@pytest.fixture
def written(desk: dict[str, Any], settings: Any) -> dict[str, dict[str, Rows]]:
    """Every table the sweep writes, as the bulk path left it and as the model API left it, each
    read raw (ciphertext as stored) and rolled back before the other path runs."""
    ids = {name: ticket.pk for name, ticket in desk["tickets"].items()}
    with time_machine.travel(NOW, tick=False):
        with transaction.atomic():
            # One worker: threads would have connections of their own, outside this test's transaction.
            report = escalation_sweep(today=TODAY, now=NOW, workers=1)
            assert _pairs() == {(ids[name], rule) for name, rules in EXPECTED.items() for rule in rules}, \
                "the sweep escalated other tickets than this test writes through the model API"
            assert report.total == sum(len(rules) for rules in EXPECTED.values())
            by_bulk = _tables()
            transaction.set_rollback(True)
        with transaction.atomic():
            _escalate_through_the_model_api(ids, language=settings.DESK_STAFF_LANGUAGE,
                                            base_url=settings.DESK_PUBLIC_BASE_URL)
            by_model = _tables()
            transaction.set_rollback(True)
    return {"bulk": by_bulk, "model": by_model}


def _pairs() -> set[tuple[int, str]]:
    return set(Escalation.objects.values_list("ticket_id", "rule"))


def _escalate_through_the_model_api(ids: dict[str, int], *, language: str, base_url: str) -> None:
    """What the sweep writes for EXPECTED, one row at a time: rule after rule, as the sweep goes
    (a ticket's history entries follow in that order), each ticket's rows in one save() or create()."""
    for rule in RULES:
        for name, rules in sorted(EXPECTED.items(), key=lambda item: ids[item[0]]):
            if rule.name not in rules:
                continue
            ticket = Ticket.objects.select_related("queue").get(pk=ids[name])
            Escalation.objects.create(ticket=ticket, rule=rule.name, level=rule.level,
                                      due_date=ticket.due_date)
            ticket.escalation_level = max(ticket.escalation_level, rule.level)
            if rule.priority is not None:
                ticket.priority = max(ticket.priority, rule.priority)
            record(ticket, actor=None, reason=reasons.ESCALATED(rule=rule.name),
                   fields=["escalation_level", "priority"])
            with translation.override(language):
                rendered = render_message(event="escalation", language=language, context={
                    "reference": ticket.reference, "queue": ticket.queue.name,
                    "due_text": formats.date_format(ticket.due_date, "DATE_FORMAT"),
                    "ticket_url": f"{base_url}/staff/tickets/{ticket.reference}/",
                    "rule": rule.description, "level": rule.level})
            for user in _told(rule, ticket):
                key = f"escalation:{ticket.pk}:{rule.name}:{user.pk}"
                Notification.objects.create(user=user, ticket=ticket, event=f"escalation.{rule.name}",
                                            dedupe_key=key, text=rendered.subject[:500])
                Outbox.objects.create(dedupe_key=key, event="escalation", ticket=ticket, recipient=user.email,
                                      language=language, subject=rendered.subject,
                                      body_text=rendered.body_text, body_html=rendered.body_html,
                                      published_at=timezone.now())


def _told(rule: Rule, ticket: Ticket) -> list[User]:
    """Who is told, as the rules' recipients say (every one of them has an address here)."""
    active = User.objects.filter(is_active=True).order_by("id")
    if rule.recipients is escalation_rules.officers:
        return list(active.filter(groups__name="dpo"))
    if rule.recipients is escalation_rules.queue_managers:
        return list(active.filter(managed_desk_queues=ticket.queue))
    assert rule.recipients is escalation_rules.assignee_or_queue
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    return list(active.filter(desk_queues=ticket.queue))


def _tables() -> dict[str, Rows]:
    """Each table's rows, its surrogate key left out: drawn from a sequence, which a rollback does not
    give back on PostgreSQL. (A ticket's own id is the same in both: the tickets were there before.)"""
    return {
        "escalation": _raw(Escalation, order=("ticket_id", "rule"), surrogate="id"),
        "ticket": _raw(Ticket, order=("id",)),
        "history": _raw(Ticket.history.model, order=("id", "history_id"), surrogate="history_id"),
        "outbox": _raw(Outbox, order=("dedupe_key",), surrogate="id"),
        "notification": _raw(Notification, order=("dedupe_key",), surrogate="id"),
    }


def _raw(model: Any, *, order: tuple[str, ...], surrogate: str = "") -> Rows:
    """Every row of the model's table as stored (no field decrypts or converts anything), but the
    `surrogate` column."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)} "  # noqa: S608 -- the model's own table
                       f"ORDER BY {', '.join(quote(column) for column in order)}")
        names = [column[0] for column in cursor.description]
        return [{name: value for name, value in zip(names, row, strict=True) if name != surrogate}
                for row in cursor.fetchall()]


def test_the_escalation_rows_are_the_models(written: dict[str, dict[str, Rows]]) -> None:
    rows = written["bulk"]["escalation"]
    assert len(rows) == sum(len(rules) for rules in EXPECTED.values())
    assert rows == written["model"]["escalation"]


def test_the_escalated_tickets_columns_are_what_save_writes(written: dict[str, dict[str, Rows]]) -> None:
    rows = written["bulk"]["ticket"]
    # Level 3 and urgent for the overdue one, touched at the sweep's time; its data still encrypted.
    assert [(row["escalation_level"], row["priority"]) for row in rows] == [(1, 2), (2, 3), (3, 4)]
    assert {str(row["requester_name"])[:3] for row in rows} == {"v2:"}
    assert rows == written["model"]["ticket"]


def test_the_history_entries_are_simple_historys_sealed_in_the_same_chain(
    written: dict[str, dict[str, Rows]],
) -> None:
    """Every column of every entry: the ticket's ciphertext copied in SQL is what simple-history
    encrypts again, the change reason's ciphertext and the chain hash are the same bytes."""
    rows = written["bulk"]["history"]
    escalated = [row for row in rows if row["history_type"] == "~" and row["history_user_id"] is None
                 and row["escalation_level"] > 0]
    assert len(escalated) == sum(len(rules) for rules in EXPECTED.values())
    assert all(len(row["chain_hash"]) == 64 for row in escalated)
    assert len({row["chain_hash"] for row in rows}) == len(rows)
    assert rows == written["model"]["history"]


def test_the_outbox_rows_are_what_create_writes(written: dict[str, dict[str, Rows]]) -> None:
    """Each email rendered once per batch and filled in (tickets/bulk.py `BatchMessage`) is the
    email rendered whole, the queue's name escaped in HTML; encrypted as EncryptedTextField does."""
    rows = written["bulk"]["outbox"]
    # soon: the assignee; today: the queue's agent, its manager twice; late: the assignee, manager, DPO.
    assert len(rows) == 7
    assert {str(row["body_html"])[:3] for row in rows} == {"v2:"}
    assert rows == written["model"]["outbox"]


def test_the_in_app_notifications_are_what_create_writes(written: dict[str, dict[str, Rows]]) -> None:
    rows = written["bulk"]["notification"]
    assert len(rows) == 7
    assert rows == written["model"]["notification"]


@pytest.fixture
def people(fixed_nonces: None) -> dict[str, User]:
    with time_machine.travel(CREATED, tick=False):
        return {"agent": staff("agent", member_of=("requests",)), "quiet": staff("quiet")}


def test_outbox_enqueue_many_writes_what_create_writes_for_every_kind_of_message(
    people: dict[str, User],
) -> None:
    """The edges of notifications/bulk.py: a message with no HTML, one with no text at all, one
    carrying a status link, one to an address only (no in-app entry), one to a person without an
    address (the in-app entry alone); and a repeated key ignored (`outbox_enqueue`'s path)."""
    ticket = make_ticket()
    agent, quiet = people["agent"], people["quiet"]
    messages = [
        Message(dedupe_key="m:plain", event="reply", ticket_id=ticket.pk, user_id=agent.pk,
                recipient=agent.email, language="fi", subject="Aihe & <tunniste>", body_text="Teksti\n",
                body_html="", notification_event="requester.wrote"),
        Message(dedupe_key="m:empty", event="reply", ticket_id=None, user_id=agent.pk,
                recipient="x@example.org", language="sv", subject="", body_text="", body_html="",
                notification_event="requester.wrote"),
        Message(dedupe_key="m:link", event="acknowledgement", ticket_id=ticket.pk, user_id=None,
                recipient="riku@example.org", language="en", subject="Received", body_text="[status-link]\n",
                body_html="<p>[status-link]</p>", status_link=True),
        Message(dedupe_key="m:in-app", event="escalation", ticket_id=ticket.pk, user_id=quiet.pk,
                recipient="", language="en", subject="S" * 600, body_text="T", body_html="<p>T</p>",
                notification_event="escalation.due_soon"),
    ]

    def through_the_model_api() -> None:
        for m in messages:
            if m.user_id is not None:
                Notification.objects.create(user_id=m.user_id, ticket_id=m.ticket_id,
                                            event=m.notification_event, dedupe_key=m.dedupe_key,
                                            text=m.subject[:500])
            if m.recipient:
                Outbox.objects.create(dedupe_key=m.dedupe_key, event=m.event, ticket_id=m.ticket_id,
                                      recipient=m.recipient, language=m.language, subject=m.subject,
                                      body_text=m.body_text, body_html=m.body_html, status_link=m.status_link,
                                      published_at=timezone.now())

    def through_bulk() -> None:
        assert outbox_enqueue_many(messages=messages) == 3
        from notifications import bulk as outbox_bulk

        repeated = Message(dedupe_key="m:plain", event="reply", ticket_id=None, user_id=None,
                           recipient="other@example.org", language="en", subject="other", body_text="other",
                           body_html="")
        assert outbox_bulk.outbox_insert([repeated], created=timezone.now(), repeats_ignored=True) == []

    tables = {}
    with time_machine.travel(NOW, tick=False):
        for path, write in (("bulk", through_bulk), ("model", through_the_model_api)):
            with transaction.atomic():
                write()
                tables[path] = {"outbox": _raw(Outbox, order=("dedupe_key",), surrogate="id"),
                                "notification": _raw(Notification, order=("dedupe_key",), surrogate="id")}
                transaction.set_rollback(True)

    assert [row["dedupe_key"] for row in tables["bulk"]["outbox"]] == ["m:empty", "m:link", "m:plain"]
    assert [row["dedupe_key"] for row in tables["bulk"]["notification"]] == ["m:empty", "m:in-app", "m:plain"]
    assert tables["bulk"] == tables["model"]


def test_the_thread_helper_runs_the_work_in_each_thread_and_returns_every_result() -> None:
    results = bulk.in_threads(lambda: 1, 3)
    assert results == [1, 1, 1]
