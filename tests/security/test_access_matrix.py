"""Least access, as one matrix: every persona by every staff page and API endpoint of the route
table, against the rule written once in tests/security/world.py. A ticket outside the persona's
queues is a 404 (never a 403: its existence does not leak); a refusal changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.routes import API_INPUT, BY_NAME, PAGE_INPUT, ROUTES, Route, fill
from tests.security.world import (
    ACTIVE_STAFF,
    PERSONAS,
    SEES_FIGURES,
    SEES_TICKETS_OF,
    SIGNED_OUT,
    World,
    page_text,
    state,
)

pytestmark = pytest.mark.django_db

READ_ROUTES = [route for route in ROUTES
               if route.access in ("staff", "ticket", "figures", "api_staff", "api_ticket", "api_figures")
               and not route.changes]


def expected(route: Route, persona: str, letter: str) -> int:
    """The status code the rule gives this persona on this route (for the ticket of queue `letter`)."""
    api = route.access.startswith("api_")
    if persona in SIGNED_OUT:
        return 401 if api else 302  # the API asks for credentials (a token), a page for the login
    if persona == "non_staff":
        return 403 if api else 404
    kind = route.access.removeprefix("api_")
    if kind == "ticket":
        return 200 if letter in SEES_TICKETS_OF[persona] else 404
    if kind == "figures":
        return 200 if persona in SEES_FIGURES else (403 if api else 404)
    return 200


def url(route: Route, world: World, letter: str, *, action: str = "") -> str:
    side = world.side(letter)
    return fill(route.path, ref=side.ticket.reference, attachment=side.attachment.pk, action=action)


@pytest.mark.parametrize("letter", ["a", "b"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_read_route_answers_each_persona_as_the_rule_says(world: World, persona: str,
                                                                letter: str) -> None:
    client = world.client(persona)
    side = world.side(letter)
    before = state()
    got = {}
    for route in READ_ROUTES:
        response = client.get(url(route, world, letter))
        got[route.name] = response.status_code
        if response.status_code == 302:
            assert "/staff/login/" in response["Location"], route.name
        if response.status_code in (401, 403, 404):  # a refusal says so, in words
            text = page_text(response)
            assert (response.json()["message"] if route.access.startswith("api_")
                    else "Page not found" in text), route.name
        if response.status_code == 200 and route.access == "ticket" and route.html:
            # The page is this ticket's, and holds nothing of a ticket the persona may not see.
            other_letter = "b" if letter == "a" else "a"
            other = world.side(other_letter)
            html = response.content.decode()
            assert side.ticket.requester_name in html
            if other_letter not in SEES_TICKETS_OF[persona]:
                assert other.ticket.requester_name not in html
                assert other.ticket.reference not in html

    assert got == {route.name: expected(route, persona, letter) for route in READ_ROUTES}
    assert state() == before


@pytest.mark.parametrize("persona", sorted(ACTIVE_STAFF))  # the others get no list at all (above)
def test_lists_and_exports_hold_only_the_personas_tickets(world: World, persona: str) -> None:
    client = world.client(persona)
    pages = {
        "queue": client.get("/staff/tickets/").content.decode(),
        "csv": page_text(client.get("/staff/tickets/export.csv")),
        "api": json.dumps(client.get("/api/v1/tickets/").json()),
    }

    for letter in ("a", "b"):
        reference = world.side(letter).ticket.reference
        for name, text in pages.items():
            assert (reference in text) == (letter in SEES_TICKETS_OF[persona]), (name, letter)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("agent_a", "manager_a", "dpo")])
@pytest.mark.parametrize("action", sorted(PAGE_INPUT))
def test_no_one_outside_queue_a_can_act_on_its_ticket_by_page_or_api(
    world: World, persona: str, action: str
) -> None:
    client = world.client(persona)
    reference = world.a.ticket.reference
    before = state()

    page = client.post(f"/staff/tickets/{reference}/{action}/", PAGE_INPUT[action])
    api_name = action.replace("_", "-")
    api = client.post(f"/api/v1/tickets/{reference}/{api_name}/", json.dumps(API_INPUT[api_name]),
                      content_type="application/json")

    page_route, api_route = BY_NAME["tickets:staff_action"], BY_NAME[f"api_{api_name}"]
    assert page.status_code == expected(page_route, persona, "a")
    assert api.status_code == expected(api_route, persona, "a")
    assert page.status_code != 200 and api.status_code != 200
    if api.status_code in (401, 403):
        assert api.json()["message"]  # says what is missing, in words
    assert state() == before


@pytest.mark.parametrize("persona", ["agent_a", "manager_a", "dpo"])
def test_those_in_queue_a_can_add_a_note_by_page_and_by_api(world: World, persona: str) -> None:
    client = world.client(persona)
    reference = world.a.ticket.reference
    notes = world.a.ticket.messages.filter(kind="internal_note").count()

    page = client.post(f"/staff/tickets/{reference}/note/", {"note-body": "By the page."})
    api = client.post(f"/api/v1/tickets/{reference}/note/", {"body": "By the API."},
                      content_type="application/json")

    assert (page.status_code, api.status_code) == (302, 200)
    assert world.a.ticket.messages.filter(kind="internal_note").count() == notes + 2


def test_removing_an_agent_from_the_queue_takes_effect_on_the_next_request(world: World) -> None:
    client = world.client("agent_a")
    path = f"/staff/tickets/{world.a.ticket.reference}/"
    assert client.get(path).status_code == 200

    world.a.ticket.queue.members.remove(world.people["agent_a"])

    assert client.get(path).status_code == 404
    assert client.get(f"/api/v1/tickets/{world.a.ticket.reference}/").status_code == 404


def test_a_superuser_in_no_queue_sees_figures_but_no_ticket(world: World) -> None:
    client = world.client("admin")

    dashboard = client.get("/staff/dashboard/")
    queue = client.get("/staff/tickets/")

    assert dashboard.status_code == 200
    assert world.a.ticket.requester_name not in dashboard.content.decode()
    assert world.a.ticket.reference not in queue.content.decode()
    assert client.get(f"/staff/tickets/{world.a.ticket.reference}/record/").status_code == 404


def _json_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _json_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _json_keys(item)}
    return set()


@pytest.mark.parametrize("persona", ["agent_a", "manager_a", "admin", "dpo"])
def test_no_json_answer_carries_a_secret_looking_key(world: World, persona: str) -> None:
    """A5: RT CVE-2026-44231 leaked credentials through a collection endpoint."""
    import re

    client = world.client(persona)
    reference = world.a.ticket.reference
    answers = [client.get(path) for path in ("/api/v1/tickets/", f"/api/v1/tickets/{reference}/",
                                             f"/api/v1/tickets/{reference}/messages/", "/api/v1/metrics/")]
    # "key" alone is the metrics' grouping label (a kind or a queue), not a credential.
    keys = set().union(*(_json_keys(answer.json()) for answer in answers)) - {"key"}

    assert not {key for key in keys if re.search(r"pass|secret|token|otp|totp|key|hash|salt|digest", key,
                                                 re.IGNORECASE)}
    body = "".join(answer.content.decode() for answer in answers)
    assert world.a.token not in body
