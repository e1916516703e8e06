"""What every API answer is (issue 15, holes 9 and 18): never kept by a cache once a caller is
signed in (/api/v1/metrics/ carried per-agent figures without `Cache-Control: no-store`), and
always JSON, an unexpected error included (it was Django's HTML 500 page)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.routes import API_INPUT, ROUTES, fill
from tests.security.world import World, state
from tests.support.people import client_for

pytestmark = pytest.mark.django_db

# Every API route a signed-in caller reaches (the intake is public: no one is signed in there).
API_ROUTES = [route for route in ROUTES if route.access.startswith("api_") and route.access != "api_public"]
# Who reaches each kind of API route, and who is signed in but refused (another queue, no figures).
REACHES = {"api_staff": "dpo", "api_ticket": "agent_a", "api_figures": "manager_a"}
REFUSED = {"api_staff": "non_staff", "api_ticket": "agent_b", "api_figures": "agent_a"}


def call(client: Any, route: Any, world: World) -> Any:
    path = fill(route.path, ref=world.a.ticket.reference)
    if route.changes:
        action = path.rstrip("/").rsplit("/", 1)[-1]
        return client.post(path, API_INPUT[action], content_type="application/json")
    return client.get(path)


def test_the_walk_covers_every_kind_of_api_route() -> None:
    assert {route.access for route in API_ROUTES} == set(REACHES) == set(REFUSED)
    assert any(route.name == "api_metrics" for route in API_ROUTES)


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("who", ["reaches", "refused"])
def test_every_signed_in_api_answer_is_no_store_and_json(world: World, route: Any, who: str) -> None:
    persona = (REACHES if who == "reaches" else REFUSED)[route.access]
    client = client_for(world.people[persona])

    response = call(client, route, world)

    where = (route.name, persona, response.status_code)
    if who == "reaches":
        assert response.status_code in (200, 409), where
    else:
        assert response.status_code in (403, 404), where
    assert "no-store" in response["Cache-Control"], where
    assert response["Content-Type"].startswith("application/json"), where


def test_the_metrics_answer_is_not_cached_with_a_token_either(world: World) -> None:
    from desk.tokens import api_token_issue

    issued = api_token_issue(user=world.people["manager_a"], name="metrics", scope="read", days=30)
    response = client_for(None).get("/api/v1/metrics/", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json()["over_period"]["agents"] is not None


def test_an_unexpected_error_in_the_api_is_a_json_500(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("tickets.selectors.ticket_for_staff", broken)
    client = client_for(world.people["agent_a"], raise_request_exception=False)
    before = state()

    read = client.get(f"/api/v1/tickets/{world.a.ticket.reference}/", HTTP_ACCEPT_LANGUAGE="fi")
    act = client.post(f"/api/v1/tickets/{world.a.ticket.reference}/claim/", {},
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE="sv")

    for response, language_word in ((read, "Palvelussa"), (act, "tjänsten")):
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "server_error"
        assert language_word in response.json()["message"]
        assert "a bug" not in response.content.decode()  # nothing of the error's insides
        assert "no-store" in response["Cache-Control"]
    assert state() == before


def test_an_unknown_api_address_is_a_json_404(world: World) -> None:
    response = client_for(world.people["agent_a"]).get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_lost_database_is_a_503_with_retry_after_json_for_the_api_a_plain_page_for_people(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast suite's half of tests/integration/test_database_down.py: the error the database
    driver raises when the server is gone, from a read the page and the API both make."""
    from django.db import OperationalError

    def gone(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("tickets.selectors.ticket_queue", gone)
    client = client_for(world.people["agent_a"], raise_request_exception=False)

    api = client.get("/api/v1/tickets/", HTTP_ACCEPT_LANGUAGE="fi")
    page = client.get("/staff/tickets/", HTTP_ACCEPT_LANGUAGE="sv")

    assert api.status_code == page.status_code == 503
    assert api["Retry-After"] == page["Retry-After"] == "60"
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["code"] == "unavailable"
    assert "Yritä uudelleen minuutin kuluttua" in api.json()["message"]
    assert page["Content-Type"].startswith("text/html")
    text = page.content.decode()
    assert '<html lang="sv">' in text and "Försök igen om en stund" in text
    assert "server closed" not in text and "server closed" not in api.content.decode()


def test_a_body_django_cannot_read_is_a_json_400_under_the_api(world: World) -> None:
    """Too many fields for Django to parse (DATA_UPLOAD_MAX_NUMBER_FIELDS): its 400 page was HTML."""
    body = "&".join(f"field{number}=x" for number in range(1_200))
    before = state()

    response = client_for(None).post("/api/v1/intake/", body, HTTP_ACCEPT_LANGUAGE="fi",
                                     content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request"
    assert "Pyyntöä ei voitu lukea" in response.json()["message"]
    assert state() == before
