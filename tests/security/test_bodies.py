"""Oversize and malformed bodies (research F5): NUL bytes (PostgreSQL text refuses them, so an
unchecked one is a 500), invalid UTF-8, huge or deeply nested JSON, too many fields, a huge email
address. Each is a 400 (or 413) with a message, never a 500, and nothing changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import valid_request
from tests.security.world import World, page_text, state
from tests.support.status_links import open_status_link

pytestmark = pytest.mark.django_db


def no_server_error(response: Any, what: object) -> None:
    assert response.status_code in (400, 413), (what, response.status_code, page_text(response)[:500])
    assert page_text(response).strip(), what  # a message, not an empty answer


@pytest.mark.parametrize("field", ["name", "description", "email"])
def test_a_nul_byte_in_a_public_field_is_refused(world: World, field: str) -> None:
    before = state()

    response = Client().post("/", valid_request(**{field: "Maija\x00Mehiläinen"}), HTTP_ACCEPT_LANGUAGE="en")

    no_server_error(response, field)
    assert "Null characters are not allowed." in page_text(response) or field == "email"
    assert state() == before


def test_a_nul_byte_in_a_staff_text_or_an_api_body_is_refused(world: World) -> None:
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    before = state()

    page = client.post(f"/staff/tickets/{reference}/note/", {"note-body": "a\x00b"})
    api = client.post(f"/api/v1/tickets/{reference}/note/", {"body": "a\x00b"},
                      content_type="application/json")
    status = Client()
    assert open_status_link(status, world.a.token).status_code == 303
    requester = status.post("/status/", {"body": "a\x00b"})

    for what, response in (("page", page), ("api", api), ("status page", requester)):
        no_server_error(response, what)
    assert state() == before


def test_a_huge_email_address_is_refused(world: World) -> None:
    before = state()

    response = Client().post("/", valid_request(email="a" * 10_000 + "@example.org"))

    no_server_error(response, "email")
    assert state() == before


@pytest.mark.parametrize("body", [
    pytest.param(b"\xff\xfe\xfa not utf-8", id="invalid UTF-8"),
    pytest.param(b'{"body": "unterminated', id="broken JSON"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100,000 levels deep"),
    pytest.param(json.dumps({"body": "x" * 3_000_000}).encode(), id="3 MB"),
    pytest.param(b"null", id="null"),
    pytest.param(b'"a string"', id="a string"),
    pytest.param(b"[1, 2, 3]", id="a list"),
    pytest.param(json.dumps({"body": {"nested": "object"}}).encode(), id="an object for a text"),
    pytest.param(json.dumps({"body": ["a", "list"]}).encode(), id="a list for a text"),
])
def test_a_malformed_json_body_is_a_400_and_changes_nothing(world: World, body: bytes) -> None:
    client = world.client("agent_a")
    before = state()

    response = client.post(f"/api/v1/tickets/{world.a.ticket.reference}/note/", body,
                           content_type="application/json")

    no_server_error(response, body[:20])
    if response["Content-Type"] == "application/json":
        assert response.json()["message"]
    else:  # too large for Django to read at all: the plain 400 page (templates/400.html)
        assert "Nothing was saved" in page_text(response)
    assert state() == before


@pytest.mark.parametrize("body", [
    pytest.param(b"\xff\xfe\xfa", id="invalid UTF-8"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100,000 levels deep"),
    pytest.param(b"[1, 2, 3]", id="a list"),
    pytest.param(json.dumps({"kind": ["access"], "name": {"a": 1}}).encode(), id="wrong types"),
])
def test_a_malformed_intake_body_is_a_400_and_creates_nothing(world: World, body: bytes) -> None:
    before = state()

    response = Client().post("/api/v1/intake/", body, content_type="application/json")

    no_server_error(response, body[:20])
    assert state() == before


def test_too_many_fields_or_too_large_a_form_is_a_400_with_a_clear_page(world: World, settings: Any) -> None:
    before = state()
    many = {f"field{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    crowded = Client().post("/", {**valid_request(), **many})
    huge = Client().post("/", valid_request(description="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))

    for what, response in (("fields", crowded), ("size", huge)):
        no_server_error(response, what)
        assert "Nothing was saved" in page_text(response), what
    assert state() == before


@pytest.mark.parametrize("value", ["99", "-1", "0", "6", "x", ""])
def test_an_invalid_satisfaction_score_is_refused_with_a_message(world: World, value: str) -> None:
    from tickets import services

    services.ticket_resolve(ticket_id=world.a.ticket.pk, actor=world.people["agent_a"],
                            outcome="fulfilled", body="Done.")
    client = Client()
    assert open_status_link(client, world.a.token).status_code == 303
    before = state()

    response = client.post("/status/satisfaction/", {"score": value, "comment": ""},
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Choose a number from 1 to 5." in page_text(response)
    assert state() == before


@pytest.mark.parametrize("data", [
    {"outcome": "99", "body": "x"}, {"outcome": "", "body": "x"}, {"outcome": "fulfilled", "body": ""},
])
def test_an_invalid_choice_in_a_staff_action_is_refused(world: World, data: dict[str, str]) -> None:
    """Research F6 (helpdesk L4: new_status=99 was stored)."""
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    before = state()

    page = client.post(f"/staff/tickets/{reference}/resolve/",
                       {f"resolve-{key}": value for key, value in data.items()})
    api = client.post(f"/api/v1/tickets/{reference}/resolve/", data, content_type="application/json")

    assert (page.status_code, api.status_code) == (400, 400)
    assert state() == before


def test_a_transition_the_state_machine_forbids_is_a_409_with_its_reason(world: World) -> None:
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    before = state()

    page = client.post(f"/staff/tickets/{reference}/reopen/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    api = client.post(f"/api/v1/tickets/{reference}/reopen/", {}, content_type="application/json")

    assert (page.status_code, api.status_code) == (409, 409)
    assert "Only a resolved or closed ticket can be reopened." in page_text(page)
    assert api.json()["code"] == "illegal_transition"
    assert state() == before
