"""The tamper-evident audit: each ticket's history is a hash chain that `verify_audit` checks; an
edit, an insertion or a deletion made in the database directly is found and named."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tests.support.people import make_ticket
from tickets import audit, crypto, services
from tickets.models import Ticket
from tickets.services.escalation import escalation_sweep

pytestmark = pytest.mark.django_db
REASON_CONTEXT = "tickets.historicalticket.history_change_reason"
HISTORY = Ticket.history.model


def worked(people: dict[str, Any]) -> Ticket:
    ticket = make_ticket()
    agent = people["agent"]
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_reply(ticket_id=ticket.pk, actor=agent, body="We are on it.")
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Done.")
    return ticket


def verify_audit(*references: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", *references, stdout=out)
    return out.getvalue()


def entries(ticket: Ticket) -> list[Any]:
    return list(HISTORY.objects.filter(id=ticket.pk).order_by("history_id"))


def test_every_entry_is_sealed_to_the_one_before(people: dict[str, Any]) -> None:
    ticket = worked(people)

    chain = entries(ticket)

    assert len(chain) == 4 and all(len(entry.chain_hash) == 64 for entry in chain)
    previous = audit.GENESIS
    for entry in chain:
        assert entry.chain_hash == audit.entry_digest(previous, entry)
        previous = entry.chain_hash
    assert "Every ticket history is intact." in verify_audit()


def test_an_entry_edited_in_the_database_breaks_the_chain_there(people: dict[str, Any]) -> None:
    ticket = worked(people)
    other = worked(people)
    claimed = entries(ticket)[1]
    # What someone with database access, and even the data key, but not the audit key could do.
    forged = crypto.encrypt("claimed by nobody", context=REASON_CONTEXT)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_historicalticket SET history_user_id = NULL, "
                       "history_change_reason = %s WHERE history_id = %s", [forged, claimed.history_id])

    with pytest.raises(CommandError, match="1 ticket histories are broken"):
        verify_audit()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)

    assert f"{ticket.reference}: entry 2 (history id {claimed.history_id}" in out.getvalue()
    assert other.reference not in out.getvalue()
    assert "Every ticket history is intact." in verify_audit(other.reference)


def test_a_reason_overwritten_with_plaintext_is_a_broken_link_not_a_crash(people: dict[str, Any]) -> None:
    ticket = worked(people)
    claimed = entries(ticket)[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_historicalticket SET history_change_reason = 'claimed by nobody' "
                       "WHERE history_id = %s", [claimed.history_id])

    broken = list(audit.verify())

    assert [(b.reference, b.position, b.history_id) for b in broken] == [
        (ticket.reference, 2, claimed.history_id)]
    assert "does not decrypt" in broken[0].reason


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(people: dict[str, Any]) -> None:
    ticket = worked(people)
    chain = entries(ticket)
    HISTORY.objects.filter(history_id=chain[1].history_id).delete()

    breaks = list(audit.verify())

    assert [(b.reference, b.position, b.history_id) for b in breaks] == [
        (ticket.reference, 2, chain[2].history_id)]


def test_a_forged_entry_without_the_key_is_found(people: dict[str, Any], settings: Any) -> None:
    ticket = worked(people)
    forged = entries(ticket)[-1]
    forged.status = "rejected"
    real_key, settings.DESK_AUDIT_KEY = settings.DESK_AUDIT_KEY, "a guess at the key"
    forged.chain_hash = audit.entry_digest(entries(ticket)[-2].chain_hash, forged)
    forged.save()
    settings.DESK_AUDIT_KEY = real_key

    assert [b.position for b in audit.verify()] == [4]


def test_the_escalation_sweep_seals_its_entries(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=30))

    report = escalation_sweep()

    assert report.total >= 1
    reasons = [entry.history_change_reason for entry in HISTORY.objects.filter(id=ticket.pk)]
    assert any(reason.startswith("escalation") for reason in reasons)
    assert list(audit.verify()) == []


def test_an_unsealed_entry_is_named(people: dict[str, Any]) -> None:
    ticket = worked(people)
    HISTORY.objects.filter(history_id=entries(ticket)[0].history_id).update(chain_hash="")

    assert [(b.position, b.reason) for b in audit.verify()] == [(1, "not sealed")]
