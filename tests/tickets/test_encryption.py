"""Encryption at rest (desk/crypto.py, desk/fields.py): no plaintext personal data in any
table or file, search by the email's keyed hash, key rotation, and decryption that fails closed
(research/reliability-security.md §5, G1 and G2)."""

from __future__ import annotations

import base64
import datetime
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from desk import crypto
from notifications.models import Outbox
from tests.support.canaries import Canaries, files_under, hits, new_canaries, seed_canary_ticket
from tests.support.people import client_for
from tickets import encryption, uploads
from tickets.models import Attachment, Message, Ticket
from tickets.selectors import QueueFilter, ticket_queue

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
NEW_KEY = base64.b64encode(bytes(range(32))).decode()


def raw_rows() -> list[tuple[str, bytes]]:
    """Every row of every table, as the database holds it (SQLite here; PostgreSQL's pg_dump in
    tests/integration/test_encryption_dump.py)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own table names
            for row in cursor.fetchall():
                rows.append((table, repr(row).encode()))
    return rows


def raw_value(table: str, column: str, pk: int, pk_column: str = "id") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{pk_column}" = %s', [pk])  # noqa: S608 - fixed names
        return str(cursor.fetchone()[0])


def write_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE "id" = %s', [value, pk])  # noqa: S608 - fixed names


@pytest.fixture
def canaries() -> Canaries:
    return new_canaries()


@pytest.fixture
def seeded(canaries: Canaries, people: dict[str, Any]) -> Ticket:
    return seed_canary_ticket(canaries, people["agent"])


def test_no_table_and_no_file_holds_the_personal_data_in_plaintext(
    seeded: Ticket, canaries: Canaries, private_media: Path,
) -> None:
    # The lifecycle left what it should: history, outbox rows, two encrypted files.
    assert Ticket.history.filter(id=seeded.pk).count() >= 6
    assert Outbox.objects.filter(ticket=seeded).count() >= 4
    assert len(files_under(private_media)) == 2
    # The scanner finds the canaries where they are plain: it would see a leak.
    assert hits([("probe", canaries.description.encode())], canaries) == [("probe", "description")]
    assert hits([("probe", base64.b64encode(b"x" + canaries.name.encode()))], canaries) == [("probe", "name")]

    assert hits(raw_rows(), canaries) == []
    assert hits(files_under(private_media), canaries) == []


def test_no_statement_sent_to_the_database_carries_the_plaintext(
    canaries: Canaries, people: dict[str, Any], caplog: Any,
) -> None:
    """Every SQL statement of the whole lifecycle is logged with its parameters (the debug
    cursor) and scanned: the values are encrypted before the driver sees them."""
    connection.force_debug_cursor = True
    try:
        with caplog.at_level(logging.DEBUG, logger="django.db.backends"):
            seed_canary_ticket(canaries, people["agent"])
    finally:
        connection.force_debug_cursor = False

    statements = [record.getMessage() for record in caplog.records if record.name == "django.db.backends"]
    assert len(statements) > 50
    assert any("INSERT INTO \"tickets_historicalticket\"" in statement for statement in statements)
    assert hits([("sql", "\n".join(statements).encode())], canaries) == []


def test_the_models_read_back_the_plaintext_history_included(seeded: Ticket, canaries: Canaries) -> None:
    assert (seeded.requester_name, seeded.requester_email, seeded.description) == (
        canaries.name, canaries.email, canaries.description)
    first = Ticket.history.filter(id=seeded.pk).earliest("history_id")
    assert (first.requester_name, first.requester_email) == (canaries.name, canaries.email)
    bodies = {message.body for message in Message.objects.filter(ticket=seeded)}
    assert {canaries.pause, canaries.message, canaries.reply} <= bodies
    names = sorted(Attachment.objects.filter(ticket=seeded).values_list("original_name", flat=True))
    assert names == [f"{canaries.file_name}-2.pdf", f"{canaries.file_name}.pdf"]
    acknowledgement = Outbox.objects.filter(ticket=seeded, event="acknowledgement").get()
    assert acknowledgement.recipient == canaries.email
    assert canaries.name in acknowledgement.body_text
    assert seeded.satisfaction.comment == canaries.comment


def test_a_downloaded_file_is_the_plaintext_and_the_access_log_does_not_name_it(
    seeded: Ticket, canaries: Canaries, people: dict[str, Any],
) -> None:
    attachment = seeded.attachments.earliest("id")
    response = client_for(people["agent"]).get(f"/staff/tickets/{seeded.reference}/files/{attachment.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (  # type: ignore[attr-defined]
        b"%PDF-1.4\n% " + canaries.file_content.encode() + b"\n%%EOF\n")
    assert hits(raw_rows(), canaries) == []  # the access log row included


def test_the_attachment_hash_is_keyed_not_the_plain_sha256(seeded: Ticket, canaries: Canaries) -> None:
    import hashlib

    attachment = seeded.attachments.earliest("id")
    content = uploads.read(attachment.stored_name)
    assert content is not None
    assert attachment.sha256 != hashlib.sha256(content).hexdigest()
    assert attachment.sha256 == crypto.file_digest(content)


@pytest.mark.parametrize("typed", ["{email}", "  {upper}  "])
def test_the_queue_finds_a_ticket_by_the_whole_email_in_any_case(
    seeded: Ticket, canaries: Canaries, people: dict[str, Any], typed: str,
    django_assert_num_queries: Any,
) -> None:
    term = typed.format(email=canaries.email, upper=canaries.email.upper())
    found = ticket_queue(people["agent"], QueueFilter(statuses=(), search=term), today=seeded.due_date)

    with django_assert_num_queries(1):  # the queue's one query: the digest is computed in Python
        assert [ticket.pk for ticket in found] == [seeded.pk]


def test_the_queue_search_by_reference_still_works_and_by_name_finds_nothing(
    seeded: Ticket, canaries: Canaries, people: dict[str, Any],
) -> None:
    def search(term: str) -> list[int]:
        return [ticket.pk for ticket in ticket_queue(people["agent"], QueueFilter(statuses=(), search=term),
                                                     today=seeded.due_date)]

    assert search(seeded.reference.lower()) == [seeded.pk]
    assert search(canaries.name) == []  # the name is encrypted: SQL cannot match it
    assert search(canaries.email[:-1]) == []  # a part of the address is not the address


def test_the_staff_queue_page_searches_by_email(seeded: Ticket, canaries: Canaries,
                                                people: dict[str, Any]) -> None:
    response = client_for(people["agent"]).get("/staff/tickets/",
                                               {"q": canaries.email.upper(), "status": "resolved"})

    assert response.status_code == 200
    assert seeded.reference in response.content.decode()
    assert "whole email address" in response.content.decode()  # the hint says what works now


def test_a_filter_on_an_encrypted_column_is_refused_rather_than_finding_nothing(seeded: Ticket) -> None:
    with pytest.raises(FieldError, match="requester_email_digest"):
        Ticket.objects.filter(requester_email=seeded.requester_email).exists()
    with pytest.raises(FieldError):
        Outbox.objects.filter(body_text__contains="x").exists()
    digest = crypto.email_digest(seeded.requester_email)
    assert Ticket.objects.filter(requester_email_digest=digest).get() == seeded


def test_values_are_bound_to_their_column_and_row_and_shared_with_the_history(seeded: Ticket) -> None:
    stored = raw_value("tickets_ticket", "description", seeded.pk)
    assert stored.startswith(f"v2:{crypto.head_key_id()}:")
    # simple-history's table holds the same kind of value, bound to the same column and row: the
    # history row keeps the ticket's reference.
    history_id = Ticket.history.filter(id=seeded.pk).earliest("history_id").history_id
    history_value = raw_value("tickets_historicalticket", "description", history_id, "history_id")
    assert crypto.decrypt(history_value, context="tickets.ticket.description",
                          row=seeded.reference) == seeded.description
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(history_value, context="tickets.ticket.description")
    # A ciphertext moved into another column does not decrypt there.
    write_raw("tickets_ticket", "requester_name", seeded.pk, stored)
    with pytest.raises(crypto.DecryptionError, match="does not authenticate"):
        Ticket.objects.get(pk=seeded.pk)


def test_every_read_path_gives_the_row_to_the_field(seeded: Ticket, canaries: Canaries) -> None:
    """Instances, values(), values_list(), select_related(), deferred fields and history all read
    the value with its row's identity, which the field cannot see without it."""
    assert Ticket.objects.values("description").get(pk=seeded.pk)["description"] == canaries.description
    assert Message.objects.filter(ticket=seeded).values_list("ticket__requester_name", flat=True)[0] == \
        canaries.name
    message = Message.objects.select_related("ticket").filter(ticket=seeded).earliest("id")
    assert message.ticket.requester_email == canaries.email
    deferred = Ticket.objects.only("id").get(pk=seeded.pk)
    assert deferred.description == canaries.description  # loaded on access, without the reference
    assert Outbox.objects.filter(ticket=seeded, event="acknowledgement").values_list(
        "recipient", flat=True).get() == canaries.email
    names = Ticket.history.filter(id=seeded.pk).values_list("requester_name", flat=True)
    assert set(names) == {canaries.name}


