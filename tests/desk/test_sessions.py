"""A staff session ends after a while without activity, after a fixed time in any case, when the
password changes, and when the account is deactivated."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.support.people import client_for, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> Any:
    return staff("agent", member_of=("requests",))


def test_a_session_without_activity_ends_and_says_why(agent: Any, settings: Any) -> None:
    settings.DESK_SESSION_IDLE_SECONDS = 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(agent)
        assert client.get("/staff/tickets/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        ended = client.get("/staff/tickets/")
        login = client.get(ended["Location"])
        again = client.get("/staff/tickets/")

    assert ended.status_code == 302 and ended["Location"].startswith("/staff/login/")
    assert "without activity" in login.content.decode()
    assert again.status_code == 302
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_until_its_time_limit(agent: Any, settings: Any) -> None:
    settings.DESK_SESSION_IDLE_SECONDS = 30 * 60
    settings.DESK_SESSION_MAX_SECONDS = 10 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(agent)
    statuses = []
    for minutes in range(20, 10 * 60, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            statuses.append(client.get("/staff/tickets/").status_code)
    with time_machine.travel(start + datetime.timedelta(hours=10, minutes=5), tick=False):
        ended = client.get("/staff/tickets/")
        login = client.get(ended["Location"])

    assert set(statuses) == {200}
    assert ended.status_code == 302
    assert "time limit" in login.content.decode()


def test_a_changed_password_ends_the_other_sessions(agent: Any) -> None:
    elsewhere = client_for(agent)
    assert elsewhere.get("/staff/tickets/").status_code == 200

    agent.set_password("another-long-test-password")
    agent.save()

    assert elsewhere.get("/staff/tickets/").status_code == 302


def test_a_deactivated_account_loses_its_sessions(agent: Any) -> None:
    client = client_for(agent)

    agent.is_active = False
    agent.save()

    assert client.get("/staff/tickets/").status_code == 302
    assert client.get("/api/v1/tickets/").status_code == 401


def test_the_session_cookie_is_http_only_and_short_lived(agent: Any, settings: Any) -> None:
    from django.test import Client

    response = Client().post("/staff/login/", {"username": "agent", "password": "a-long-test-password"})
    cookie = response.cookies["sessionid"]

    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.DESK_SESSION_MAX_SECONDS
