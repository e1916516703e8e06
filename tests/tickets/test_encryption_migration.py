"""Migrations 0011 (tickets) and 0003 (notifications) encrypt what a desk already holds: rows
written in plaintext before them, history rows and files included, and fill the email digest.

The scenario runs in a child process on a SQLite file of its own: migrating backwards and forwards
inside the suite's test database would need a transactional test, whose flush would empty the
tables (the default queues among them) under the tests that run after it."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tickets import crypto, uploads

ROOT = Path(__file__).resolve().parents[2]
BEFORE = [("tickets", "0010_access_log"), ("notifications", "0002_escalations_notifications")]
FILE = b"%PDF-1.4\n% OldPlainFileCanary\n%%EOF\n"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("tickets", "notifications")]


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
    apps.get_model("tickets", "Message").objects.create(ticket=ticket, kind="requester",
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
    return {"ticket": ticket.pk, "plain_hash": plain_hash}


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
    print(json.dumps({"checked": True}))


def test_the_migrations_encrypt_existing_rows_history_and_files(tmp_path: Path) -> None:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    env = {**clean, "DESK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "desk.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env,
                   check=True, timeout=300)

    child = subprocess.run([sys.executable, "-m", "tests.tickets.test_encryption_migration"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300, check=False)

    assert child.returncode == 0, child.stderr[-3000:]
    assert json.loads(child.stdout.strip().splitlines()[-1]) == {"checked": True}


if __name__ == "__main__":
    import django

    django.setup()
    from django.conf import settings

    scenario(Path(settings.PRIVATE_MEDIA_ROOT))
