"""Issue 15, hole 1 and the resend half of fault 18: a repeated `submission_key` is an
idempotency key, never a way into a request.

A repeat answers "already received" only to the browser that made the request, or to a browser
that opened an emailed link of the same address and posts that address; the API intake tells a
client that resends with the same email the reference, and nothing else. Anyone else gets no
access, no 302 to /status/, is told nothing about the request, and is counted by the rate
limits like any other submission. Every refusal changes nothing (tests/security/world.state).

The link half (hole 7: the secret never in a logged address, a link kept by the browser that
exchanged it) is in tests/tickets/test_status_page.py and tests/browser/test_status_link.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from desk.ratelimit import Rate
from tests.conftest import valid_request
from tests.security.world import state
from tests.support.status_links import open_status_link, secret_of
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

VICTIM = "198.51.100.7"
STRANGER = "203.0.113.9"


@pytest.fixture
def victim() -> tuple[Client, Ticket, str]:
    """A requester who filed a request from their browser; the key is in every copy of the form."""
    browser = Client(REMOTE_ADDR=VICTIM)
    key = str(uuid.uuid4())
    response = browser.post("/", valid_request(submission_key=key, email="victim@example.org",
                                               description="VICTIM-CANARY my health data"))
    assert response.status_code == 302
    return browser, Ticket.objects.get(submission_key=key), key


def open_link(client: Client, ticket: Ticket) -> None:
    """The requester opens an emailed link of `ticket` in `client` (its page, then its button)."""
    assert open_status_link(client, secret_of(services.status_link_issue(ticket))).status_code == 303


def assert_no_access(client: Client, response: Any, victim: Ticket) -> None:
    html = response.content.decode()
    assert response.status_code == 409
    assert "Location" not in response
    assert victim.reference not in html and "VICTIM-CANARY" not in html
    assert client.get("/status/").status_code == 404
    submitted = client.get("/submitted/")
    assert (submitted.status_code, submitted["Location"]) == (302, "/")


@pytest.mark.parametrize("email", ["stranger@example.org", "victim@example.org"])
def test_the_victims_key_from_another_browser_gets_no_access(
    victim: tuple[Client, Ticket, str], email: str,
) -> None:
    _browser, ticket, key = victim
    stranger = Client(REMOTE_ADDR=STRANGER)
    before = state()

    response = stranger.post("/", valid_request(submission_key=key, email=email, name="Mallory"),
                             HTTP_ACCEPT_LANGUAGE="en")

    assert_no_access(stranger, response, ticket)
    html = response.content.decode()
    assert "This form was sent already" in html
    assert f'value="{key}"' not in html  # the form comes back under a fresh key
    assert state() == before


def test_the_victims_key_is_counted_by_the_rate_limits(
    victim: tuple[Client, Ticket, str], settings: Any,
) -> None:
    _browser, _ticket, key = victim
    settings.DESK_RATE_FORM_ADDRESS = Rate(2, 3600)
    settings.DESK_RATE_FORM_EMAIL = Rate(2, 3600)
    stranger = Client(REMOTE_ADDR=STRANGER)
    before = state()

    answers = [stranger.post("/", valid_request(submission_key=key, email="mallory@example.org"))
               for _ in range(3)]
    # The email address was counted too: from another address, its next request is over the limit.
    elsewhere = Client(REMOTE_ADDR="192.0.2.44").post("/", valid_request(email="mallory@example.org"))

    assert [answer.status_code for answer in answers] == [409, 409, 429]
    assert elsewhere.status_code == 429
    assert state() == before
    assert stranger.get("/status/").status_code == 404


def test_a_request_made_with_the_victims_address_proves_nothing(victim: tuple[Client, Ticket, str]) -> None:
    """Anyone may type anyone's address into the form, and the browser that does gets the status
    page of the request it made: that is no proof of the mailbox, only an emailed link is."""
    _browser, _ticket, key = victim
    stranger = Client(REMOTE_ADDR=STRANGER)
    own = stranger.post("/", valid_request(email="victim@example.org", description="MALLORY"))
    assert own.status_code == 302
    before = state()

    response = stranger.post("/", valid_request(submission_key=key, email="victim@example.org"))

    assert response.status_code == 409
    assert "VICTIM-CANARY" not in stranger.get("/status/").content.decode()
    assert state() == before


def test_the_same_browser_reposting_its_key_is_told_already_received(
    victim: tuple[Client, Ticket, str], settings: Any,
) -> None:
    browser, ticket, key = victim
    settings.DESK_RATE_FORM_ADDRESS = Rate(1, 3600)  # its first post used the one allowed
    before = state()

    response = browser.post("/", valid_request(submission_key=key, email="victim@example.org"),
                            HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Location"]) == (302, "/submitted/")
    page = browser.get("/submitted/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ticket.reference in page
    assert "You had sent this form already. We received it once" in page
    assert state() == before  # no second ticket, email or history entry


def test_the_same_email_proven_by_its_status_link_is_told_already_received(
    victim: tuple[Client, Ticket, str],
) -> None:
    """The requester's post failed after it was saved, and they open an emailed link of the same
    address on another computer (a request of theirs from before), then send the form again."""
    _browser, ticket, key = victim
    earlier = services.ticket_create(
        kind="complaint", country="FI", region="", name="Victim", email="victim@example.org",
        description="An earlier request.", language="en", attachment=None, submission_key=None,
        received_at=ticket.received_at, actor=None, reason="test", acknowledge=False).ticket
    laptop = Client(REMOTE_ADDR="192.0.2.50")
    open_link(laptop, earlier)
    before = state()

    response = laptop.post("/", valid_request(submission_key=key, email="victim@example.org"),
                           HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Location"]) == (302, "/submitted/")
    assert ticket.reference in laptop.get("/submitted/").content.decode()
    assert state() == before


def test_a_status_link_of_another_address_proves_nothing(victim: tuple[Client, Ticket, str]) -> None:
    _browser, ticket, key = victim
    own = services.ticket_create(
        kind="complaint", country="FI", region="", name="Mallory", email="mallory@example.org",
        description="Mine.", language="en", attachment=None, submission_key=None,
        received_at=ticket.received_at, actor=None, reason="test", acknowledge=False).ticket
    stranger = Client(REMOTE_ADDR=STRANGER)
    open_link(stranger, own)
    before = state()

    response = stranger.post("/", valid_request(submission_key=key, email="victim@example.org"))

    assert response.status_code == 409
    assert "VICTIM-CANARY" not in stranger.get("/status/").content.decode()
    assert state() == before


def test_an_api_resend_with_the_same_email_is_told_the_reference_and_nothing_else() -> None:
    client = APIClient(REMOTE_ADDR=VICTIM)
    data = valid_request(email="api@example.org")
    first = client.post("/api/v1/intake/", data, format="json")
    assert first.status_code == 201
    before = state()

    # The answer was lost after the commit; the client sends the same request again.
    again = client.post("/api/v1/intake/", data, format="json")

    assert again.status_code == 200
    assert again.json() == {"reference": first.json()["reference"], "created": False}
    assert state() == before


def test_an_api_resend_with_another_email_gets_no_reference_and_is_counted(
    victim: tuple[Client, Ticket, str], settings: Any,
) -> None:
    _browser, ticket, key = victim
    settings.DESK_RATE_FORM_ADDRESS = Rate(2, 3600)
    client = APIClient(REMOTE_ADDR=STRANGER)
    before = state()

    answers = [client.post("/api/v1/intake/", valid_request(submission_key=key, email="mallory@example.org"),
                           format="json") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [409, 409, 429]
    body = answers[0].json()
    assert body["code"] == "submission_key_used"
    assert set(body) == {"code", "message"}
    assert ticket.reference not in answers[0].content.decode()
    assert state() == before
