"""Foreign ids (django-helpdesk §3.3 class 1, research A2 and A3): an agent of queue A aims at the
ticket, attachment and queue of B in every route and body. Each is a 404 in a route, a 400 (or
the service's 409 with its reason) in a body, and nothing at all changes."""

from __future__ import annotations

import html
import json

import pytest

from tests.security.routes import API_INPUT, PAGE_INPUT, STAFF_ACTIONS
from tests.security.world import World, access_count, comparable, page_text, state
from tests.support.status_links import open_status_link
from tickets.models import Queue

pytestmark = pytest.mark.django_db


def test_an_attachment_is_reached_only_through_its_own_ticket(world: World) -> None:
    """django-helpdesk #1335 and RT 5.0.3: a file looked up by its id alone."""
    client = world.client("agent_a")
    a, b = world.a, world.b
    before, accesses = state(), access_count()

    paths = [f"/staff/tickets/{a.ticket.reference}/files/{b.attachment.pk}/",
             f"/staff/tickets/{b.ticket.reference}/files/{b.attachment.pk}/",
             f"/staff/tickets/{a.ticket.reference}/files/{b.attachment.pk + 100}/"]
    refusals = [client.get(path) for path in paths]
    own = client.get(f"/staff/tickets/{a.ticket.reference}/files/{a.attachment.pk}/")

    assert [response.status_code for response in refusals] == [404, 404, 404]
    # No existence oracle: the same page whichever way the pair is wrong.
    assert len({comparable(response, path) for response, path in zip(refusals, paths, strict=True)}) == 1
    assert own.status_code == 200
    assert state() == before
    assert access_count() == accesses + 1  # the one allowed download, nothing for the refusals


def test_another_queues_ticket_and_a_ticket_that_does_not_exist_look_the_same(world: World) -> None:
    client = world.client("agent_a")
    reference = world.b.ticket.reference
    invented = reference[:-1] + ("9" if reference[-1] != "9" else "8")
    before = state()

    for path in ("/staff/tickets/{}/", "/staff/tickets/{}/record/", "/api/v1/tickets/{}/",
                 "/api/v1/tickets/{}/messages/"):
        foreign, missing = client.get(path.format(reference)), client.get(path.format(invented))
        assert (foreign.status_code, missing.status_code) == (404, 404), path
        assert comparable(foreign, path.format(reference)) == comparable(missing, path.format(invented))

    assert state() == before


def test_a_walk_over_sequential_references_finds_only_the_own_queue(world: World) -> None:
    client = world.client("agent_a")
    year_prefix = world.a.ticket.reference.rsplit("-", 1)[0]
    found = {number for number in range(1, 30)
             if client.get(f"/api/v1/tickets/{year_prefix}-{number:06d}/").status_code == 200}

    assert found == {int(world.a.ticket.reference.rsplit("-", 1)[1])}


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_no_action_reaches_another_queues_ticket_by_page_or_api(world: World, action: str) -> None:
    client = world.client("agent_a")
    reference = world.b.ticket.reference
    api_name = action.replace("_", "-")
    before = state()

    page = client.post(f"/staff/tickets/{reference}/{action}/", PAGE_INPUT[action])
    api = client.post(f"/api/v1/tickets/{reference}/{api_name}/", json.dumps(API_INPUT[api_name]),
                      content_type="application/json")

    assert (page.status_code, api.status_code) == (404, 404)
    assert state() == before


def test_assigning_to_someone_outside_the_queue_is_refused(world: World) -> None:
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    outsider = world.people["agent_b"].pk
    before = state()

    page = client.post(f"/staff/tickets/{reference}/assign/", {"assignee": str(outsider), "reason": ""},
                       HTTP_ACCEPT_LANGUAGE="en")
    api = client.post(f"/api/v1/tickets/{reference}/assign/", {"assignee": outsider},
                      content_type="application/json")

    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert api.status_code == 409
    assert "does not work in the queue" in api.json()["message"]
    assert state() == before


def test_moving_a_ticket_to_a_queue_the_mover_does_not_work_is_refused(world: World) -> None:
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    queue_b = Queue.objects.get(slug="complaints")
    before = state()

    page = client.post(f"/staff/tickets/{reference}/move/", {"queue": str(queue_b.pk), "reason": ""})
    api = client.post(f"/api/v1/tickets/{reference}/move/", {"queue": "complaints"},
                      content_type="application/json")
    unknown = client.post(f"/api/v1/tickets/{reference}/move/", {"queue": "no-such-queue"},
                          content_type="application/json")

    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert api.status_code == unknown.status_code == 409
    assert "only to queues you work in" in api.json()["message"]
    assert state() == before


@pytest.mark.parametrize("field", ["status", "queue", "assignee", "ticket", "due_date", "created_at",
                                   "priority", "escalation_level", "requester_email", "links",
                                   "merged_into"])
