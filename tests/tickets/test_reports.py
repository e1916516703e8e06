"""The satisfaction question, the working days counted when a ticket is answered, the ticket list
as CSV, and the compliance record a DPO hands a regulator."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from notifications.models import Outbox
from notifications.services import STATUS_URL, outbox_deliver
from tests.support.people import client_for, csv_rows, make_ticket
from tests.support.status_links import open_status_link, secret_of
from tickets import services
from tickets.errors import SatisfactionRefused
from tickets.explanations import event_label
from tickets.models import Satisfaction, Ticket
from tickets.reasons import reason_shown

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=HELSINKI)


def resolved_ticket(agent: Any) -> Ticket:
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Here is your data.")
    ticket.refresh_from_db()
    return ticket


def status_client(ticket: Ticket, language: str = "en") -> Client:
    """A browser holding the ticket's status session, as after opening an emailed link."""
    client = Client(headers={"accept-language": language})
    link = services.status_link_issue(ticket)
    assert open_status_link(client, secret_of(link)).status_code == 303
    return client


# --- Working days, counted when they happen ----------------------------------------------------

def test_first_response_and_resolution_are_counted_in_working_days_of_the_tickets_calendar(
    people: dict[str, Any],
) -> None:
    # Received Tuesday 22 December 2026 in Finland; Christmas Day, the weekend and Boxing Day
    # (a Saturday) are closed, Christmas Eve is a working day by default (research/deadlines.md).
    ticket = make_ticket(received_at=at(2026, 12, 22, 10))
    with time_machine.travel(at(2026, 12, 22, 15), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=people["agent"], body="We are on it.")
    with time_machine.travel(at(2026, 12, 28, 9), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="fulfilled", body="Done.")

    ticket.refresh_from_db()
    assert (ticket.first_response_days, ticket.resolution_days) == (0, 3)  # 23, 24 and 28 December


def test_reopening_forgets_the_resolution_until_the_next_one(people: dict[str, Any]) -> None:
    ticket = resolved_ticket(people["agent"])

    services.ticket_reopen(ticket_id=ticket.pk, actor=people["agent"], reason="the requester wrote again")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.resolution_days) == ("in_progress", None, None)
    assert ticket.history.first().history_change_reason == "reopened: the requester wrote again"


# --- Satisfaction ------------------------------------------------------------------------------

def test_the_resolution_email_asks_the_question_in_the_requesters_language(people: dict[str, Any]) -> None:
    ticket = resolved_ticket(people["agent"])

    email = Outbox.objects.get(ticket=ticket, event="resolved")

    assert "how were you treated? Answer from 1 to 5" in email.body_text
    # The row holds the place of the link; each delivery puts a fresh one there (issue 15).
    assert f"{STATUS_URL}#satisfaction" in email.body_text
    assert f"{STATUS_URL}#satisfaction" in email.body_html
    assert "/status/link/#" not in email.body_text + email.body_html
    assert outbox_deliver(outbox_id=email.pk) == "sent"
    sent = mail.outbox[-1]
    assert isinstance(sent, mail.EmailMultiAlternatives)
    html = str(sent.alternatives[0][0])
    assert "how were you treated? Answer from 1 to 5" in str(sent.body)
    assert re.search(r"/status/link/#[\w-]{40,}#satisfaction", str(sent.body))
    assert re.search(r"/status/link/#[\w-]{40,}#satisfaction", html)


def test_the_requester_answers_once_on_the_status_page(people: dict[str, Any]) -> None:
    ticket = resolved_ticket(people["agent"])
    client = status_client(ticket)

    page = client.get("/status/")
    answered = client.post("/status/satisfaction/", {"score": "4", "comment": "Kind and quick."})
    again = client.post("/status/satisfaction/", {"score": "1", "comment": "Changed my mind."})

    assert "How were you treated?" in page.content.decode()
    assert answered.status_code == 302 and answered["Location"] == "/status/?rated=1#satisfaction"
    assert again.status_code == 409 and "You have already answered" in again.content.decode()
    answer = Satisfaction.objects.get(ticket=ticket)
    assert (answer.score, answer.comment) == (4, "Kind and quick.")
    assert "Thank you for your answer: 4 out of 5" in client.get("/status/?rated=1").content.decode()
    latest = ticket.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        None, "the requester rated how they were treated: 4/5")


def test_a_second_answer_is_refused_and_changes_nothing(people: dict[str, Any]) -> None:
    ticket = resolved_ticket(people["agent"])
    services.satisfaction_record(ticket_id=ticket.pk, score=5, comment="")
    history = ticket.history.count()

    with pytest.raises(SatisfactionRefused, match="already answered"):
        services.satisfaction_record(ticket_id=ticket.pk, score=1, comment="")

    assert Satisfaction.objects.get(ticket=ticket).score == 5
    assert ticket.history.count() == history


