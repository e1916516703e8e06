"""The REST API: default deny, a ticket outside the caller's queues is a 404, errors are JSON with
a code and a message, refusals are 409 and change nothing, and the list's queries do not grow."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from desk.models import ApiToken
from desk.tokens import api_token_issue
from tests.conftest import valid_request
from tests.support.people import make_ticket, sign_in_fully, staff
from tests.tickets.test_staff import snapshot
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    return {
        "agent": staff("agent", member_of=("requests",)),
        "other_agent": staff("other", member_of=("complaints",)),
        "manager": staff("boss", manager_of=("requests",)),
        "no_queue": staff("admin"),
    }


def api_for(user: Any, *, token: bool = False) -> APIClient:
    """A client signed in as a browser is (password and second factor), or with an API token."""
    client = APIClient()
    if user is not None and token:
        issued = api_token_issue(user=user, name="test", scope=ApiToken.Scope.WRITE, days=30)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    elif user is not None:
        sign_in_fully(client, user)
    return client


BODIES = {
    "claim": {}, "note": {"body": "n"}, "reply": {"body": "r"}, "extend": {"reason": "complex"},
    "request-information": {"kind": "identity", "body": "Send your ID."},
    "resolve": {"outcome": "fulfilled", "body": "done"}, "reject": {"reason": "spam"},
    "close": {}, "reopen": {}, "assign": {"assignee": None}, "move": {"queue": "complaints"},
}


@pytest.mark.parametrize("persona", [None, "other_agent", "no_queue"])
@pytest.mark.parametrize("endpoint", ["", "messages/", *[f"{name}/" for name in BODIES]])
def test_outsiders_get_nothing_and_change_nothing(people: dict[str, Any], persona: str | None,
                                                  endpoint: str) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)
    client = api_for(people.get(persona or ""))
    url = f"/api/v1/tickets/{ticket.reference}/{endpoint}"

    response = client.get(url) if endpoint in ("", "messages/") else client.post(
        url, BODIES[endpoint.rstrip("/")], format="json")

    assert response.status_code == (401 if persona is None else 404)
    assert set(response.json()) >= {"code", "message"}
    assert snapshot(ticket) == before


@pytest.mark.parametrize("persona", ["agent", "manager"])
@pytest.mark.parametrize("token", [False, True])
def test_the_queues_people_read_the_ticket(people: dict[str, Any], persona: str, token: bool) -> None:
    ticket = make_ticket()
    client = api_for(people[persona], token=token)

    listing = client.get("/api/v1/tickets/")
    detail = client.get(f"/api/v1/tickets/{ticket.reference}/")

    assert listing.status_code == detail.status_code == 200
    assert [row["reference"] for row in listing.json()["results"]] == [ticket.reference]
    assert detail.json()["deadlines"]["final"] == "respond"
    assert "password" not in str(detail.json()).lower()


def test_the_list_hides_other_queues(people: dict[str, Any]) -> None:
    make_ticket(kind="complaint")

    assert api_for(people["agent"]).get("/api/v1/tickets/").json()["results"] == []


@pytest.mark.parametrize("action", sorted(set(BODIES) - {"reopen", "close", "assign", "move"}))
def test_each_action_goes_through_its_service(people: dict[str, Any], action: str) -> None:
    ticket = make_ticket()
    before = ticket.history.count()

    response = api_for(people["agent"]).post(f"/api/v1/tickets/{ticket.reference}/{action}/",
                                              BODIES[action], format="json")

    assert response.status_code == 200, response.json()
    assert ticket.history.count() == before + 1
    assert ticket.history.order_by("-history_id").first().history_user_id == people["agent"].pk


@pytest.mark.parametrize(
    ("action", "body", "code"),
    [("reopen", {}, "illegal_transition"), ("resolve", {"outcome": "refused", "body": "no"},
                                            "illegal_transition")],
)
def test_a_refusal_is_a_409_with_a_code_and_changes_nothing(
    people: dict[str, Any], action: str, body: dict[str, Any], code: str
) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    response = api_for(people["agent"]).post(f"/api/v1/tickets/{ticket.reference}/{action}/", body,
                                              format="json")

    assert response.status_code == 409
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    "body",
    [{"body": ""}, {"body": "x" * 20_001}, {"body": "ok", "status": "closed"}, {"body": ["list"]}, {}],
)
def test_bad_input_is_a_400_with_a_code_and_changes_nothing(people: dict[str, Any], body: Any) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    response = api_for(people["agent"]).post(f"/api/v1/tickets/{ticket.reference}/reply/", body,
                                              format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert snapshot(ticket) == before


def test_a_ticket_moves_only_to_a_queue_the_mover_works_in(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    refused = api_for(people["agent"]).post(f"/api/v1/tickets/{ticket.reference}/move/",
                                            {"queue": "complaints"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "assignment_not_allowed"
    assert snapshot(ticket) == before

    router = staff("router", member_of=("requests", "complaints"))
    moved = api_for(router).post(f"/api/v1/tickets/{ticket.reference}/move/", {"queue": "complaints"},
                                 format="json")
    assert moved.status_code == 200
    assert moved.json()["queue"] == "complaints"


def test_the_public_intake_validates_like_the_form_and_a_repeat_makes_one_ticket() -> None:
    client = APIClient()
    data = valid_request(submission_key=str(uuid.uuid4()))

    first = client.post("/api/v1/intake/", data, format="json")
    again = client.post("/api/v1/intake/", data, format="json")
    forged = client.post("/api/v1/intake/", {**valid_request(), "received_at": "2020-01-01"}, format="json")
    bad = client.post("/api/v1/intake/", valid_request(email="nope"), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert Ticket.objects.count() == 1
    assert forged.status_code == bad.status_code == 400
    assert "email" in bad.json()["errors"]


def test_the_schema_and_its_docs_are_served_without_third_party_assets() -> None:
    client = APIClient()

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/tickets/{reference}/extend/" in schema.content
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


@pytest.mark.parametrize("rows", [1, 25])
def test_the_api_list_makes_the_same_queries_at_1_and_25_rows(
    people: dict[str, Any], rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        make_ticket()
    client = api_for(people["agent"], token=True)
    client.get("/api/v1/tickets/")  # the token's first use stamps last_used_at (once in 5 minutes)
    # two: the live token with its owner; the page of tickets with their queue and assignee (the
    # caller's queues are a subquery)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/tickets/")
    assert len(response.json()["results"]) == rows
