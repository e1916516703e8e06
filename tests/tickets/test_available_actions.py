"""One answer to "what may I do with this ticket now, and why not the rest" (issue 16, item 11):
for every status, under a law with an extension and one without, each action the selector offers
is accepted by its service, and each it refuses is refused by the page and the API with the same
words, changing nothing. The page offers exactly what the API lists as allowed."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation
from rest_framework.test import APIClient

from tests.support.people import client_for, make_ticket, sign_in_fully, staff
from tests.tickets.test_staff import snapshot
from tickets import services
from tickets.actions import NAMES as ACTION_NAMES
from tickets.actions import available_actions, ticket_act
from tickets.errors import Refusal
from tickets.lifecycle import Status
from tickets.models import Queue, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The selector answers in the active language: English here unless a test asks for another
    (a request before may have left its own active in this thread)."""
    with translation.override("en"):
        yield


@pytest.fixture
def desk() -> dict[str, Any]:
    """An agent of two queues (so a move is possible), a colleague to assign to, a manager who
    oversees the requests queue without working in it."""
    return {
        "agent": staff("agent", member_of=("requests", "complaints")),
        "colleague": staff("colleague", member_of=("requests",)),
        "manager": staff("boss", manager_of=("requests",)),
    }


# Input each service accepts, and the same as the page's forms (their prefixes) and the API's bodies.
def service_data(action: str, desk: dict[str, Any]) -> dict[str, Any]:
    return {
        "claim": {}, "note": {"body": "Checked the CRM."}, "reply": {"body": "Here it is."},
        "request_information": {"kind": "clarification", "body": "Which account?"},
        "extend": {"reason": "Many systems to search."},
        "resolve": {"outcome": "fulfilled", "body": "Done.", "reason": ""},
        "reject": {"reason": "Manifestly unfounded."}, "close": {"reason": ""}, "reopen": {"reason": ""},
        "assign": {"assignee": desk["colleague"].pk, "reason": ""},
        "move": {"queue_id": Queue.objects.get(slug="complaints").pk, "reason": ""},
    }[action]


PAGE_DATA = {
    "claim": {}, "note": {"note-body": "n"}, "reply": {"reply-body": "r"},
    "request_information": {"info-kind": "clarification", "info-body": "Which account?"},
    "extend": {"extend-reason": "Many systems to search."},
    "resolve": {"resolve-outcome": "fulfilled", "resolve-body": "Done.", "resolve-reason": ""},
    "reject": {"reject-reason": "Unfounded."}, "close": {"reason": ""}, "reopen": {"reason": ""},
    "assign": {"assignee": "", "reason": ""}, "move": {"queue": "", "reason": ""},  # the queue: below
}
API_DATA = {
    "claim": {}, "note": {"body": "n"}, "reply": {"body": "r"},
    "request_information": {"kind": "clarification", "body": "Which account?"},
    "extend": {"reason": "complex"}, "resolve": {"outcome": "fulfilled", "body": "done"},
    "reject": {"reason": "spam"}, "close": {}, "reopen": {}, "assign": {"assignee": None},
    "move": {"queue": "complaints"},
}


def in_status(status: Status, country: str, actor: Any) -> Ticket:
    """A fresh ticket brought to `status` through the services, as staff would."""
    ticket = make_ticket(country=country, received_at=timezone.now() - datetime.timedelta(days=2))
    pk = ticket.pk
    if status == Status.IN_PROGRESS:
        services.ticket_reply(ticket_id=pk, actor=actor, body="We are on it.")
    elif status in (Status.AWAITING_VERIFICATION, Status.AWAITING_REQUESTER):
        kind = "identity" if status == Status.AWAITING_VERIFICATION else "clarification"
        services.ticket_request_information(ticket_id=pk, actor=actor, kind=kind, body="Please.")
    elif status in (Status.RESOLVED, Status.CLOSED):
        services.ticket_resolve(ticket_id=pk, actor=actor, outcome="fulfilled", body="Done.")
        if status == Status.CLOSED:
            services.ticket_close(ticket_id=pk, actor=actor, reason="")
    elif status == Status.WITHDRAWN:
        services.ticket_resolve(ticket_id=pk, actor=actor, outcome="withdrawn", body="As you asked.")
    elif status == Status.REJECTED:
        services.ticket_reject(ticket_id=pk, actor=actor, reason="Unfounded.")
    ticket = Ticket.objects.select_related("queue", "assignee").get(pk=pk)
    assert ticket.status == status
    return ticket


def api_for(user: Any) -> APIClient:
    client = APIClient()
    sign_in_fully(client, user)
    return client


