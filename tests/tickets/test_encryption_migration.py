"""Migrations 0011 (tickets) and 0003 (notifications) encrypt what a desk already holds: rows
written in plaintext before them, history rows and files included, and fill the email digest.

The scenario runs in a child process on a SQLite file of its own: migrating backwards and forwards
inside the suite's test database would need a transactional test, whose flush would empty the
tables (the default queues among them) under the tests that run after it."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import connection

from desk import crypto
from tests.support.migrations import latest, migrate, run_scenario
from tickets import uploads

ROOT = Path(__file__).resolve().parents[2]
BEFORE = [("tickets", "0010_access_log"), ("notifications", "0002_escalations_notifications")]
FILE = b"%PDF-1.4\n% OldPlainFileCanary\n%%EOF\n"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def raw(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def seed_plaintext(apps: Any, private_media: Path) -> dict[str, Any]:
    """What an older desk wrote: plain columns, a plain history row, a plain file and hash."""
    queue = apps.get_model("tickets", "Queue").objects.get(slug="requests")
    ticket = apps.get_model("tickets", "Ticket").objects.create(
        reference="PD-2026-000001", kind="access", regime="gdpr", calendar="FI", language="en",
        requester_name="OldPlainName", requester_email="Old.Plain@Example.org", requester_country="FI",
        description="OldPlainDescription", received_at=NOW, due_date=NOW.date(), queue=queue)
    history = apps.get_model("tickets", "HistoricalTicket")
    history.objects.create(
        id=ticket.pk, reference=ticket.reference, kind="access", regime="gdpr", calendar="FI",
        language="en", requester_name="OldPlainName", requester_email="Old.Plain@Example.org",
        requester_country="FI", description="OldPlainDescription", received_at=NOW,
        due_date=NOW.date(), queue_id=queue.pk, status="new", priority=2, escalation_level=0,
        created_at=NOW, updated_at=NOW, history_date=NOW, history_type="+")
    message = apps.get_model("tickets", "Message").objects.create(ticket=ticket, kind="requester",
                                                                  body="OldPlainMessage")
    private_media.mkdir(parents=True, exist_ok=True)
    (private_media / "a").write_bytes(FILE)
    plain_hash = hashlib.sha256(FILE).hexdigest()
    apps.get_model("tickets", "Attachment").objects.create(
        ticket=ticket, original_name="OldPlainFile.pdf", stored_name="a", content_type="application/pdf",
        size=len(FILE), sha256=plain_hash)
    apps.get_model("notifications", "Outbox").objects.create(
        dedupe_key="old", event="acknowledgement", ticket=ticket, recipient="Old.Plain@Example.org",
        language="en", subject="Hello OldPlainName", body_text="OldPlainBody", body_html="")
    return {"ticket": ticket.pk, "plain_hash": plain_hash, "message": message.pk}


def scenario(private_media: Path) -> None:
    """Migrate back to before encryption, write plaintext, migrate forward, check (the child)."""
    forward = latest()
    apps = migrate(BEFORE)
    seeded = seed_plaintext(apps, private_media)

    migrate(forward)

    dump = repr([raw(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own table names
                 for table in connection.introspection.table_names()])
    assert "OldPlain" not in dump and "old.plain" not in dump.lower()
    assert b"OldPlainFileCanary" not in (private_media / "a").read_bytes()
    assert uploads.read("a") == FILE
    [(name, email, digest)] = raw("SELECT requester_name, requester_email, requester_email_digest "
                                  "FROM tickets_ticket")
    assert crypto.decrypt(name, context="tickets.ticket.requester_name") == "OldPlainName"
    assert crypto.decrypt(email, context="tickets.ticket.requester_email") == "Old.Plain@Example.org"
    assert digest == crypto.email_digest("old.plain@example.org")
    [(history_digest,)] = raw("SELECT requester_email_digest FROM tickets_historicalticket")
    assert history_digest == digest
    [(file_hash,)] = raw("SELECT sha256 FROM tickets_attachment")
    assert file_hash == crypto.keyed_sha256(seeded["plain_hash"]) == crypto.file_digest(FILE)

    from tickets.models import Ticket

    assert Ticket.objects.get(requester_email_digest=digest).description == "OldPlainDescription"
    migrate(forward)  # run again: nothing is encrypted twice
    assert Ticket.objects.get(requester_email_digest=digest).requester_name == "OldPlainName"
    bind_and_unbind(seeded)
    print(json.dumps({"checked": True}))


def bind_and_unbind(seeded: dict[str, Any]) -> None:
    """Migration 0021 gives the message that existed a row identity, and leaves the values bound to
    their column (v1) until rotate_keys binds them to their rows; reversed, it unbinds them."""
    import io
    import uuid

    from django.core.management import call_command

    from tickets.models import Message, Ticket

    [(row_uuid, body)] = raw("SELECT row_uuid, body FROM tickets_message")
    assert row_uuid == uuid.uuid5(uuid.NAMESPACE_URL, f"privacy-desk:Message:{seeded['message']}").hex
    assert body.startswith("v1:") and Message.objects.get().body == "OldPlainMessage"

    call_command("rotate_keys", stdout=io.StringIO())

    [(name,)] = raw("SELECT requester_name FROM tickets_ticket")
    [(body,)] = raw("SELECT body FROM tickets_message")
    assert name.startswith("v2:") and body.startswith("v2:")
    reference = "PD-2026-000001"
    assert crypto.decrypt(name, context="tickets.ticket.requester_name", row=reference) == "OldPlainName"
    assert crypto.decrypt(body, context="tickets.message.body", row=row_uuid) == "OldPlainMessage"
    assert Message.objects.get().body == "OldPlainMessage"

    migrate([("tickets", "0020_queue_membership_log")])  # reversed: bound to their columns again
    [(name,)] = raw("SELECT requester_name FROM tickets_ticket")
    [(body,)] = raw("SELECT body FROM tickets_message")
    assert crypto.decrypt(name, context="tickets.ticket.requester_name") == "OldPlainName"
    assert crypto.decrypt(body, context="tickets.message.body") == "OldPlainMessage"
    migrate(latest())
    assert Ticket.objects.get().requester_name == "OldPlainName"


def test_the_migrations_encrypt_existing_rows_history_and_files(tmp_path: Path) -> None:
    run_scenario("tests.tickets.test_encryption_migration", tmp_path)


if __name__ == "__main__":
    import django

    django.setup()
    from django.conf import settings

    scenario(Path(settings.PRIVATE_MEDIA_ROOT))