def test_the_question_is_not_asked_before_the_answer(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    client = status_client(ticket)

    page = client.get("/status/")
    forged = client.post("/status/satisfaction/", {"score": "5"})

    assert "How were you treated?" not in page.content.decode()
    assert forged.status_code == 409
    assert "once your request is answered" in forged.content.decode()
    assert not Satisfaction.objects.exists()


@pytest.mark.parametrize(("post", "language", "message"), [
    ({}, "en", "Choose a number from 1 to 5."),
    ({"score": "6"}, "en", "Choose a number from 1 to 5."),
    ({"score": "0"}, "sv", "Välj ett tal från 1 till 5."),
    ({"score": "five"}, "fi", "Valitse luku 1–5."),
    ({"score": "3", "comment": "x" * 2_001}, "en", "at most 2000 characters"),
    ({"score": "3", "outcome": "refused"}, "en", "outcome"),  # a field the form does not have
])
def test_a_bad_answer_is_refused_in_the_requesters_language(
    people: dict[str, Any], post: dict[str, str], language: str, message: str
) -> None:
    ticket = resolved_ticket(people["agent"])
    client = status_client(ticket, language)

    response = client.post("/status/satisfaction/", post)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Satisfaction.objects.exists()


def test_the_answer_needs_the_status_session() -> None:
    assert Client().post("/status/satisfaction/", {"score": "5"}).status_code == 404


# --- The ticket list as CSV --------------------------------------------------------------------

def test_the_queue_downloads_as_filtered_without_contact_details(people: dict[str, Any]) -> None:
    mine = make_ticket(kind="access")
    make_ticket(kind="erasure")
    elsewhere = make_ticket(kind="complaint")  # lands in the complaints queue

    response = client_for(people["agent"]).get("/staff/tickets/export.csv?kind=access")

    rows = csv_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    assert rows[0][:4] == ["Reference", "Kind", "Regime", "Status"]
    assert [row[0] for row in rows[1:]] == [mine.reference]
    everything = csv_rows(client_for(people["agent"]).get("/staff/tickets/export.csv"))
    assert elsewhere.reference not in str(everything) and mine.reference in str(everything)
    assert "riku@example.org" not in str(rows) and "Riku" not in str(rows)


def test_the_queue_export_is_for_staff_only(people: dict[str, Any]) -> None:
    assert Client().get("/staff/tickets/export.csv").status_code == 302
    assert csv_rows(client_for(people["no_queue"]).get("/staff/tickets/export.csv"))[1:] == []


# --- The compliance record ---------------------------------------------------------------------

def worked_ticket(people: dict[str, Any]) -> Ticket:
    agent = people["agent"]
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_add_note(ticket_id=ticket.pk, actor=agent, body="Internal: checked the CRM.")
    services.ticket_request_information(ticket_id=ticket.pk, actor=agent, kind="clarification",
                                        body="Which account do you mean?")
    ticket.refresh_from_db()
    services.ticket_add_requester_message(ticket=ticket, body="The one with my old address.", attachment=None)
    services.ticket_extend(ticket_id=ticket.pk, actor=agent, reason="Several systems to search.")
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="fulfilled", body="Here it is.")
    services.satisfaction_record(ticket_id=ticket.pk, score=5, comment="Very clear.")
    Outbox.objects.filter(ticket=ticket, event="reply").update(state="sent")
    return ticket


def test_the_record_lists_every_event_deadline_message_and_delivery(people: dict[str, Any]) -> None:
    ticket = worked_ticket(people)

    page = client_for(people["manager"]).get(f"/staff/tickets/{ticket.reference}/record/")

    html = page.content.decode()
    assert page.status_code == 200
    for reason in ticket.history.values_list("history_change_reason", flat=True):
        assert reason_shown(reason) in html
    assert "Claimed" in html and "Internal note added" in html and "Extended: Several systems" in html
    for name, deadline in ticket.deadlines["deadlines"].items():  # each by its label, never its code
        assert event_label(name) in html and deadline["basis"] in html and f">{name}<" not in html
    assert "Which account do you mean?" in html and "Here it is." in html
    for email in Outbox.objects.filter(ticket=ticket):
        assert email.subject in html
    assert "Waiting to be sent" in html and ">pending<" not in html  # each email's delivery state, in words
    assert "5 out of 5" in html and "Very clear." in html
    assert "Several systems to search." in html


