"""Queue membership is audited (issue 15, hole 13): a superuser could add themselves to any queue in
the admin (and so see its requesters' personal data) and nothing said so. Every change of members
and managers now goes through `queue_membership_change`: an entry naming who, whom, when and why,
a history entry of the queue with the actor and the reason (the admin's history page), and the
queue's managers see it at /staff/queues/."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.security.world import World, page_text, state
from tickets import services
from tickets.models import Queue, QueueMembershipChange

pytestmark = pytest.mark.django_db
User = get_user_model()


def queue_form(queue: Queue, **changes: Any) -> dict[str, Any]:
    data = {"name": queue.name, "slug": queue.slug, "description": queue.description,
            "kinds": '["access"]', "members": [str(pk) for pk in queue.members.values_list("pk", flat=True)],
            "managers": [str(pk) for pk in queue.managers.values_list("pk", flat=True)],
            "membership_reason": ""}
    data.update(changes)
    return data


def test_a_superuser_adding_themselves_in_the_admin_is_recorded(world: World) -> None:
    admin = world.people["admin"]
    queue = Queue.objects.get(slug="requests")
    history_before = queue.history.count()
    data = queue_form(queue)
    data["members"] = [*data["members"], str(admin.pk)]

    response = world.client("admin").post(f"/admin/tickets/queue/{queue.pk}/change/", data)

    assert response.status_code == 302, page_text(response)[:2000]
    assert queue.members.filter(pk=admin.pk).exists()
    entry = QueueMembershipChange.objects.get()
    assert (entry.queue, entry.user, entry.username, entry.role, entry.added) == (
        queue, admin, "root", "member", True)
    assert (entry.actor, entry.actor_username) == (admin, "root")
    assert entry.reason == "changed in the admin by root"
    latest = queue.history.order_by("-history_id").first()
    assert queue.history.count() > history_before
    assert latest.history_user == admin
    assert "+root" in latest.history_change_reason


def test_the_admins_reason_is_kept_and_removals_too(world: World) -> None:
    queue = Queue.objects.get(slug="requests")
    manager = world.people["manager_a"]
    agent = world.people["agent_a"]
    data = queue_form(queue, membership_reason="Moved to the complaints team (ticket HR-12).")
    data["members"] = [pk for pk in data["members"] if pk != str(agent.pk)]
    data["managers"] = [pk for pk in data["managers"] if pk != str(manager.pk)]

    response = world.client("admin").post(f"/admin/tickets/queue/{queue.pk}/change/", data)

    assert response.status_code == 302, page_text(response)[:2000]
    changes = {(entry.username, entry.role, entry.added, entry.reason)
               for entry in QueueMembershipChange.objects.all()}
    assert changes == {("agent_a", "member", False, "Moved to the complaints team (ticket HR-12)."),
                       ("manager_a", "manager", False, "Moved to the complaints team (ticket HR-12).")}


def test_the_admin_shows_the_membership_record_and_the_history(world: World) -> None:
    queue = Queue.objects.get(slug="requests")
    services.queue_membership_change(queue_id=queue.pk, role="member", add=[world.people["admin"].pk],
                                     actor=world.people["admin"], reason="Covering for a holiday")
    client = world.client("admin")

    change_page = page_text(client.get(f"/admin/tickets/queue/{queue.pk}/change/"))
    history_page = page_text(client.get(f"/admin/tickets/queue/{queue.pk}/history/"))

    assert "Covering for a holiday" in change_page
    assert "Covering for a holiday" in history_page


def test_a_change_that_changes_nothing_writes_nothing(world: World) -> None:
    queue = Queue.objects.get(slug="requests")
    agent = world.people["agent_a"]
    before = (state(), queue.history.count())

    written = services.queue_membership_change(queue_id=queue.pk, role="member", add=[agent.pk],
                                               remove=[world.people["agent_b"].pk],
                                               actor=world.people["admin"], reason="again")

    assert written == []
    assert (state(), queue.history.count()) == before
    assert not QueueMembershipChange.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused_and_changes_nothing(world: World, reason: str) -> None:
    queue = Queue.objects.get(slug="requests")
    admin = world.people["admin"]
    before = (list(queue.members.order_by("pk")), queue.history.count())

    with pytest.raises(ValueError, match="reason"):
        services.queue_membership_change(queue_id=queue.pk, role="member", add=[admin.pk], actor=admin,
                                         reason=reason)

    assert (list(queue.members.order_by("pk")), queue.history.count()) == before
    assert not QueueMembershipChange.objects.exists()


def test_the_queues_managers_see_every_change_and_others_do_not(world: World) -> None:
    admin = world.people["admin"]
    requests, complaints = Queue.objects.get(slug="requests"), Queue.objects.get(slug="complaints")
    services.queue_membership_change(queue_id=requests.pk, role="member", add=[admin.pk], actor=admin,
                                     reason="Looking into a complaint about the desk")
    services.queue_membership_change(queue_id=complaints.pk, role="manager", add=[admin.pk], actor=admin,
                                     reason="Second pair of eyes on B")

    own = world.client("manager_a").get("/staff/queues/", HTTP_ACCEPT_LANGUAGE="en")
    finnish = world.client("manager_a").get("/staff/queues/", HTTP_ACCEPT_LANGUAGE="fi")
    agent = world.client("agent_a").get("/staff/queues/")

    assert own.status_code == 200
    text = page_text(own)
    assert "root added as a member" in text
    assert "Looking into a complaint about the desk" in text
    assert "Second pair of eyes on B" not in text  # manager_a does not manage the complaints queue
    assert "root lisättiin jäseneksi" in page_text(finnish)
    assert agent.status_code == 404


def test_the_admins_own_wording_is_shown_in_the_readers_language(world: World) -> None:
    queue = Queue.objects.get(slug="requests")
    data = queue_form(queue)
    data["members"] = [*data["members"], str(world.people["admin"].pk)]
    world.client("admin").post(f"/admin/tickets/queue/{queue.pk}/change/", data)

    swedish = page_text(world.client("manager_a").get("/staff/queues/", HTTP_ACCEPT_LANGUAGE="sv"))

    assert "Ändrat i administrationen av root" in swedish
    assert "changed in the admin by" not in swedish


def test_no_code_but_the_service_changes_membership_directly() -> None:
    """A many-to-many add, remove, set or clear writes no entry: only the service may call one
    (seed_demo fills an empty desk's demo queues before anyone could look)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {root / "tickets/services/queues.py", root / "desk/management/commands/seed_demo.py"}
    direct = re.compile(r"\b(members|managers|desk_queues|managed_desk_queues)\.(add|remove|set|clear)\(")
    found = [f"{path.relative_to(root)}:{number}"
             for package in ("desk", "tickets", "notifications") for path in (root / package).rglob("*.py")
             if path not in allowed and "migrations" not in path.parts
             for number, line in enumerate(path.read_text().splitlines(), 1) if direct.search(line)]

    assert found == []