def test_the_escalation_sweeps_copy_into_the_history_still_decrypts(seeded: Ticket,
                                                                     canaries: Canaries) -> None:
    """tickets/bulk.py copies the ciphertext from the ticket row to a history row in SQL: the
    history row has the ticket's reference, the identity the value is bound to."""
    from django.utils import timezone

    from tickets import audit, bulk

    entries = Ticket.history.filter(id=seeded.pk).count()
    row = Ticket.objects.filter(pk=seeded.pk).values(*audit.CHAINED_FIELDS).get()
    bulk.history_insert([row], reason="escalated", date=timezone.now())

    latest = Ticket.history.filter(id=seeded.pk).latest("history_id")
    assert Ticket.history.filter(id=seeded.pk).count() == entries + 1
    assert (latest.requester_name, latest.description, latest.history_change_reason) == (
        canaries.name, canaries.description, "escalated")


def test_a_write_without_an_instance_is_bound_to_its_column_and_rotation_binds_it(
    seeded: Ticket, canaries: Canaries, capsys: Any,
) -> None:
    """QuerySet.update() gives the field no row: the value is bound to its column only (v1), as
    before issue 15; it reads, verify_encryption counts it, and rotate_keys binds it."""
    email = Outbox.objects.filter(ticket=seeded).earliest("id")
    Outbox.objects.filter(pk=email.pk).update(last_error=f"550 no such user {canaries.email}")
    assert raw_value("notifications_outbox", "last_error", email.pk).startswith("v1:")
    assert Outbox.objects.get(pk=email.pk).last_error == f"550 no such user {canaries.email}"
    call_command("verify_encryption")
    unbound = "notifications.Outbox.last_error: 1 values not yet bound to their row (v1)"
    assert unbound in capsys.readouterr().out

    call_command("rotate_keys")

    assert raw_value("notifications_outbox", "last_error", email.pk).startswith("v2:")
    assert Outbox.objects.get(pk=email.pk).last_error == f"550 no such user {canaries.email}"
    call_command("verify_encryption")
    assert "Values not yet bound to their row: 0" in capsys.readouterr().out
    # An update of one row can bind its value itself.
    field = Outbox._meta.get_field("last_error")
    Outbox.objects.filter(pk=email.pk).update(last_error=field.bound("451 try later", row=email.dedupe_key))
    assert raw_value("notifications_outbox", "last_error", email.pk).startswith("v2:")
    assert Outbox.objects.get(pk=email.pk).last_error == "451 try later"


