"""A lost database on the real server (issue 15, hole 18): PostgreSQL's connections are killed
(pg_terminate_backend, what a restart does to them) and new ones are refused (the connection points
at a closed port, as while the server is down). A live server answers API clients with a JSON 503
and `Retry-After`, pages with the plain "try again in a minute" page in the reader's language,
and once the database is back, everything answers again: no HTML 500 on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.db import connection

from tests.conftest import unavailable
from tests.support.people import client_for, make_ticket, staff
from tests.support.services import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def terminate_other_connections() -> int:
    """End every other backend of the test database, as a PostgreSQL restart ends them all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def database_down() -> Iterator[Any]:
    """A switch: `down()` kills the connections and sends new ones to a closed port; `up()` undoes
    it. The live server's threads read the same settings, so they lose the database too."""
    if connection.vendor != "postgresql":
        unavailable("the database-down test needs PostgreSQL (make test-integration)")
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]

    class Switch:
        def down(self) -> None:
            terminate_other_connections()
            settings_dict["PORT"] = str(free_port())  # nothing listens there: refused at once

        def up(self) -> None:
            settings_dict["PORT"] = real_port

    switch = Switch()
    yield switch
    switch.up()


@pytest.fixture
def signed_in(live_server: Any) -> dict[str, Any]:
    agent = staff("agent", member_of=("requests",))
    ticket = make_ticket()
    session = client_for(agent).cookies["sessionid"].value
    return {"cookies": {"sessionid": session}, "reference": ticket.reference, "url": live_server.url}


def get(signed_in: dict[str, Any], path: str, language: str = "en") -> requests.Response:
    return requests.get(signed_in["url"] + path, cookies=signed_in["cookies"], timeout=30,
                        headers={"Accept-Language": language}, allow_redirects=False)


def test_a_lost_database_is_a_json_503_for_the_api_and_a_plain_page_for_people(
        signed_in: dict[str, Any], database_down: Any) -> None:
    reference = signed_in["reference"]
    assert get(signed_in, "/api/v1/tickets/").status_code == 200  # the server's connection is open

    database_down.down()
    api_reads = [get(signed_in, path) for path in ("/api/v1/tickets/", f"/api/v1/tickets/{reference}/",
                                                   "/api/v1/metrics/")]
    api_write = requests.post(f"{signed_in['url']}/api/v1/tickets/{reference}/claim/", json={},
                              cookies=signed_in["cookies"], timeout=30, headers={"Accept-Language": "sv"})
    pages = {language: get(signed_in, "/staff/tickets/", language) for language in ("en", "fi", "sv")}
    database_down.up()
    after = get(signed_in, f"/api/v1/tickets/{reference}/")

    for response in [*api_reads, api_write]:
        assert response.status_code == 503, (response.url, response.status_code, response.text[:300])
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers["Retry-After"] == "60"
        assert response.json()["code"] == "unavailable"
        assert "no-store" in response.headers["Cache-Control"]
    assert "Försök igen om en minut" in api_write.json()["message"]
    for language, heading in (("en", "Try again in a minute"), ("fi", "Yritä uudelleen hetken kuluttua"),
                              ("sv", "Försök igen om en stund")):
        page = pages[language]
        assert page.status_code == 503, (language, page.status_code)
        assert page.headers["Content-Type"].startswith("text/html")
        assert page.headers["Retry-After"] == "60"
        assert f'<html lang="{language}">' in page.text
        assert heading in page.text
        assert "Traceback" not in page.text and "OperationalError" not in page.text
    assert after.status_code == 200, after.text[:300]
    assert after.json()["reference"] == reference



def test_an_unexpected_error_is_a_json_500_for_the_api_and_the_plain_page_for_people(
        signed_in: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Not the database: a bug. The live server's API answers JSON (it was Django's HTML page)."""
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug with a secret in it")

    monkeypatch.setattr("tickets.selectors.ticket_for_staff", broken)
    reference = signed_in["reference"]

    api = get(signed_in, f"/api/v1/tickets/{reference}/", "fi")
    page = get(signed_in, f"/staff/tickets/{reference}/", "fi")

    assert api.status_code == page.status_code == 500
    assert api.headers["Content-Type"].startswith("application/json")
    assert api.json()["code"] == "server_error"
    assert "Palvelussa on häiriö" in api.json()["message"]
    assert "Retry-After" not in api.headers  # a bug is not a wait
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Pahoittelemme, palvelussa on häiriö" in page.text
    assert "secret" not in api.text and "secret" not in page.text