def test_extra_fields_in_a_body_are_refused_not_applied(world: World, field: str) -> None:
    """Research A3 (Zammad CVE-2026-34722, helpdesk L10): mass assignment."""
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    forged = {field: str(world.b.ticket.pk)}
    before = state()

    page = client.post(f"/staff/tickets/{reference}/note/", {"note-body": "A note.", **forged},
                       HTTP_ACCEPT_LANGUAGE="en")
    api = client.post(f"/api/v1/tickets/{reference}/note/", {"body": "A note.", **forged},
                      content_type="application/json")

    assert page.status_code == 400
    assert "fields it does not accept" in page.content.decode()
    assert api.status_code == 400
    assert field in json.dumps(api.json())
    assert state() == before


@pytest.mark.parametrize("path", ["/staff/dashboard/", "/staff/dashboard/status.csv",
                                  "/staff/reports/monthly/", "/api/v1/metrics/"])
def test_the_figures_of_a_queue_the_manager_does_not_manage_are_refused(world: World, path: str) -> None:
    client = world.client("manager_a")
    queue_b = Queue.objects.get(slug="complaints").pk
    before = state()

    response = client.get(path, {"queue": queue_b}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    text = response.content.decode()
    assert "Select a valid choice" in text or "valid choice" in text
    assert state() == before


@pytest.mark.parametrize("path", ["/staff/tickets/", "/staff/tickets/export.csv", "/api/v1/tickets/"])
def test_a_foreign_queue_filter_on_the_queue_shows_nothing_of_that_queue(world: World, path: str) -> None:
    client = world.client("agent_a")
    queue_b = Queue.objects.get(slug="complaints").pk

    response = client.get(path, {"queue": queue_b})

    assert response.status_code == 200
    body = page_text(response)
    assert world.b.ticket.reference not in body
    assert world.b.ticket.requester_name not in body


def test_revoking_another_persons_api_token_is_a_404_and_the_token_lives(world: World) -> None:
    from desk.models import ApiToken
    from desk.tokens import api_token_issue

    issued = api_token_issue(user=world.people["agent_b"], name="their script", scope="write", days=30)

    response = world.client("agent_a").post(f"/staff/account/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


@pytest.mark.parametrize("scope", ["read", "write"])
def test_an_api_token_reaches_exactly_what_its_owner_reaches(world: World, scope: str) -> None:
    from django.test import Client

    from desk.tokens import api_token_issue

    secret = api_token_issue(user=world.people["agent_a"], name="script", scope=scope, days=30).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    before = state()

    listing = client.get("/api/v1/tickets/").json()["results"]
    foreign = client.get(f"/api/v1/tickets/{world.b.ticket.reference}/")
    foreign_note = client.post(f"/api/v1/tickets/{world.b.ticket.reference}/note/", {"body": "x"},
                               content_type="application/json")

    assert [row["reference"] for row in listing] == [world.a.ticket.reference]
    assert foreign.status_code == 404
    assert foreign_note.status_code == (403 if scope == "read" else 404)
    assert state() == before


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("field", ["queue", "status", "priority", "assignee", "due_date", "received_at",
                                   "escalation_level", "requester_id", "ticket", "language"])
def test_the_public_forms_refuse_fields_they_do_not_have(world: World, field: str, language: str) -> None:
    """Research A3 and helpdesk L10: a requester cannot choose their queue, priority or deadline."""
    from django.test import Client
    from django.utils import translation

    from tests.conftest import valid_request

    public = Client()
    status = Client()
    assert open_status_link(status, world.a.token).status_code == 303
    forged = {field: str(world.b.ticket.pk)}
    before = state()

    form = public.post("/", valid_request(**forged), HTTP_ACCEPT_LANGUAGE=language)
    message = status.post("/status/", {"body": "Hello.", **forged}, HTTP_ACCEPT_LANGUAGE=language)

    with translation.override(language):
        expected = translation.gettext("The form contained fields it does not accept: %(fields)s. "
                                       "Nothing was saved. Please reload the page and try again.")
    expected = expected.split("%(fields)s")[0]
    assert language == "en" or not expected.startswith("The form contained")
    for response in (form, message):
        assert response.status_code == 400
        assert expected in html.unescape(page_text(response))
    assert state() == before


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_every_action_refuses_a_forged_status_or_queue_field(world: World, action: str) -> None:
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    api_name = action.replace("_", "-")
    forged = {"status": "closed", "queue_id": str(world.b.ticket.queue_id)}
    before = state()

    page = client.post(f"/staff/tickets/{reference}/{action}/", {**PAGE_INPUT[action], **forged})
    api = client.post(f"/api/v1/tickets/{reference}/{api_name}/", {**API_INPUT[api_name], **forged},
                      content_type="application/json")

    assert (page.status_code, api.status_code) == (400, 400)
    assert "status" in json.dumps(api.json())
    assert state() == before