def test_a_row_without_its_identity_is_refused_before_anything_is_written(people: dict[str, Any]) -> None:
    from django.utils import timezone

    from tickets.models import Queue

    ticket = Ticket(kind="access", regime="gdpr", calendar="FI", language="en", requester_name="Jane",
                    requester_email="jane@example.org", requester_country="FI", description="x",
                    received_at=timezone.now(), due_date=datetime.date(2026, 1, 30),
                    queue=Queue.objects.get(slug="requests"))  # no reference: the row has no identity yet
    with pytest.raises(FieldError, match="reference, which is not set"), transaction.atomic():
        ticket.save()
    assert not Ticket.objects.exists() and not Ticket.history.exists()


def rotate_to_new_key(settings: Any) -> str:
    old = crypto.head_key_id()
    settings.DESK_DATA_KEYS = {"k2": base64.b64decode(NEW_KEY), **settings.DESK_DATA_KEYS}
    return old


def stored_key_ids() -> list[str]:
    """The key id of every stored encrypted value and file."""
    found = []
    with connection.cursor() as cursor:
        for column in encryption.encrypted_columns(_models()):
            cursor.execute(f'SELECT "{column.name}" FROM "{column.table}"')  # noqa: S608 - the models' names
            found += [crypto.key_id_of(value) for (value,) in cursor.fetchall() if value]
    for name in encryption.stored_file_names(connection):
        found.append(crypto.bytes_key_id((uploads.private_root() / name).read_bytes()))
    return found


