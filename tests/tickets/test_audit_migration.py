"""Migration 0018 seals the history that messages, files, pauses, extensions and satisfaction
answers already have into chains of their own, as 0009 did for tickets, so that a desk that
upgrades verifies at once and an edit made before the upgrade's next change is still found.

The scenario runs in a child process on a SQLite file of its own (as test_encryption_migration
does): it stops the database at 0017, writes what an older desk wrote, then migrates to the end."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from tests.support.migrations import latest, migrate, run_scenario

ROOT = Path(__file__).resolve().parents[2]
BEFORE = [("tickets", "0017_reminder_windows")]
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def seed(apps: Any) -> dict[str, int]:
    """A ticket with a sealed history (0009's chain), and two messages and a pause with history
    written before their chains existed."""
    from tickets import audit  # the child imports this module before django.setup()

    queue = apps.get_model("tickets", "Queue").objects.get(slug="requests")
    ticket = apps.get_model("tickets", "Ticket").objects.create(
        reference="PD-2026-000001", kind="access", regime="gdpr", calendar="FI", language="en",
        requester_name="Olli", requester_email="olli@example.org", requester_country="FI",
        description="Old request", received_at=NOW, due_date=NOW.date(), queue=queue)
    fields = {field.attname: getattr(ticket, field.attname) for field in ticket._meta.concrete_fields}
    entry = apps.get_model("tickets", "HistoricalTicket").objects.create(
        **fields, history_date=NOW, history_type="+", history_change_reason="submitted")
    entry.chain_hash = audit.entry_digest(audit.GENESIS, entry)
    entry.save()
    message_history = apps.get_model("tickets", "HistoricalMessage")
    message_ids = []
    for number, kind in enumerate(("requester", "reply")):
        message = apps.get_model("tickets", "Message").objects.create(ticket=ticket, kind=kind, body="Hello")
        message_ids.append(message.pk)
        message_history.objects.create(
            id=message.pk, ticket_id=ticket.pk, kind=kind, body="Hello", created_at=message.created_at,
            history_date=NOW + datetime.timedelta(minutes=number), history_type="+",
            history_change_reason=f"message {number}")
    pause = apps.get_model("tickets", "ClockPause").objects.create(
        ticket=ticket, kind="identity", started_at=NOW, reason="Your ID?")
    apps.get_model("tickets", "HistoricalClockPause").objects.create(
        id=pause.pk, ticket_id=ticket.pk, kind="identity", started_at=NOW, reason="Your ID?",
        history_date=NOW, history_type="+", history_change_reason="asked")
    return {"ticket": ticket.pk, "first_message": message_ids[0]}


def scenario() -> None:
    """Migrate back to 0017, write the old history, migrate forward, check (the child)."""
    forward = latest()
    seeded = seed(migrate(BEFORE))

    migrate(forward)

    from tickets import audit
    from tickets.models import ClockPause, Message

    for model in (Message, ClockPause):
        hashes = list(model.history.model.objects.values_list("chain_hash", flat=True))
        assert hashes and all(len(value) == 64 for value in hashes), (model, hashes)
    assert list(audit.verify()) == []
    # Sealed as they stood: an edit of the older message's entry now breaks its chain there (and
    # the live row no longer matches the entry).
    history = Message.history.model
    history.objects.filter(id=seeded["first_message"]).update(kind="internal_note")
    found = [(finding.chain, finding.position) for finding in audit.verify()]
    assert found == [("message", 1), ("message", 0)]
    print(json.dumps({"checked": True}))


def test_the_migration_seals_the_history_written_before_the_chains(tmp_path: Path) -> None:
    run_scenario("tests.tickets.test_audit_migration", tmp_path)


if __name__ == "__main__":
    import django

    django.setup()
    scenario()
