"""The tamper test of issue 15 on PostgreSQL: the desk is anchored (`manage.py anchor_audit`), then
someone with the database's own access tampers with it in each way the assessment found unseen,
each on a different ticket, and `manage.py verify_audit`, run as the operator would, names every
one of them by reference and exits non-zero; the tickets nobody touched are not named."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import unavailable
from tests.support.people import make_ticket, staff
from tickets import audit, services
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]
HISTORY = Ticket.history.model


def manage(*args: str, anchor_dir: Path) -> subprocess.CompletedProcess[str]:
    """A management command in a process of its own, on the test database, as an operator runs it."""
    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
           f"{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DESK_AUDIT_ANCHOR_DIR": str(anchor_dir)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture
def agent() -> Any:
    if connection.vendor != "postgresql":
        unavailable("the tamper test needs DATABASE_URL pointing at PostgreSQL (make test-integration)")
    return staff("agent", member_of=("requests",))


def worked(agent: Any, *, closed: bool = False) -> Ticket:
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="We are on it.")
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Here it is.")
    if closed:
        services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
    services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body="Filed.")  # the newest entry
    ticket.refresh_from_db()
    return ticket


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_verify_audit_names_every_tamper_by_reference(agent: Any, tmp_path: Path) -> None:
    anchor_dir = tmp_path / "anchors"
    untouched = [worked(agent), worked(agent, closed=True)]
    shortened = worked(agent)
    edited = {"status": worked(agent), "due_date": worked(agent), "outcome": worked(agent),
              "closed_at": worked(agent, closed=True)}
    removed = worked(agent)
    reply_removed = worked(agent)
    swapped = (worked(agent), worked(agent))  # 5. their descriptions swapped in SQL
    made = manage("anchor_audit", anchor_dir=anchor_dir)
    assert made.returncode == 0, made.stderr
    assert "Every ticket history is intact." in manage("verify_audit", anchor_dir=anchor_dir).stdout

    # 1. The newest history entry of a ticket, deleted.
    newest = HISTORY.objects.filter(id=shortened.pk).latest("history_id")
    sql("DELETE FROM tickets_historicalticket WHERE history_id = %s", [newest.history_id])
    # 2. The live ticket row edited, without history: its status, due date, outcome, closing time.
    values = {"status": "closed", "due_date": datetime.date(2099, 12, 31), "outcome": "refused",
              "closed_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}
    for field, ticket in edited.items():
        sql(f"UPDATE tickets_ticket SET {field} = %s WHERE id = %s", [values[field], ticket.pk])  # noqa: S608 - the test's own column names
    # 3. A whole ticket deleted with everything it holds and every history entry of it.
    Ticket.objects.filter(pk=removed.pk).delete()
    for chain in audit.CHAINS:
        history = chain.model.history.model  # type: ignore[attr-defined]
        history.objects.filter(**{chain.group: removed.pk}).delete()
    # 4. A reply deleted with its history.
    reply = Message.objects.filter(ticket=reply_removed, kind="reply").order_by("id").first()
    assert reply is not None
    sql("DELETE FROM tickets_historicalmessage WHERE id = %s", [reply.pk])
    sql("DELETE FROM tickets_message WHERE id = %s", [reply.pk])

    # 5. Two tickets' encrypted descriptions swapped: each ciphertext is intact, in another row.
    first, second = swapped
    sql("UPDATE tickets_ticket SET description = CASE id WHEN %s THEN (SELECT description FROM "
        "tickets_ticket WHERE id = %s) ELSE (SELECT description FROM tickets_ticket WHERE id = %s) END "
        "WHERE id IN (%s, %s)", [first.pk, second.pk, first.pk, first.pk, second.pk])

    result = manage("verify_audit", anchor_dir=anchor_dir)

    assert result.returncode != 0
    named = {line.split(":", 1)[0] for line in result.stdout.splitlines() if line.startswith("PD-")}
    tampered = {shortened, *edited.values(), removed, reply_removed, *swapped}
    assert named == {ticket.reference for ticket in tampered}, result.stdout
    assert f"{shortened.reference}: its history was shortened since the anchor" in result.stdout
    for field, ticket in edited.items():
        assert f"{ticket.reference}: the ticket row differs from its last history entry" in result.stdout
        assert field in next(line for line in result.stdout.splitlines() if line.startswith(ticket.reference))
    assert f"{removed.reference}: the ticket and its history were removed since the anchor" in result.stdout
    assert f"{reply_removed.reference}: message history entry 1" in result.stdout
    for ticket in swapped:
        assert any(line.startswith(f"{ticket.reference}: ") and "description" in line and "does not" in line
                   for line in result.stdout.splitlines()), result.stdout
    assert f"{len(tampered)} ticket histories are broken" in result.stderr
    assert not any(ticket.reference in result.stdout for ticket in untouched)