def _models() -> list[Any]:
    from django.apps import apps

    return list(apps.get_models())


def test_rotation_moves_everything_to_the_new_key_and_the_old_key_can_go(
    seeded: Ticket, canaries: Canaries, settings: Any, capsys: Any,
) -> None:
    before = stored_key_ids()
    old = rotate_to_new_key(settings)
    assert set(before) == {old}

    call_command("rotate_keys", "--batch-size", "2")  # small batches: the paging is exercised
    output = capsys.readouterr().out
    assert "tickets.HistoricalTicket.description:" in output
    assert "attachment files: 2 re-encrypted" in output
    assert f"Done: {len(before) - 2} values and 2 files re-encrypted under the key k2." in output

    settings.DESK_DATA_KEYS = {"k2": settings.DESK_DATA_KEYS["k2"]}  # the old key is dropped
    after = stored_key_ids()
    assert len(after) == len(before)
    assert set(after) == {"k2"}
    ticket = Ticket.objects.get(pk=seeded.pk)
    assert (ticket.requester_name, ticket.description) == (canaries.name, canaries.description)
    assert Ticket.history.filter(id=seeded.pk).earliest("history_id").requester_email == canaries.email
    attachment = ticket.attachments.earliest("id")
    assert canaries.file_content.encode() in (uploads.read(attachment.stored_name) or b"")
    history_entries = Ticket.history.filter(id=seeded.pk).count()

    call_command("rotate_keys")  # idempotent: nothing is left to do
    assert "Done: 0 values and 0 files re-encrypted" in capsys.readouterr().out
    call_command("verify_encryption")
    assert "Values and files by key: k2:" in capsys.readouterr().out
    assert Ticket.history.filter(id=seeded.pk).count() == history_entries  # no history for a re-encryption


def test_the_email_digests_are_recomputed_for_a_new_index_key(seeded: Ticket, settings: Any,
                                                              capsys: Any) -> None:
    settings.DESK_EMAIL_INDEX_KEY = bytes(32)
    digest = crypto.email_digest(seeded.requester_email)
    assert not Ticket.objects.filter(requester_email_digest=digest).exists()

    call_command("rotate_keys", "--email-digests")

    assert Ticket.objects.filter(requester_email_digest=digest).get() == seeded
    assert Ticket.history.filter(id=seeded.pk).exclude(requester_email_digest=digest).count() == 0
    assert "tickets.HistoricalTicket.requester_email:" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["plaintext", "tampered", "unknown key"])