def test_the_record_keeps_internal_notes_and_status_links_out(people: dict[str, Any]) -> None:
    ticket = worked_ticket(people)

    html = client_for(people["manager"]).get(f"/staff/tickets/{ticket.reference}/record/").content.decode()

    assert "Internal: checked the CRM." not in html
    # An email's body is where its link goes (filled in as it is sent): only subjects are shown.
    assert "/status/link/#" not in html and STATUS_URL not in html


@pytest.mark.parametrize(("persona", "expected"), [
    ("agent", 200), ("manager", 200), ("other_agent", 404), ("no_queue", 404), (None, 302),
])
def test_who_sees_the_record(people: dict[str, Any], persona: str | None, expected: int) -> None:
    ticket = make_ticket()

    response = client_for(people.get(persona or "")).get(f"/staff/tickets/{ticket.reference}/record/")

    assert response.status_code == expected


@pytest.mark.parametrize("replies", [1, 20])
def test_the_record_makes_the_same_queries_at_1_and_20_replies(
    people: dict[str, Any], replies: int, django_assert_num_queries: Any
) -> None:
    ticket = make_ticket()
    for number in range(replies):
        services.ticket_reply(ticket_id=ticket.pk, actor=people["agent"], body=f"Reply {number}.")
    client = client_for(people["agent"])
    # session, user, the second factor's device, ticket (+queue, assignee), history (+users), queue names in
    # the history (nobody was assigned, so no user names), pauses, extension, public messages (+authors),
    # their files, escalations, satisfaction, the access log entry (insert) and the log, navigation, emails
    with django_assert_num_queries(16):
        assert client.get(f"/staff/tickets/{ticket.reference}/record/").status_code == 200


# --- The access log ----------------------------------------------------------------------------

def test_every_look_at_personal_data_is_logged_and_shown_on_the_record(
    people: dict[str, Any], private_media: Any
) -> None:
    from tickets.models import AccessLog

    ticket = make_ticket()
    agent, manager = client_for(people["agent"]), client_for(people["manager"])

    agent.get(f"/staff/tickets/{ticket.reference}/")
    agent.get(f"/api/v1/tickets/{ticket.reference}/")
    csv_rows(agent.get("/staff/tickets/export.csv?kind=access"))
    record = manager.get(f"/staff/tickets/{ticket.reference}/record/").content.decode()

    log = list(AccessLog.objects.values_list("username", "action", "reference", "detail"))
    assert log == [("agent", "view", ticket.reference, ""), ("agent", "api_view", ticket.reference, ""),
                   ("agent", "export", "", "ticket list: kind=access"),
                   ("boss", "record", ticket.reference, "")]
    assert "Who looked at this person" in record
    assert "Viewed the ticket" in record and "Read the ticket through the API" in record
    assert "Opened the compliance record" in record


def test_a_ticket_out_of_reach_is_not_shown_and_not_logged(people: dict[str, Any]) -> None:
    from tickets.models import AccessLog

    ticket = make_ticket()

    assert client_for(people["other_agent"]).get(f"/staff/tickets/{ticket.reference}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_access_log_cannot_be_changed_from_the_admin(people: dict[str, Any]) -> None:
    from django.contrib import admin

    from tickets.models import AccessLog

    assert AccessLog not in admin.site._registry


# --- Status links expire after the request is closed --------------------------------------------

@pytest.mark.parametrize(("days_after", "opens"), [(89, True), (91, False)])
def test_a_status_link_stops_working_some_time_after_the_answer(
    people: dict[str, Any], days_after: int, opens: bool
) -> None:
    ticket = resolved_ticket(people["agent"])
    secret = secret_of(services.status_link_issue(ticket))
    assert ticket.resolved_at is not None

    with time_machine.travel(ticket.resolved_at + datetime.timedelta(days=days_after)):
        response = open_status_link(Client(), secret)

    assert response.status_code == (303 if opens else 404)


def test_reopening_brings_an_expired_link_back(people: dict[str, Any]) -> None:
    ticket = resolved_ticket(people["agent"])
    secret = secret_of(services.status_link_issue(ticket))
    services.ticket_close(ticket_id=ticket.pk, actor=people["agent"], reason="")

    with time_machine.travel(datetime.datetime.now(tz=HELSINKI) + datetime.timedelta(days=200)):
        expired = open_status_link(Client(), secret).status_code
        services.ticket_reopen(ticket_id=ticket.pk, actor=people["agent"], reason="new information")
        reopened = open_status_link(Client(), secret).status_code

    assert (expired, reopened) == (404, 303)
