"""The agent workspace: who sees what (one matrix), every action one history entry with its actor
and reason, every refusal nothing at all, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from notifications.models import Outbox
from tests.conftest import valid_request
from tests.support.people import client_for, make_ticket
from tickets import selectors, services
from tickets.models import AccessLog, ClockPause, Extension, Message, Ticket

pytestmark = pytest.mark.django_db
User = get_user_model()


def snapshot(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (ticket.status, ticket.assignee_id, ticket.queue_id, ticket.due_date, ticket.history.count(),
            Message.objects.count(), Outbox.objects.count(), ClockPause.objects.count(),
            Extension.objects.count())


ACTIONS = {
    "claim": {},
    "reply": {"reply-body": "Here is your data."},
    "note": {"note-body": "Checked the CRM."},
    "request_information": {"info-kind": "clarification", "info-body": "Which account?"},
    "extend": {"extend-reason": "Many systems to search."},
    "resolve": {"resolve-outcome": "fulfilled", "resolve-body": "Done.", "resolve-reason": ""},
    "reject": {"reject-reason": "Manifestly unfounded."},
    "assign": {"assignee": "", "reason": ""},
}


@pytest.mark.parametrize("persona", [None, "other_agent", "no_queue"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_no_one_outside_the_queue_can_act_and_nothing_changes(
    people: dict[str, Any], persona: str | None, action: str
) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    response = client_for(people.get(persona or "")).post(
        f"/staff/tickets/{ticket.reference}/{action}/", ACTIONS[action])

    if persona is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
    else:
        assert response.status_code == 404
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("persona", "queue_page", "ticket_page"),
    [(None, 302, 302), ("other_agent", 200, 404), ("no_queue", 200, 404), ("agent", 200, 200),
     ("manager", 200, 200)],
)
def test_who_sees_the_queue_and_the_ticket(
    people: dict[str, Any], persona: str | None, queue_page: int, ticket_page: int
) -> None:
    ticket = make_ticket()
    client = client_for(people.get(persona or ""))

    listing = client.get("/staff/tickets/")
    page = client.get(f"/staff/tickets/{ticket.reference}/")

    assert (listing.status_code, page.status_code) == (queue_page, ticket_page)
    if queue_page == 200:
        assert (ticket.reference in listing.content.decode()) == (ticket_page == 200)


def test_a_signed_in_non_staff_user_sees_nothing(people: dict[str, Any]) -> None:
    user = User.objects.create_user("customer", "c@example.org", "a-long-test-password")
    ticket = make_ticket()

    assert client_for(user).get("/staff/tickets/").status_code == 404
    assert client_for(user).get(f"/staff/tickets/{ticket.reference}/").status_code == 404


def test_a_state_change_over_get_is_refused(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    response = client_for(people["agent"]).get(f"/staff/tickets/{ticket.reference}/claim/")

    assert response.status_code == 405
    assert snapshot(ticket) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_leaves_one_history_entry_with_its_actor_and_reason(
    people: dict[str, Any], action: str
) -> None:
    ticket = make_ticket()
    agent = people["agent"]
    before = ticket.history.count()
    data = {"assignee": str(agent.pk), "reason": ""} if action == "assign" else ACTIONS[action]

    response = client_for(agent).post(f"/staff/tickets/{ticket.reference}/{action}/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ticket.history.count() == before + 1
    entry = ticket.history.order_by("-history_date", "-history_id").first()
    assert entry is not None
    assert entry.history_user_id == agent.pk
    assert entry.history_change_reason


def test_the_agent_day_reply_pause_answer_extend_resolve_close_reopen(people: dict[str, Any]) -> None:
    agent = client_for(people["agent"])
    ticket = make_ticket(received_at=timezone.now() - datetime.timedelta(days=3))
    url = f"/staff/tickets/{ticket.reference}"

    agent.post(f"{url}/claim/")
    agent.post(f"{url}/request_information/", ACTIONS["request_information"])
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_requester"
    assert ticket.deadlines["paused"] is True
    due_before_answer = ticket.due_date

    services.ticket_add_requester_message(ticket=ticket, body="The one ending 42.", attachment=None)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.pauses.get().ended_at is not None
    assert ticket.due_date >= due_before_answer  # a pause never shortens a deadline

    agent.post(f"{url}/extend/", ACTIONS["extend"])
    ticket.refresh_from_db()
    extension = Extension.objects.get(ticket=ticket)
    assert ticket.due_date == extension.new_due_date > extension.previous_due_date
    assert Outbox.objects.filter(ticket=ticket, event="extended").count() == 1

    agent.post(f"{url}/reply/", ACTIONS["reply"])
    agent.post(f"{url}/resolve/", ACTIONS["resolve"])
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome) == ("resolved", "fulfilled")
    resolved = Outbox.objects.get(ticket=ticket, event="resolved")
    assert "right to complain to the authority that enforces the privacy law" in resolved.body_text
    assert "Office of the Data Protection Ombudsman" in resolved.body_text  # a Finnish requester's
    agent.post(f"{url}/close/", {"reason": ""})
    agent.post(f"{url}/reopen/", {"reason": "The requester wrote again."})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    page = agent.get(f"{url}/").content.decode()
    # Each system reason in words (tickets/reasons.py), the agent's own reason as typed.
    for text in ("Claimed", "the clock is paused", "The requester answered", "Extended:",
                 "Reply sent to the requester", "Resolved: Fulfilled", "The requester wrote again."):
        assert text in page
    assert "resolved: fulfilled" not in page


@pytest.mark.parametrize(
    ("setup", "action", "data", "message"),
    [
        (None, "reopen", {"reason": "x"}, "Only a resolved or closed ticket"),
        ("extend", "extend", ACTIONS["extend"], "already been extended"),
        ("pause", "request_information", ACTIONS["request_information"], "already waiting"),
        (None, "resolve", {"resolve-outcome": "refused", "resolve-body": "No.", "resolve-reason": ""},
         "legal reason"),
        ("claim", "claim", {}, "already yours"),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(
    people: dict[str, Any], setup: str | None, action: str, data: dict[str, str], message: str
) -> None:
    ticket = make_ticket()
    agent = client_for(people["agent"])
    if setup == "extend":
        agent.post(f"/staff/tickets/{ticket.reference}/extend/", ACTIONS["extend"])
    elif setup == "pause":
        agent.post(f"/staff/tickets/{ticket.reference}/request_information/",
                   ACTIONS["request_information"])
    elif setup == "claim":
        agent.post(f"/staff/tickets/{ticket.reference}/claim/")
    before = snapshot(ticket)

    response = agent.post(f"/staff/tickets/{ticket.reference}/{action}/", data)

    assert response.status_code == 409
    assert message in response.content.decode()
    assert snapshot(ticket) == before


def test_ccpa_allows_no_pause_effect_but_fadp_allows_no_extension(people: dict[str, Any]) -> None:
    ticket = make_ticket(country="CH")
    before = snapshot(ticket)

    response = client_for(people["agent"]).post(f"/staff/tickets/{ticket.reference}/extend/",
                                                ACTIONS["extend"])

    assert response.status_code == 409
    assert "allows no extension" in response.content.decode()
    assert snapshot(ticket) == before


def test_assigning_someone_outside_the_queue_is_refused(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    before = snapshot(ticket)

    response = client_for(people["agent"]).post(
        f"/staff/tickets/{ticket.reference}/assign/",
        {"assignee": str(people["other_agent"].pk), "reason": ""})

    assert response.status_code == 400  # not a choice offered: the form refuses it
    assert snapshot(ticket) == before


def test_internal_notes_never_reach_the_requester(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    client_for(people["agent"]).post(f"/staff/tickets/{ticket.reference}/note/",
                                     {"note-body": "SECRET-NOTE"})

    assert Message.objects.get(ticket=ticket).body == "SECRET-NOTE"
    # The outbox is encrypted: read through the model, which decrypts.
    assert not any("SECRET-NOTE" in row.body_text + row.body_html for row in Outbox.objects.all())
    requester = Client()
    session = requester.session
    session["desk_status_ticket"] = ticket.pk
    session["desk_status_expires"] = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    session.save()
    assert "SECRET-NOTE" not in requester.get("/status/").content.decode()


@pytest.mark.parametrize(
    "params",
    ["?sort=assignee__password", "?sort=-queue__members__password", "?status=99", "?escalation=7",
     "?due_within=-1", "?page=-1", "?page=abc", "?queue=999999", "?q=" + "x" * 500,
     "?_connector=OR&status__in=resolved"],
)
def test_filter_and_sort_keys_outside_the_allowlist_change_nothing(
    people: dict[str, Any], params: str
) -> None:
    make_ticket()
    client = client_for(people["agent"])

    response = client.get(f"/staff/tickets/{params}")

    assert response.status_code == 200


def seed(count: int, queue: str = "requests") -> None:
    for _ in range(count):
        make_ticket(kind="access" if queue == "requests" else "complaint")


@pytest.mark.parametrize("rows", [1, 25])
def test_the_queue_page_makes_the_same_queries_at_1_and_25_rows(
    people: dict[str, Any], rows: int, django_assert_num_queries: Any
) -> None:
    seed(rows)
    client = client_for(people["agent"])
    # session, user, the second factor's device, queues for the filter, the page count, the page,
    # the status counts, unread notifications (navigation)
    with django_assert_num_queries(8):
        response = client.get("/staff/tickets/")
    assert response.content.decode().count('class="ticket-link"') == rows


def test_status_counts_are_exact_up_to_the_cap_and_count_only_the_users_queues(
    people: dict[str, Any]
) -> None:
    seed(3)
    seed(2, queue="complaints")
    closed = make_ticket()
    Ticket.objects.filter(pk=closed.pk).update(status="closed")

    exact = selectors.status_counts(people["agent"])
    capped = selectors.status_counts(people["agent"], cap=2)

    assert exact == {**dict.fromkeys(exact, 0), "new": 3, "closed": 1}
    # Past the cap the count stops at cap + 1, "more than 2"; below it, it stays exact.
    assert capped == {**dict.fromkeys(exact, 0), "new": 3, "closed": 1}
    assert selectors.status_counts(people["agent"], cap=1)["new"] == 2
    assert selectors.status_counts(people["other_agent"])["new"] == 2


def test_the_queue_page_shows_a_count_past_the_cap_as_more_than_the_cap(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(3)
    monkeypatch.setattr(selectors, "STATUS_COUNT_CAP", 2)

    page = client_for(people["agent"]).get("/staff/tickets/").content.decode()

    assert "Received: <strong>2+</strong>" in page
    assert "Closed: <strong>0</strong>" in page


def test_the_status_counts_are_labelled_in_the_pages_language(people: dict[str, Any]) -> None:
    seed(2)

    page = client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="fi").get("/staff/tickets/").content.decode()

    assert '<a href="?status=new">Vastaanotettu: <strong>2</strong></a>' in page
    assert "in_progress:" not in page


@pytest.mark.parametrize(("sort", "order", "next_sort"), [
    ("", "ascending", "-due"), ("due", "ascending", "-due"), ("-due", "descending", "due"),
    ("received", "none", "-due"),
])
def test_the_due_column_header_says_its_order_and_links_to_the_other(
    people: dict[str, Any], sort: str, order: str, next_sort: str,
) -> None:
    seed(1)
    query = f"?kind=access&sort={sort}&page=1" if sort else "?kind=access"

    page = client_for(people["agent"]).get(f"/staff/tickets/{query}").content.decode()

    assert f'aria-sort="{order}"><a href="?kind=access&amp;sort={next_sort}" class="sort-link"' in page


def test_the_queue_filters_keep_each_requests_choice_though_their_selects_are_rendered_once(
    people: dict[str, Any]
) -> None:
    client = client_for(people["agent"])
    chosen = '<option value="erasure" selected>'

    pages = [client.get(f"/staff/tickets/{query}").content.decode()
             for query in ("?kind=erasure", "", "?kind=erasure")]

    assert chosen in pages[0]
    assert chosen not in pages[1]
    assert '<option value="erasure">' in pages[1]
    assert chosen in pages[2]


@pytest.mark.parametrize("messages", [1, 50])
def test_the_ticket_page_makes_the_same_queries_at_1_and_50_messages(
    people: dict[str, Any], messages: int, django_assert_num_queries: Any
) -> None:
    ticket = make_ticket()
    for number in range(messages):
        services.ticket_add_note(ticket_id=ticket.pk, actor=people["agent"], body=f"note {number}")
    client = client_for(people["agent"])
    # session, user, the second factor's device, ticket (+queue, assignee), previous and next
    # ticket, queue members (assign form), the request's files, messages (+authors), their files,
    # history (+users), queue names in the history, pauses, extension, my queues (move form),
    # unread notifications (navigation), and the access log entry (insert)
    with django_assert_num_queries(17):
        response = client.get(f"/staff/tickets/{ticket.reference}/")
    assert response.content.decode().count("timeline__entry--note") == messages


def test_a_file_is_downloaded_only_by_the_queues_people_and_never_rendered(
    people: dict[str, Any], private_media: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    Client().post("/", {**valid_request(),
                        "attachment": SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get()
    url = f"/staff/tickets/{ticket.reference}/files/{attachment.pk}/"

    response = client_for(people["agent"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"  # type: ignore[attr-defined]
    assert client_for(people["other_agent"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    other = make_ticket()
    assert client_for(people["agent"]).get(
        f"/staff/tickets/{other.reference}/files/{attachment.pk}/").status_code == 404
    # The one download that happened is in the access log; the refused ones are not.
    assert list(AccessLog.objects.values_list("username", "action", "reference", "detail")) == [
        ("agent", "download", ticket.reference, f"attachment {attachment.pk}")]


def test_the_status_page_shows_the_extension_and_its_reason(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.ticket_extend(ticket_id=ticket.pk, actor=people["agent"], reason="Many systems to search.")
    requester = Client()
    session = requester.session
    session["desk_status_ticket"] = ticket.pk
    session["desk_status_expires"] = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    session.save()

    html = requester.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "We extended the deadline from" in html
    assert "Many systems to search." in html


def test_the_previous_and_next_ticket_of_the_same_due_date_follow_the_queue_order_by_id(
    people: dict[str, Any]
) -> None:
    first, middle, last = (make_ticket() for _ in range(3))
    Ticket.objects.update(due_date=middle.due_date)
    earlier, later = make_ticket(), make_ticket()
    day = datetime.timedelta(days=1)
    Ticket.objects.filter(pk=earlier.pk).update(due_date=middle.due_date - day)
    Ticket.objects.filter(pk=later.pk).update(due_date=middle.due_date + day)
    visible = selectors.ticket_visible_to(people["agent"])

    def neighbours(ticket: Ticket) -> tuple[str | None, str | None]:
        before, after = selectors.ticket_neighbours(people["agent"], visible.get(pk=ticket.pk))
        return (before.reference if before else None, after.reference if after else None)

    assert neighbours(middle) == (first.reference, last.reference)
    assert neighbours(first) == (earlier.reference, middle.reference)
    assert neighbours(last) == (middle.reference, later.reference)
    assert neighbours(earlier) == (None, first.reference)
    assert neighbours(later) == (last.reference, None)


def test_the_ticket_page_links_the_previous_and_next_ticket_of_my_queues(people: dict[str, Any]) -> None:
    now = timezone.now()
    early, middle, late = (
        make_ticket(received_at=now - datetime.timedelta(days=days)) for days in (20, 10, 1))
    make_ticket(kind="complaint", received_at=now - datetime.timedelta(days=15))  # another queue's

    html = client_for(people["agent"]).get(f"/staff/tickets/{middle.reference}/").content.decode()

    assert f'href="/staff/tickets/{early.reference}/" rel="prev"' in html
    assert f'href="/staff/tickets/{late.reference}/" rel="next"' in html
