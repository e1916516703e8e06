"""The application's PostgreSQL role (`manage.py database_roles`), on the real server: the desk
works as that role (a request submitted through the form, staff actions, the escalation sweep
with its threads, retention), and the role cannot UPDATE or DELETE history or access-log rows
(only the columns retention erases and key rotation re-encrypts): each attempt is refused and
changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import ProgrammingError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from desk.crypto import email_digest
from tests.conftest import unavailable, valid_request
from tests.support.people import staff
from tickets import audit, services
from tickets.models import AccessLog, Escalation, Message, Ticket
from tickets.services.escalation import escalation_sweep
from tickets.services.retention import retention_sweep

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
HISTORY = Ticket.history.model
OWNER = "postgres"  # the integration suite's server: user postgres, trust (README: make test)


def as_user(user: str) -> None:
    """Every connection from now on, in every thread, logs in as `user` (the settings' own dict is
    what each new connection is made from)."""
    connections.close_all()
    connection.settings_dict["USER"] = user


@pytest.fixture
def app_role() -> Iterator[str]:
    if connection.vendor != "postgresql":
        unavailable("database roles need DATABASE_URL pointing at PostgreSQL (make test-integration)")
    owner = connection.settings_dict["USER"] or OWNER
    role = f"app_{connection.settings_dict['NAME']}"[:63].lower()  # roles are the cluster's: one per database
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {connection.ops.quote_name(role)}")
            cursor.execute(f"DROP ROLE {connection.ops.quote_name(role)}")
    call_command("database_roles", role, "--create")
    as_user(role)
    try:
        yield role
    finally:
        as_user(owner)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {connection.ops.quote_name(role)}")
            cursor.execute(f"DROP ROLE {connection.ops.quote_name(role)}")


def refused(statement: str, params: list[Any] | None = None) -> str:
    """The statement as the application role: PostgreSQL refuses it (the error's text)."""
    with pytest.raises(ProgrammingError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
    return str(refusal.value)


def every_history_row() -> list[tuple[Any, ...]]:
    rows = []
    with connection.cursor() as cursor:
        for chain in audit.CHAINS:
            table = connection.ops.quote_name(chain.model.history.model._meta.db_table)  # type: ignore[attr-defined]
            cursor.execute(f"SELECT * FROM {table} ORDER BY history_id")  # noqa: S608 - the models' own tables
            rows += cursor.fetchall()
        cursor.execute("SELECT * FROM tickets_accesslog ORDER BY id")
        rows += cursor.fetchall()
    return rows


def test_the_desk_works_as_the_application_role_which_cannot_rewrite_its_evidence(app_role: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
    agent = staff("agent", member_of=("requests",))
    # Submit, through the public form.
    assert Client().post("/", valid_request(email="role@example.org")).status_code == 302
    ticket = Ticket.objects.get(requester_email_digest=email_digest("role@example.org"))
    # Act: every kind of write a ticket holds.
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="We are on it.")
    services.ticket_request_information(ticket_id=ticket.pk, actor=agent, kind="identity", body="Your ID?")
    services.ticket_add_requester_message(ticket=ticket, body="Here.", attachment=None)
    services.ticket_extend(ticket_id=ticket.pk, actor=agent, reason="Many systems.")
    services.access_record(user=agent, action=AccessLog.Action.VIEW, ticket=ticket, detail="")
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Done.")
    services.satisfaction_record(ticket_id=ticket.pk, score=5, comment="Fine.")
    services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
    # Sweep: an overdue ticket, escalated by the sweep's threads, each connecting as the role.
    overdue = services.ticket_create(
        kind="access", country="FI", region="", name="Olli Overdue", email="late@example.org",
        description="Where is my data?", language="en", attachment=None, submission_key=None,
        received_at=timezone.now() - datetime.timedelta(days=90), actor=None, reason="test",
        acknowledge=False).ticket
    assert escalation_sweep().total >= 1
    assert Escalation.objects.filter(ticket=overdue).exists()
    # Retention: the closed ticket's personal data erased, history tables included.
    assert retention_sweep(now=timezone.now() + datetime.timedelta(days=800)).references == [ticket.reference]
    bodies = Message.history.model.objects.filter(ticket_id=ticket.pk).values_list("body", flat=True)
    assert set(bodies) == {""}
    assert list(audit.verify()) == []

    before = every_history_row()
    entry = HISTORY.objects.filter(id=ticket.pk).latest("history_id")
    message_entry = Message.history.model.objects.filter(ticket_id=ticket.pk).latest("history_id")
    for statement, params in [
        ("UPDATE tickets_historicalticket SET status = 'new' WHERE history_id = %s", [entry.history_id]),
        ("UPDATE tickets_historicalticket SET chain_hash = '' WHERE history_id = %s", [entry.history_id]),
        ("DELETE FROM tickets_historicalticket WHERE history_id = %s", [entry.history_id]),
        ("UPDATE tickets_historicalmessage SET kind = 'internal_note' WHERE history_id = %s",
         [message_entry.history_id]),
        ("DELETE FROM tickets_historicalmessage WHERE history_id = %s", [message_entry.history_id]),
        ("DELETE FROM tickets_historicalclockpause", []),
        ("DELETE FROM tickets_historicalextension", []),
        ("DELETE FROM tickets_historicalsatisfaction", []),
        ("DELETE FROM tickets_historicalattachment", []),
        ("UPDATE tickets_accesslog SET username = 'nobody', at = now()", []),
        ("DELETE FROM tickets_accesslog", []),
        ("DELETE FROM tickets_queuemembershipchange", []),
        ("UPDATE tickets_queuemembershipchange SET at = now()", []),
        ("TRUNCATE tickets_historicalticket", []),
    ]:
        assert "permission denied" in refused(statement, params), statement

    assert every_history_row() == before
    assert list(audit.verify()) == []


def test_the_command_refuses_a_role_that_could_bypass_the_grants(app_role: Any) -> None:
    as_user(OWNER)
    try:
        with pytest.raises(CommandError, match="superuser"):
            call_command("database_roles", OWNER)  # the test server's owner is a superuser
        with pytest.raises(CommandError, match="not a plain role name"):
            call_command("database_roles", "app; DROP TABLE tickets_ticket")
    finally:
        as_user(app_role)
