"""Encrypted values are bound to their row (issue 15): a ciphertext copied by someone with write
access to the database (and without the keys) from one ticket's row to another's, from one message
to another, or from a ticket into the history of another ticket, does not decrypt there. The read
fails closed (DecryptionError, a 500, nothing shown), `verify_encryption` names the row, and
`rotate_keys` refuses to re-bind it. Values written before (v1, bound to their column only) keep
reading until `rotate_keys` binds them to their rows.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from desk import crypto
from notifications.models import Outbox
from tests.support.canaries import Canaries, new_canaries, seed_canary_ticket
from tests.support.people import client_for, staff
from tickets import encryption
from tickets.models import Attachment, ClockPause, Extension, Message, Satisfaction, Ticket

pytestmark = pytest.mark.django_db
NEW_KEY = bytes(range(32))
ROW_BOUND_MODELS = (Ticket, Ticket.history.model, Message, Message.history.model, ClockPause,
                    ClockPause.history.model, Attachment, Attachment.history.model, Extension,
                    Extension.history.model, Satisfaction, Satisfaction.history.model, Outbox)


@pytest.fixture
def agent(db: Any) -> Any:
    return staff("agent", member_of=("requests",))


def seed(agent: Any) -> tuple[Ticket, Canaries]:
    """A ticket with a value in every encrypted column: the canary lifecycle, and an extension."""
    canaries = new_canaries()
    ticket = seed_canary_ticket(canaries, agent)
    Extension.objects.create(ticket=ticket, notified_at=ticket.received_at,
                             reason=f"Extended: {canaries.name}", previous_due_date=ticket.due_date,
                             new_due_date=ticket.due_date + datetime.timedelta(days=60))
    return ticket, canaries


@pytest.fixture
def two(agent: Any) -> tuple[tuple[Ticket, Canaries], tuple[Ticket, Canaries]]:
    return seed(agent), seed(agent)


def columns() -> list[encryption.Column]:
    return [column for column in encryption.encrypted_columns(ROW_BOUND_MODELS) if column.row]


def raw(column: encryption.Column, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column.name}" FROM "{column.table}" WHERE "{column.pk}" = %s', [pk])  # noqa: S608 - the models' names
        return str(cursor.fetchone()[0])


def write(column: encryption.Column, pk: Any, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{column.table}" SET "{column.name}" = %s WHERE "{column.pk}" = %s',  # noqa: S608 - as above
                       [value, pk])


def stored() -> dict[tuple[str, Any], str]:
    """Every stored value of every encrypted column, as the database holds it."""
    values: dict[tuple[str, Any], str] = {}
    with connection.cursor() as cursor:
        for column in encryption.encrypted_columns(ROW_BOUND_MODELS):
            cursor.execute(f'SELECT "{column.pk}", "{column.name}" FROM "{column.table}"')  # noqa: S608 - as above
            values |= {(column.label, pk): value for pk, value in cursor.fetchall()}
    return values


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in (Ticket, Message, ClockPause, Attachment,
                                                                 Extension, Satisfaction)}


def column_named(label: str) -> encryption.Column:
    return next(column for column in columns() if column.label == label)


def row_of(model: Any, ticket: Ticket, column: encryption.Column) -> Any:
    """The primary key of a row of `ticket` with a value in the column."""
    rows = model.objects.filter(id=ticket.pk) if model is Ticket.history.model else (
        model.objects.filter(pk=ticket.pk) if model is Ticket else model.objects.filter(ticket_id=ticket.pk))
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        if raw(column, pk) not in ("", "None"):
            return pk
    raise AssertionError(f"{ticket.reference} has no value in {column.label}")


def test_every_model_with_ticket_data_has_a_row_identity() -> None:
    bound = {column.label for column in columns()}
    every = {column.label for column in encryption.encrypted_columns(ROW_BOUND_MODELS)
             if column.name != "history_change_reason"}
    assert bound == every
    # 3 of a ticket, 1 of each other model, each twice (with its history); 5 of the outbox.
    assert len(bound) == 21


@pytest.mark.parametrize("label", [
    "tickets.Ticket.requester_name", "tickets.Ticket.requester_email", "tickets.Ticket.description",
    "tickets.Message.body", "tickets.ClockPause.reason", "tickets.Attachment.original_name",
    "tickets.Extension.reason", "tickets.Satisfaction.comment", "notifications.Outbox.recipient",
    "notifications.Outbox.subject", "notifications.Outbox.body_text", "notifications.Outbox.body_html",
    "tickets.HistoricalTicket.description", "tickets.HistoricalMessage.body",
    "tickets.HistoricalSatisfaction.comment",
])
def test_a_value_copied_into_another_tickets_row_of_the_same_column_does_not_decrypt_and_is_named(
    two: Any, label: str, capsys: Any, settings: Any,
) -> None:
    (ticket_a, canaries_a), (ticket_b, _canaries_b) = two
    column = column_named(label)
    model = next(model for model in ROW_BOUND_MODELS if model._meta.db_table == column.table)
    source, target = row_of(model, ticket_a, column), row_of(model, ticket_b, column)
    write(column, target, raw(column, source))
    before, histories = stored(), history_counts()

    with pytest.raises(crypto.DecryptionError, match="does not authenticate"):
        model.objects.get(pk=target)
    with pytest.raises(crypto.DecryptionError):  # every read path carries the row: values() too
        list(model.objects.filter(pk=target).values_list(column.name, flat=True))
    with pytest.raises(CommandError, match="1 values or files do not decrypt"):
        call_command("verify_encryption")
    output = capsys.readouterr().out
    assert f"{label} {target}" in output and "does not authenticate as" in output
    assert ticket_b.reference in output  # the row is named by its ticket (or is the ticket)
    assert f"{label} {source}" not in output  # the source row still reads
    model.objects.get(pk=source)
    assert stored() == before and history_counts() == histories  # nothing rewritten, no history
    # Rotation never gives the moved value this row's identity: under a new key it stops there.
    settings.DESK_DATA_KEYS = {"k2": NEW_KEY, **settings.DESK_DATA_KEYS}
    with pytest.raises(CommandError, match=f"stopped at {label} {target}"):
        call_command("rotate_keys")
    assert raw(column, target) == before[column.label, target] and history_counts() == histories
    assert canaries_a.name not in capsys.readouterr().out


def test_a_reply_copied_onto_another_message_of_the_same_ticket_does_not_decrypt(
    two: Any, agent: Any,
) -> None:
    (ticket, canaries), _other = two
    column = column_named("tickets.Message.body")
    first, second = Message.objects.filter(ticket=ticket).order_by("pk").values_list("pk", flat=True)[:2]
    write(column, second, raw(column, first))
    before = stored()

    with pytest.raises(crypto.DecryptionError):
        Message.objects.get(pk=second)
    page = client_for(agent, raise_request_exception=False).get(f"/staff/tickets/{ticket.reference}/")
    assert page.status_code == 500
    assert canaries.pause.encode() not in page.content and canaries.message.encode() not in page.content
    assert Message.objects.get(pk=first).body in {canaries.pause, canaries.message, canaries.reply}
    assert stored() == before


def test_a_tickets_value_copied_into_the_history_of_another_ticket_does_not_decrypt(
    two: Any, capsys: Any,
) -> None:
    (ticket_a, canaries_a), (ticket_b, canaries_b) = two
    history = Ticket.history.model
    column = column_named("tickets.HistoricalTicket.description")
    entry = history.objects.filter(id=ticket_b.pk).earliest("history_id")
    # The history decrypts with the identity its ticket's row has: the same reference.
    assert entry.description == canaries_b.description
    assert Ticket.history.filter(id=ticket_a.pk).earliest("history_id").description == canaries_a.description
    write(column, entry.history_id, raw(encryption.Column("", "tickets_ticket", "id", "description", ""),
                                        ticket_a.pk))

    with pytest.raises(crypto.DecryptionError, match=f"of the row {ticket_b.reference}"):
        history.objects.get(history_id=entry.history_id)
    with pytest.raises(CommandError):
        call_command("verify_encryption")
    output = capsys.readouterr().out
    assert (f"tickets.HistoricalTicket.description {entry.history_id} of the ticket {ticket_b.reference}: "
            "the value does not authenticate as "
            f"tickets.ticket.description of the row {ticket_b.reference}") in output
    assert Ticket.objects.get(pk=ticket_a.pk).description == canaries_a.description  # the source still reads


def test_a_value_bound_to_its_row_does_not_decrypt_without_it_or_relabelled() -> None:
    value = crypto.encrypt("Jane Doe", context="tickets.ticket.requester_name", row="PD-2026-000001")
    assert value.startswith("v2:")
    assert crypto.decrypt(value, context="tickets.ticket.requester_name", row="PD-2026-000001") == "Jane Doe"
    for row in ("PD-2026-000002", "PD-2026-00000", "", None):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(value, context="tickets.ticket.requester_name", row=row)
    with pytest.raises(crypto.DecryptionError):  # as a v1 value: its column alone is not what was sealed
        crypto.decrypt("v1" + value[2:], context="tickets.ticket.requester_name", row="PD-2026-000001")
    unbound = crypto.encrypt("Jane Doe", context="tickets.ticket.requester_name")
    with pytest.raises(crypto.DecryptionError):  # nor a v1 value as a v2 one
        crypto.decrypt("v2" + unbound[2:], context="tickets.ticket.requester_name", row="PD-2026-000001")
    many = crypto.encrypt_many(["a", "b"], context="notifications.outbox.subject", rows=["k1", "k2"])
    assert [crypto.decrypt(v, context="notifications.outbox.subject", row=r)
            for v, r in zip(many, ["k1", "k2"], strict=True)] == ["a", "b"]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(many[0], context="notifications.outbox.subject", row="k2")


def unbind(ticket: Ticket) -> dict[str, str]:
    """What the desk held before issue 15: the ticket's values bound to their column only (v1)."""
    old = {}
    for label in ("tickets.Ticket.requester_name", "tickets.Ticket.description"):
        column = column_named(label)
        plaintext = crypto.decrypt(raw(column, ticket.pk), context=column.context, row=ticket.reference)
        write(column, ticket.pk, crypto.encrypt(plaintext, context=column.context))
        old[label] = raw(column, ticket.pk)
    return old


