"""G1 and G2 on PostgreSQL (research/reliability-security.md §5): a ticket made of canaries, taken
through its lifecycle, leaves no trace of them in `pg_dump --data-only` of the whole database
(history, outbox, sessions, access log…) nor in the private files; the email still finds it;
after a key rotation no value is left under the old key id and everything still reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from desk import crypto
from tests.conftest import unavailable
from tests.support.canaries import files_under, hits, new_canaries, seed_canary_ticket
from tests.support.people import client_for, staff
from tickets import uploads
from tickets.models import Ticket
from tickets.selectors import QueueFilter, ticket_queue

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pg_dump() -> bytes:
    """The data of every table of the test database, as pg_dump writes it (COPY text format)."""
    if connection.vendor != "postgresql":
        unavailable("the dump test needs DATABASE_URL pointing at PostgreSQL (make test-integration)")
    if shutil.which("pg_dump") is None:
        unavailable("pg_dump is not installed")
    options = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(options.get("PASSWORD") or "")}
    command = ["pg_dump", "--data-only", "--no-owner", "-h", str(options.get("HOST") or "127.0.0.1"),
               "-p", str(options.get("PORT") or 5432), "-U", str(options.get("USER") or "postgres"),
               str(options["NAME"])]
    return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120).stdout


def test_a_dump_of_the_whole_database_and_the_files_hold_no_canary(private_media: Path) -> None:
    canaries = new_canaries()
    agent = staff("agent", member_of=("requests",))
    ticket = seed_canary_ticket(canaries, agent)
    attachment = ticket.attachments.earliest("id")
    download = client_for(agent).get(f"/staff/tickets/{ticket.reference}/files/{attachment.pk}/")
    assert download.status_code == 200  # an access log row, and a staff session, exist too

    dump = pg_dump()

    assert ticket.reference.encode() in dump  # the dump does hold the ticket's rows
    assert f"v1:{crypto.head_key_id()}:".encode() in dump
    assert hits([("pg_dump", dump)], canaries) == []
    assert len(files_under(private_media)) == 2
    assert hits(files_under(private_media), canaries) == []
    search = QueueFilter(statuses=(), search=canaries.email.upper())
    found = ticket_queue(agent, search, today=ticket.due_date)
    assert [row.pk for row in found] == [ticket.pk]


def test_after_rotation_no_value_is_under_the_old_key_and_all_reads(settings: Any, capsys: Any) -> None:
    canaries = new_canaries()
    ticket = seed_canary_ticket(canaries, staff("agent", member_of=("requests",)))
    old = crypto.head_key_id()
    assert f"v1:{old}:".encode() in pg_dump()
    settings.DESK_DATA_KEYS = {"k2": bytes(range(32)), **settings.DESK_DATA_KEYS}

    call_command("rotate_keys", "--batch-size", "3")
    settings.DESK_DATA_KEYS = {"k2": settings.DESK_DATA_KEYS["k2"]}

    dump = pg_dump()
    assert f"v1:{old}:".encode() not in dump and b"v1:k2:" in dump
    assert hits([("pg_dump", dump)], canaries) == []
    for attachment in ticket.attachments.all():
        assert (uploads.private_root() / attachment.stored_name).read_bytes().startswith(b"v1:k2:")
        assert canaries.file_content.encode() in (uploads.read(attachment.stored_name) or b"")
    reread = Ticket.objects.get(pk=ticket.pk)
    assert (reread.requester_name, reread.requester_email) == (canaries.name, canaries.email)
    assert {entry.description for entry in Ticket.history.filter(id=ticket.pk)} == {canaries.description}
    capsys.readouterr()
    call_command("verify_encryption")
    assert "Every encrypted value and file decrypts." in capsys.readouterr().out
