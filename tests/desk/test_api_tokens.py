"""API tokens: made from a session past the second factor, shown once, stored as a digest, scoped
to reading or to acting, and dead when revoked, expired, or their owner is deactivated."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from desk.models import ApiToken
from desk.tokens import api_token_issue
from tests.support.people import bearer, client_for, make_ticket, staff
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> Any:
    return staff("agent", member_of=("requests",))


def test_a_token_is_made_on_the_account_page_shown_once_and_kept_only_as_a_digest(agent: Any) -> None:
    page = client_for(agent)

    made = page.post("/staff/account/tokens/", {"name": "report script", "scope": "read", "days": "30"})
    secret = re.search(r'id="new-token">(pd_[^<]+)<', made.content.decode()).group(1)  # type: ignore[union-attr]
    later = page.get("/staff/account/")

    assert made.status_code == 200
    assert secret not in later.content.decode()
    assert "report script" in later.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM desk_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM desk_historicalapitoken")
        rows += cursor.fetchall()
    assert rows and secret not in repr(rows)
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200


def test_a_bad_token_form_is_refused_with_a_message_and_makes_nothing(agent: Any) -> None:
    response = client_for(agent).post("/staff/account/tokens/", {"name": "", "scope": "root", "days": "9999"})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_read_only_token_reads_but_cannot_act(agent: Any) -> None:
    ticket = make_ticket()
    secret = api_token_issue(user=agent, name="reader", scope=ApiToken.Scope.READ, days=30).secret
    client = bearer(secret)

    read = client.get(f"/api/v1/tickets/{ticket.reference}/")
    act = client.post(f"/api/v1/tickets/{ticket.reference}/claim/", {}, format="json")

    assert read.status_code == 200
    assert act.status_code == 403
    assert "only read" in act.json()["message"]
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.history.count() == 1


def test_a_token_that_may_act_acts_as_its_owner(agent: Any) -> None:
    ticket = make_ticket()
    secret = api_token_issue(user=agent, name="bot", scope=ApiToken.Scope.WRITE, days=30).secret

    response = bearer(secret).post(f"/api/v1/tickets/{ticket.reference}/claim/", {}, format="json")

    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_a_revoked_token_stops_at_once(agent: Any) -> None:
    issued = api_token_issue(user=agent, name="old", scope=ApiToken.Scope.READ, days=30)
    client = bearer(issued.secret)
    assert client.get("/api/v1/tickets/").status_code == 200

    revoked = client_for(agent).post(f"/staff/account/tokens/{issued.token.pk}/revoke/")
    after = client.get("/api/v1/tickets/")

    assert revoked.status_code == 302
    assert after.status_code == 401
    assert "revoked" in after.json()["message"]
    assert after["WWW-Authenticate"].startswith("Bearer")
    history = issued.token.history.order_by("-history_id").first()
    assert history.history_user == agent and history.history_change_reason == "revoked by its owner"


def test_nobody_revokes_another_persons_token(agent: Any) -> None:
    other = staff("other", member_of=("requests",))
    issued = api_token_issue(user=other, name="theirs", scope=ApiToken.Scope.READ, days=30)

    response = client_for(agent).post(f"/staff/account/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_an_expired_token_and_the_token_of_a_deactivated_account_are_refused(agent: Any) -> None:
    issued = api_token_issue(user=agent, name="short", scope=ApiToken.Scope.READ, days=30)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        expired = bearer(issued.secret).get("/api/v1/tickets/")
    fresh = api_token_issue(user=agent, name="fresh", scope=ApiToken.Scope.READ, days=30)
    agent.is_active = False
    agent.save()
    deactivated = bearer(fresh.secret).get("/api/v1/tickets/")

    assert expired.status_code == deactivated.status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer pd_guessed", "Bearer pd_" + "x" * 200,
                                    "Bearer \u00e9\u00e9"])
def test_malformed_or_guessed_tokens_are_refused_with_a_message(header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 401
    assert response.json()["message"]


def test_a_token_opens_no_staff_page(agent: Any) -> None:
    secret = api_token_issue(user=agent, name="api only", scope=ApiToken.Scope.WRITE, days=30).secret

    response = bearer(secret).get("/staff/tickets/")

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