def flash(page: str) -> str:
    found = re.search(r'<p class="message message--error">(.*?)</p>', page, re.DOTALL)
    assert found is not None, "no error message on the page"
    return unescape(found.group(1))


# FI: the GDPR (one extension, notified within the first month); BR: the LGPD (none at all).
@pytest.mark.parametrize("country", ["FI", "BR"])
@pytest.mark.parametrize("status", list(Status))
def test_what_is_offered_is_accepted_and_what_is_not_is_refused_in_the_same_words(
    desk: dict[str, Any], status: Status, country: str
) -> None:
    agent = desk["agent"]
    ticket = in_status(status, country, agent)
    answer = available_actions(ticket, agent)
    assert answer.allowed | set(answer.refused) == set(ACTION_NAMES)
    assert not answer.allowed & set(answer.refused)

    before = ticket.history.count()
    for action in sorted(answer.allowed):  # each from the same state: undone after it is checked
        undo = transaction.savepoint()
        ticket_act(action=action, ticket_id=ticket.pk, actor=agent, data=service_data(action, desk))
        assert ticket.history.count() == before + 1, action
        transaction.savepoint_rollback(undo)

    page, api = client_for(agent), api_for(agent)
    for action, refused in answer.refused.items():
        assert refused.message and "_" not in refused.message, (action, refused.message)  # words, not codes
        before = snapshot(ticket)
        data = PAGE_DATA[action] | ({"queue": str(service_data("move", desk)["queue_id"])}
                                     if action == "move" else {})
        shown = page.post(f"/staff/tickets/{ticket.reference}/{action}/", data)
        told = api.post(f"/api/v1/tickets/{ticket.reference}/{action.replace('_', '-')}/", API_DATA[action],
                        format="json")
        assert shown.status_code == told.status_code == 409, action
        assert flash(shown.content.decode()) == refused.message == told.json()["message"]
        assert told.json()["code"] == refused.refusal.code
        assert snapshot(ticket) == before


@pytest.mark.parametrize("status", list(Status))
def test_the_page_offers_what_the_api_lists_as_allowed_and_explains_the_rest(
    desk: dict[str, Any], status: Status
) -> None:
    ticket = in_status(status, "FI", desk["agent"])

    page = client_for(desk["agent"]).get(f"/staff/tickets/{ticket.reference}/").content.decode()
    listed = api_for(desk["agent"]).get(f"/api/v1/tickets/{ticket.reference}/").json()["actions"]

    assert [entry["action"] for entry in listed] == list(ACTION_NAMES)
    offered = {action for action in ACTION_NAMES
               if f'id="action-{action}"' in page}  # a form's <details> or a button
    assert offered == {entry["action"] for entry in listed if entry["allowed"]}
    for entry in listed:
        explained = re.search(rf'<dd id="why-not-{entry["action"]}">(.*?)</dd>', page, re.DOTALL)
        if entry["allowed"]:
            assert entry["reason"] == "" and explained is None
        else:
            assert explained is not None and unescape(explained.group(1)) == entry["reason"]


def test_a_stale_page_posting_a_refused_action_reads_why_even_with_bad_input(desk: dict[str, Any]) -> None:
    ticket = make_ticket(country="BR")
    before = snapshot(ticket)

    url = f"/staff/tickets/{ticket.reference}/extend/"
    empty = client_for(desk["agent"]).post(url, {"extend-reason": ""})
    typed = client_for(desk["agent"]).post(url, PAGE_DATA["extend"])

    assert (empty.status_code, typed.status_code) == (400, 409)  # malformed input stays a 400
    for response in (empty, typed):
        assert flash(response.content.decode()) == "Brazil LGPD allows no extension of the deadline."
    assert snapshot(ticket) == before


def test_a_claimed_ticket_no_longer_offers_assign_to_me(desk: dict[str, Any]) -> None:
    ticket = make_ticket()
    client = client_for(desk["agent"])
    assert 'id="action-claim"' in client.get(f"/staff/tickets/{ticket.reference}/").content.decode()

    client.post(f"/staff/tickets/{ticket.reference}/claim/")
    page = client.get(f"/staff/tickets/{ticket.reference}/").content.decode()

    assert 'id="action-claim"' not in page
    assert '<dd id="why-not-claim">This ticket is already yours.</dd>' in page
    # The colleague may still take it over.
    assert available_actions(ticket, desk["colleague"]).allows("claim")