def test_values_bound_to_their_column_only_still_read_and_rotation_binds_them(
    two: Any, settings: Any, capsys: Any,
) -> None:
    (ticket_a, canaries_a), (ticket_b, canaries_b) = two
    old_a, old_b = unbind(ticket_a), unbind(ticket_b)
    name = column_named("tickets.Ticket.requester_name")
    assert raw(name, ticket_a.pk).startswith("v1:")
    assert Ticket.objects.get(pk=ticket_a.pk).requester_name == canaries_a.name  # v1 still reads
    call_command("verify_encryption")
    unbound = "tickets.Ticket.requester_name: 2 values not yet bound to their row (v1)"
    assert unbound in capsys.readouterr().out

    call_command("rotate_keys")  # the same head key: only the binding changes

    assert "tickets.Ticket.requester_name: 2 re-encrypted, bound to their row" in capsys.readouterr().out
    assert raw(name, ticket_a.pk).startswith(f"v2:{crypto.head_key_id()}:")
    assert (Ticket.objects.get(pk=ticket_a.pk).requester_name,
            Ticket.objects.get(pk=ticket_b.pk).requester_name) == (canaries_a.name, canaries_b.name)
    call_command("verify_encryption")
    assert "Values not yet bound to their row: 0" in capsys.readouterr().out
    # Once bound, a value swapped between the two rows is refused.
    write(name, ticket_b.pk, raw(name, ticket_a.pk))
    with pytest.raises(crypto.DecryptionError):
        Ticket.objects.get(pk=ticket_b.pk)
    write(name, ticket_b.pk, old_b["tickets.Ticket.requester_name"])
    assert Ticket.objects.get(pk=ticket_b.pk).requester_name == canaries_b.name

    # Rotated to a new key and the old one dropped, an old v1 value put back is refused too.
    settings.DESK_DATA_KEYS = {"k2": NEW_KEY, **settings.DESK_DATA_KEYS}
    call_command("rotate_keys")
    settings.DESK_DATA_KEYS = {"k2": NEW_KEY}
    assert Ticket.objects.get(pk=ticket_b.pk).requester_name == canaries_b.name
    write(name, ticket_b.pk, old_a["tickets.Ticket.requester_name"])
    with pytest.raises(crypto.DecryptionError, match="not configured"):
        Ticket.objects.get(pk=ticket_b.pk)
    with pytest.raises(CommandError, match="1 values or files do not decrypt"):
        call_command("verify_encryption")
    assert f"tickets.Ticket.requester_name {ticket_b.pk} of the ticket {ticket_b.reference}: " \
        in capsys.readouterr().out