def test_a_bad_stored_value_raises_and_is_reported_never_shown(
    seeded: Ticket, canaries: Canaries, people: dict[str, Any], settings: Any, capsys: Any, kind: str,
) -> None:
    stored = raw_value("tickets_ticket", "description", seeded.pk)
    bad = {
        "plaintext": "Plain words written by hand",
        "tampered": stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:],
        "unknown key": crypto.encrypt("x", context="tickets.ticket.description").replace(
            f"v1:{crypto.head_key_id()}:", "v1:gone:"),
    }[kind]
    write_raw("tickets_ticket", "description", seeded.pk, bad)

    with pytest.raises(crypto.DecryptionError):
        Ticket.objects.get(pk=seeded.pk)
    agent = client_for(people["agent"], raise_request_exception=False)
    page = agent.get(f"/staff/tickets/{seeded.reference}/")
    assert page.status_code == 500
    assert bad.encode() not in page.content and canaries.description.encode() not in page.content
    with pytest.raises(CommandError, match="1 values or files do not decrypt"):
        call_command("verify_encryption")
    named = f"tickets.Ticket.description {seeded.pk} of the ticket {seeded.reference}:"
    assert named in capsys.readouterr().out
    # Rotation stops at it rather than rewriting what it cannot read, and names it.
    rotate_to_new_key(settings)
    with pytest.raises(CommandError, match=f"tickets.Ticket.description {seeded.pk}"):
        call_command("rotate_keys")
    assert raw_value("tickets_ticket", "description", seeded.pk) == bad


def test_a_file_changed_on_disk_raises_and_is_reported(seeded: Ticket, private_media: Path,
                                                       people: dict[str, Any], capsys: Any) -> None:
    attachment = seeded.attachments.earliest("id")
    path = private_media / attachment.stored_name
    path.write_bytes(b"%PDF-1.4\n% replaced by someone with disk access\n%%EOF\n")

    with pytest.raises(crypto.DecryptionError):
        uploads.read(attachment.stored_name)
    url = f"/staff/tickets/{seeded.reference}/files/{attachment.pk}/"
    assert client_for(people["agent"], raise_request_exception=False).get(url).status_code == 500
    with pytest.raises(CommandError, match="1 values or files do not decrypt"):
        call_command("verify_encryption")
    assert f"file {attachment.stored_name}:" in capsys.readouterr().out


def test_a_file_moved_onto_another_attachments_name_does_not_decrypt(seeded: Ticket,
                                                                    private_media: Path) -> None:
    first, second = seeded.attachments.order_by("id")
    (private_media / first.stored_name).write_bytes((private_media / second.stored_name).read_bytes())

    with pytest.raises(crypto.DecryptionError):
        uploads.read(first.stored_name)


def test_a_request_through_the_public_form_is_stored_encrypted(client: Client, private_media: Path) -> None:
    from tests.conftest import valid_request

    canaries = new_canaries()
    response = client.post("/", valid_request(name=canaries.name, email=canaries.email,
                                              description=canaries.description))

    assert response.status_code == 302
    assert Ticket.objects.get().requester_email == canaries.email
    assert hits(raw_rows(), canaries) == []


# Keys from the environment: parsed strictly, required in production.


@pytest.mark.parametrize("text", ["k1", "k1:", "k1:not base64!", f"k1:{base64.b64encode(bytes(16)).decode()}",
                                  f"k 1:{NEW_KEY}", f"k1:{NEW_KEY},k1:{NEW_KEY}", ","])
def test_a_malformed_key_list_is_refused(text: str) -> None:
    with pytest.raises(crypto.KeyConfigurationError):
        crypto.parse_data_keys(text)


def test_the_first_key_is_the_head() -> None:
    keys = crypto.parse_data_keys(f" k2:{NEW_KEY}, k1:{base64.b64encode(bytes(32)).decode()} ")
    assert list(keys) == ["k2", "k1"]


def manage_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("env", "message"), [
    ({"DESK_DATA_KEYS": "k1:c2hvcnQ="}, "DESK_DATA_KEYS: the key 'k1' must be 32 bytes, not 5"),
    ({"DESK_EMAIL_INDEX_KEY": "not base64!"},
     "DESK_EMAIL_INDEX_KEY: the email index key is not valid base64"),
])
def test_a_malformed_key_stops_start_up(env: dict[str, str], message: str) -> None:
    result = manage_check(env)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("missing", ["DESK_DATA_KEYS", "DESK_EMAIL_INDEX_KEY"])
def test_the_production_profile_requires_the_keys(missing: str) -> None:
    from tests.desk.test_settings import PRODUCTION

    result = manage_check({key: value for key, value in PRODUCTION.items() if key != missing})

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr
