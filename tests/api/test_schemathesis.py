"""Schemathesis generates requests from the desk's own OpenAPI schema and sends them to the app,
as an agent of one queue and as nobody: no input may cause a server error, and no answer may
carry a ticket of the other queue."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from desk.models import ApiToken
from desk.tokens import api_token_issue
from desk.wsgi import application
from tests.support.people import staff
from tickets import services

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def callers(db: Any) -> dict[str, dict[str, str]]:
    """An agent of the requests queue with a ticket there, and a ticket in another queue."""
    agent = staff("schema-agent", member_of=("requests",))
    for kind in ("access", "complaint"):
        services.ticket_create(
            kind=kind, country="FI", region="", name=f"Other {kind}", email=f"{kind}@example.org",
            description="OTHER-QUEUE-MARKER" if kind == "complaint" else "mine",
            language="en", attachment=None, submission_key=None, received_at=timezone.now(),
            actor=None, reason="schemathesis seed", acknowledge=False)
    token = api_token_issue(user=agent, name="schemathesis", scope=ApiToken.Scope.WRITE, days=30)
    return {"agent": {"Authorization": f"Bearer {token.secret}"}, "anonymous": {}}


@pytest.mark.parametrize("caller", ["agent", "anonymous"])
@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_generated_request_breaks_the_api_or_leaks_another_queue(
    case: Any, callers: dict[str, dict[str, str]], caller: str
) -> None:
    response = case.call_and_validate(headers=callers[caller], checks=[not_a_server_error])

    assert "OTHER-QUEUE-MARKER" not in response.text
