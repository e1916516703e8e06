"""Absurd dates, months and cursors (issue 15, hole 8): the first and last days the calendar has,
a month of year 0 or 9999, a cursor whose position is not a due date. Each was an HTTP 500 (an
OverflowError in the period's bounds, a ValueError in the month, a ValidationError in the cursor's
filter); each is a 400 with a message in the reader's language, and nothing changes.

Then every date, month and cursor parameter is sent, with every absurd value, to every route of the
route table (tests/security/routes.py) as a persona who reaches it: never a server error."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from tests.security.routes import ROUTES, fill
from tests.security.world import World, page_text, state
from tests.support.people import client_for

pytestmark = pytest.mark.django_db

CURSOR_FAR_OFF = "cD0xJnI9MQ=="  # base64 of "p=1&r=1": a position "1", not a due date
ABSURD_DATES = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31", "0000-01-01", "10000-01-01")
ABSURD_MONTHS = ("9999-12", "0000-01", "0001-01", "9999-13", "-0001-01")
# Cursors the desk never made: a position that is no due date, or no cursor at all.
MALFORMED_CURSORS = (
    CURSOR_FAR_OFF,
    base64.b64encode(b"p=9999-99-99&r=0").decode(),
    base64.b64encode(b"p=2026-01-01T00:00:00&r=0").decode(),
    base64.b64encode(b"p=' OR 1=1 --").decode(),
    base64.b64encode(b"p=\x00").decode(),
    base64.b64encode(b"o=abc&p=x").decode(),
    "!!!not-base64",
)
# Well-formed but far off: a position at the calendar's ends, an offset past every page.
ABSURD_CURSORS = (
    *MALFORMED_CURSORS,
    base64.b64encode(b"p=0001-01-01&r=1&o=5").decode(),
    base64.b64encode(b"p=9999-12-31&r=0").decode(),
    base64.b64encode(b"o=99999999999999999999").decode(),
)
# What each language says when a day is out of the desk's range (the forms' own message).
OUT_OF_RANGE = {"en": "Choose a day between", "fi": "Valitse päivä väliltä", "sv": "Välj en dag mellan"}
MONTH_OUT_OF_RANGE = {"en": "Choose a month between", "fi": "Valitse kuukausi väliltä",
                      "sv": "Välj en månad mellan"}
BAD_CURSOR = {"en": "This page of the list cannot be found", "fi": "Tätä listan sivua ei löydy",
              "sv": "Den här sidan av listan finns inte"}


def get(client: Client, path: str, query: dict[str, str], language: str = "en") -> Any:
    return client.get(path, query, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("path", ["/staff/dashboard/", "/api/v1/metrics/", "/staff/dashboard/status.csv"])
@pytest.mark.parametrize("period", [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"),
                                    ("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")])
def test_a_period_at_the_ends_of_the_calendar_is_a_400_in_the_readers_language(
        world: World, path: str, period: tuple[str, str], language: str) -> None:
    client = client_for(world.people["manager_a"], raise_request_exception=False)
    before = state()

    response = get(client, path, {"start": period[0], "end": period[1]}, language)

    assert response.status_code == 400, (path, period, response.status_code)
    assert OUT_OF_RANGE[language] in page_text(response)
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")
    assert state() == before


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("month", ["9999-12", "0000-01", "0001-01"])
def test_a_month_at_the_ends_of_the_calendar_is_a_400_in_the_readers_language(
        world: World, month: str, language: str) -> None:
    client = client_for(world.people["manager_a"], raise_request_exception=False)
    before = state()

    response = get(client, "/staff/reports/monthly/", {"month": month}, language)

    assert response.status_code == 400, (month, response.status_code)
    assert MONTH_OUT_OF_RANGE[language] in page_text(response)
    assert state() == before


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("cursor", MALFORMED_CURSORS)
def test_a_cursor_that_is_not_a_position_of_the_list_is_a_400_in_the_readers_language(
        world: World, cursor: str, language: str) -> None:
    client = client_for(world.people["dpo"], raise_request_exception=False)
    before = state()

    response = get(client, "/api/v1/tickets/", {"cursor": cursor}, language)

    assert response.status_code == 400, (cursor, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    assert BAD_CURSOR[language] in response.json()["message"]
    assert world.a.ticket.reference not in page_text(response)
    assert state() == before


def test_a_real_cursor_still_turns_the_page(world: World) -> None:
    client = world.client("dpo")

    first = client.get("/api/v1/tickets/", {"page_size": "1"}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["reference"] != second["results"][0]["reference"]


# Who reaches each kind of route, for the walk (the manager reaches the figures, the DPO both
# tickets; the rest are tried signed out, as a stranger would).
PERSONA_FOR = {"figures": "manager_a", "api_figures": "manager_a", "ticket": "dpo", "api_ticket": "dpo",
               "staff": "dpo", "api_staff": "dpo"}
FUZZED = [("start", value) for value in ABSURD_DATES] + [("end", value) for value in ABSURD_DATES] \
    + [("month", value) for value in ABSURD_MONTHS] + [("cursor", value) for value in ABSURD_CURSORS]


@pytest.mark.parametrize("route", [route for route in ROUTES if not route.changes], ids=lambda r: r.name)
def test_no_route_answers_an_absurd_date_month_or_cursor_with_a_server_error(world: World,
                                                                             route: Any) -> None:
    persona = PERSONA_FOR.get(route.access)
    client = client_for(world.people[persona] if persona else None, raise_request_exception=False)
    path = fill(route.path, ref=world.a.ticket.reference, attachment=world.a.attachment.pk)
    before = state()

    for name, value in FUZZED:
        query = {name: value}
        if name == "start":
            query["end"] = "2026-01-01"
        response = client.get(path, query, HTTP_ACCEPT_LANGUAGE="fi")
        assert response.status_code < 500, (route.name, query, response.status_code)
        if response.status_code == 400:
            assert page_text(response).strip(), (route.name, query)  # a 400 says why
    assert state() == before
