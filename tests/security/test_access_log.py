"""The access log itself (issue 15, holes 4 and 6): it holds no personal data in plain text (an
email address searched by staff was kept as typed, in the query string of the list's export,
before and after retention), and the admin's pages of ticket data are in it like the staff pages."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from desk.crypto import email_digest
from tests.security.world import World, page_text
from tickets import services
from tickets.models import AccessLog, Queue, Ticket
from tickets.services.retention import retention_reason

pytestmark = pytest.mark.django_db


def details() -> str:
    return "\n".join(AccessLog.objects.values_list("detail", flat=True))


@pytest.mark.parametrize("typed", ["aada@example.org", "  AADA@Example.org ", "nobody@example.org"])
def test_an_email_search_is_logged_as_its_keyed_hash_never_as_typed(world: World, typed: str) -> None:
    response = world.client("agent_a").get("/staff/tickets/export.csv", {"q": typed, "status": "new"})

    assert response.status_code == 200
    page_text(response)  # the list is read as it streams
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert "@" not in entry.detail and "example" not in entry.detail.lower()
    assert "q=email search" in entry.detail
    assert "status=new" in entry.detail
    assert entry.search_digest == email_digest(typed)  # an auditor with the key finds the search


def test_a_reference_search_is_logged_as_the_reference(world: World) -> None:
    reference = world.a.ticket.reference

    page_text(world.client("agent_a").get("/staff/tickets/export.csv", {"q": reference.lower()}))

    assert f"q={reference}" in AccessLog.objects.get(action=AccessLog.Action.EXPORT).detail


def test_what_a_client_adds_to_the_query_string_is_not_logged(world: World) -> None:
    extra = {"note": "bertil@example.org", "name": "Bertil Bengtsson"}

    page_text(world.client("agent_a").get("/staff/tickets/export.csv", {**extra, "kind": "access"}))
    page_text(world.client("manager_a").get("/staff/dashboard/status.csv", {**extra, "kind": "access"}))

    logged = details()
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2
    assert "bertil" not in logged.lower() and "Bengtsson" not in logged
    assert logged.count("kind=access") == 2


def test_retention_blanks_the_keyed_hash_of_an_erased_requesters_address(world: World) -> None:
    agent = world.people["agent_a"]
    client = world.client("agent_a")
    for typed in ("aada@example.org", "bertil@example.org"):
        page_text(client.get("/staff/tickets/export.csv", {"q": typed}))
    ticket = world.a.ticket
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Done.")
    services.ticket_close(ticket_id=ticket.pk, actor=agent, reason="")
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - datetime.timedelta(days=800))

    services.ticket_erase_personal_data(ticket_id=ticket.pk, actor=None, reason=retention_reason("access"))

    searches = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
    assert sorted(searches.values_list("search_digest", flat=True)) == sorted(
        ["", email_digest("bertil@example.org")])  # A's is erased; B's ticket keeps its data, and the trace
    assert list(searches.values_list("detail", flat=True)) == ["ticket list: q=email search"] * 2
    assert list(searches.values_list("username", flat=True)) == ["agent_a"] * 2  # who and when stay


def test_the_migration_rewrites_the_details_already_stored(world: World) -> None:
    migration = importlib.import_module("tickets.migrations.0020_queue_membership_log")
    user = world.people["agent_a"]
    erased = Ticket.objects.filter(pk=world.b.ticket.pk)
    erased.update(personal_data_erased_at=timezone.now())
    aada = email_digest("aada@example.org")
    stored = {  # what was stored: (detail, search_digest) after the migration
        "ticket list: q=aada%40example.org&status=new&status=in_progress&sort=due": (
            "ticket list: q=email search status=new,in_progress sort=due", aada),
        "ticket list: q=bertil%40example.org": ("ticket list: q=email search", ""),  # B's data is erased
        f"ticket list: q={world.a.ticket.reference}&kind=access": (
            f"ticket list: q={world.a.ticket.reference} kind=access", ""),
        "ticket list: note=Bertil+Bengtsson&kind=Bertil&assignee=me%40x.org&queue=1": (
            "ticket list: queue=1", ""),
        "dashboard status: start=2026-01-01&end=2026-01-31&who=aada%40example.org": (
            "dashboard status: start=2026-01-01 end=2026-01-31", ""),
    }
    for detail in stored:
        AccessLog.objects.create(user=user, username="agent_a", action="export", detail=detail)
    download = AccessLog.objects.create(user=user, username="agent_a", action="download",
                                        detail="attachment 7")

    migration.rewrite_access_details(apps, None)

    now = set(AccessLog.objects.filter(action="export").values_list("detail", "search_digest"))
    assert now == set(stored.values())
    assert "@" not in details()
    download.refresh_from_db()
    assert download.detail == "attachment 7"


# --- The admin (hole 6) --------------------------------------------------------------------------

def admin_pages(world: World) -> dict[str, tuple[str, Ticket | None]]:
    side = world.a
    ticket_version = get_history_model_for_model(Ticket).objects.filter(id=side.ticket.pk).first()
    assert ticket_version is not None
    return {
        "ticket list": ("/admin/tickets/ticket/", None),
        "message list": ("/admin/tickets/message/", None),
        "attachment list": ("/admin/tickets/attachment/", None),
        "ticket page": (f"/admin/tickets/ticket/{side.ticket.pk}/change/", side.ticket),
        "ticket history": (f"/admin/tickets/ticket/{side.ticket.pk}/history/", side.ticket),
        "ticket version": (f"/admin/tickets/ticket/{side.ticket.pk}/history/{ticket_version.history_id}/",
                           side.ticket),
        "message page": (f"/admin/tickets/message/{side.message.pk}/change/", side.ticket),
        "message history": (f"/admin/tickets/message/{side.message.pk}/history/", side.ticket),
        "attachment page": (f"/admin/tickets/attachment/{side.attachment.pk}/change/", side.ticket),
        "attachment history": (f"/admin/tickets/attachment/{side.attachment.pk}/history/", side.ticket),
    }


@pytest.mark.parametrize("page", ["ticket list", "message list", "attachment list", "ticket page",
                                  "ticket history", "ticket version", "message page", "message history",
                                  "attachment page", "attachment history"])
def test_every_admin_page_of_ticket_data_writes_an_access_log_entry(world: World, page: str) -> None:
    admin = world.people["admin"]
    Queue.objects.get(slug="requests").members.add(admin)
    path, ticket = admin_pages(world)[page]
    before = AccessLog.objects.count()

    response = world.client("admin").get(path)

    assert response.status_code == 200, page
    assert AccessLog.objects.count() == before + 1
    entry = AccessLog.objects.latest("id")
    assert (entry.user, entry.username, entry.action) == (admin, "root", AccessLog.Action.ADMIN)
    assert entry.ticket == ticket
    assert entry.reference == (ticket.reference if ticket else "")
    assert entry.detail.startswith("admin ")
    assert "@" not in entry.detail


def test_an_admin_page_that_shows_nothing_writes_no_entry(world: World) -> None:
    client = world.client("admin")  # in no queue: every object page of ticket data is refused
    before = AccessLog.objects.count()

    answers = [client.get(path).status_code for name, (path, _ticket) in admin_pages(world).items()
               if not name.endswith("list")]

    assert all(status in (302, 404) for status in answers), answers
    assert AccessLog.objects.count() == before


def test_the_admin_entries_are_on_the_compliance_record(world: World) -> None:
    admin = world.people["admin"]
    Queue.objects.get(slug="requests").members.add(admin)
    world.client("admin").get(f"/admin/tickets/ticket/{world.a.ticket.pk}/history/")

    record = page_text(world.client("agent_a").get(f"/staff/tickets/{world.a.ticket.reference}/record/"))

    assert "Viewed in the admin" in record
    assert "root" in record