def test_a_manager_outside_the_queue_cannot_claim_but_may_assign(desk: dict[str, Any]) -> None:
    ticket = Ticket.objects.select_related("queue").get(pk=make_ticket().pk)

    answer = available_actions(ticket, desk["manager"])

    queue = ticket.queue.name
    assert answer.why_not("claim") == f"Only the agents of the queue {queue} can take its tickets."
    assert answer.allows("assign") and answer.allows("reply")
    assert answer.why_not("move") == ("You can move tickets only to queues you work in, and you work in "
                                      "no other queue.")


@pytest.mark.parametrize(
    ("country", "kind", "reason"),
    [
        ("BR", "access", "Brazil LGPD allows no extension of the deadline."),
        ("CH", "erasure", "Swiss FADP allows no extension of the deadline."),
        ("FI", "complaint", "Complaints and questions follow the organisation's own service levels, "
                            "which are not extended."),
        ("US", "opt_out", "Under California Consumer Privacy Act, this kind of request cannot be extended."),
    ],
)
def test_extend_is_not_offered_where_the_law_or_the_kind_allows_none(
    desk: dict[str, Any], country: str, kind: str, reason: str
) -> None:
    ticket = make_ticket(kind=kind, country=country, region="CA" if country == "US" else "")
    page = client_for(desk["agent"]).get(f"/staff/tickets/{ticket.reference}/").content.decode()

    assert 'id="action-extend"' not in page
    assert f'<dd id="why-not-extend">{reason}</dd>' in unescape(page)


def test_extend_is_offered_once_and_not_after_the_notice_date(desk: dict[str, Any]) -> None:
    ticket = make_ticket(country="FI")
    notice = datetime.date.fromisoformat(ticket.deadlines["deadlines"]["extension_notice"]["due"][:10])
    agent = desk["agent"]

    assert available_actions(ticket, agent, today=notice).allows("extend")
    late = available_actions(ticket, agent, today=notice + datetime.timedelta(days=1))
    assert not late.allows("extend")
    assert late.why_not("extend").startswith("An extension had to be told to the requester by ")

    services.ticket_extend(ticket_id=ticket.pk, actor=agent, reason="Many systems.")
    again = available_actions(Ticket.objects.get(pk=ticket.pk), agent)
    assert again.why_not("extend") == "This ticket has already been extended once."


def test_the_reasons_are_in_the_readers_language(desk: dict[str, Any]) -> None:
    ticket = make_ticket(country="BR")
    services.ticket_claim(ticket_id=ticket.pk, actor=desk["agent"])
    ticket = Ticket.objects.select_related("queue").get(pk=ticket.pk)

    with translation.override("fi"):
        finnish = available_actions(ticket, desk["agent"])
    page = client_for(desk["agent"], HTTP_ACCEPT_LANGUAGE="fi").get(
        f"/staff/tickets/{ticket.reference}/").content.decode()
    told = api_for(desk["agent"]).post(f"/api/v1/tickets/{ticket.reference}/extend/", {"reason": "x"},
                                       format="json", HTTP_ACCEPT_LANGUAGE="fi")

    assert finnish.why_not("claim") == "Tämä tiketti on jo sinulla."
    assert finnish.why_not("extend").endswith("ei salli määräajan jatkamista.")
    assert "lgpd" not in finnish.why_not("extend")  # the law's name, never its code
    assert finnish.why_not("extend") in unescape(page)
    assert "Miksi osa toiminnoista puuttuu?" in page
    assert told.status_code == 409 and told.json()["message"] == finnish.why_not("extend")


def test_an_erased_ticket_says_once_that_nothing_can_be_done(desk: dict[str, Any]) -> None:
    agent = desk["agent"]
    ticket = in_status(Status.CLOSED, "FI", agent)
    services.ticket_erase_personal_data(ticket_id=ticket.pk, actor=None, reason="retention",
                                        now=timezone.now() + datetime.timedelta(days=3650))
    ticket.refresh_from_db()

    answer = available_actions(ticket, agent)
    page = client_for(agent).get(f"/staff/tickets/{ticket.reference}/").content.decode()

    assert answer.allowed == frozenset()
    assert answer.blocked.startswith("The personal data of this request was erased")
    assert answer.blocked in unescape(page)
    assert "why-not" not in page
    with pytest.raises(Refusal):
        answer.refuse_unless_allowed("note")


def test_the_answer_costs_one_query(desk: dict[str, Any], django_assert_num_queries: Any) -> None:
    ticket = Ticket.objects.select_related("queue", "assignee").get(pk=make_ticket().pk)

    # The user's membership and management of the queue, another queue of theirs, a colleague to
    # assign to, an extension, an open pause: EXISTS each, in one SELECT.
    with django_assert_num_queries(1):
        available_actions(ticket, desk["agent"])
