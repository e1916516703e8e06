"""What the requester does is seen and answered (issue 16, items 7, 9, 10, 12): a message on any
request reaches staff and never vanishes (added, reopening an answered request, or opening a
linked follow-up of one that has ended); the requester may withdraw an open request, after a
question; each law names its own authority in the emails and pages that say where to complain;
the answered status page shows the outcome, the reasons and the answer before the question."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from notifications.models import Notification, Outbox
from tests.support.people import client_for, make_ticket
from tests.support.status_links import open_status_link, secret_of
from tickets import services
from tickets.choices import Regime
from tickets.deadlines.authorities import AUTHORITIES, FINNISH_OMBUDSMAN, ICO
from tickets.lifecycle import Status
from tickets.models import ClockPause, Message, Ticket
from tickets.services.intake import Delivery
from tickets.services.requester import WithdrawalRefused
from tickets.templatetags.complaints import complaint_authorities

pytestmark = pytest.mark.django_db


def opened(ticket: Ticket, language: str = "en") -> Client:
    """A browser holding the ticket's status page, as after the emailed link."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = open_status_link(client, secret_of(services.status_link_issue(ticket)))
    assert response.status_code == 303
    return client


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def footprint(ticket: Ticket) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    ticket = fresh(ticket)
    return (ticket.status, ticket.outcome, ticket.closed_at, ticket.history.count(), Message.objects.count(),
            Ticket.objects.count(), Outbox.objects.count(), Notification.objects.count())


def text(html: str) -> str:
    """The page's words, tags left out, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def resolved(people: dict[str, Any], *, outcome: str = "fulfilled", reason: str = "",
             **ticket: Any) -> Ticket:
    made = make_ticket(**ticket)
    services.ticket_claim(ticket_id=made.pk, actor=people["agent"])
    services.ticket_resolve(ticket_id=made.pk, actor=people["agent"], outcome=outcome,
                            body="Here is a copy of your data.", reason=reason)
    return fresh(made)


def ended(people: dict[str, Any], how: str) -> Ticket:
    if how == "closed":
        ticket = resolved(people)
        services.ticket_close(ticket_id=ticket.pk, actor=people["agent"], reason="")
    elif how == "withdrawn":
        ticket = make_ticket()
        services.ticket_withdraw_by_requester(ticket_id=ticket.pk)
    else:
        ticket = make_ticket()
        services.ticket_reject(ticket_id=ticket.pk, actor=people["agent"], reason="Manifestly unfounded.")
    return fresh(ticket)


def staff_news(ticket: Ticket) -> list[tuple[str, str]]:
    """(username, in-app text) of each notification about the ticket, by user."""
    return sorted((n.user.username, n.text) for n in Notification.objects.filter(ticket=ticket))


# --- Item 7: a message is never lost ------------------------------------------------------------

def test_a_message_on_an_open_request_is_added_and_its_assignee_is_told(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
    client = opened(ticket)

    response = client.post("/status/", {"body": "One more thing."})

    assert response.status_code == 302
    assert response["Location"] == "/status/?sent=1"
    assert fresh(ticket).status == Status.NEW
    assert Message.objects.get(ticket=ticket).body == "One more thing."
    assert staff_news(ticket) == [("agent", f"{ticket.reference}: the requester wrote")]
    email = Outbox.objects.get(ticket=ticket, event="requester_message")
    assert email.recipient == "agent@example.org"
    assert f"/staff/tickets/{ticket.reference}/" in email.body_text
    assert "One more thing." not in email.body_text  # the words stay behind the sign-in
    listed = text(client_for(people["agent"]).get("/staff/notifications/").content.decode())
    assert "Messages from requesters" in listed and ticket.reference in listed
    page = text(client.get(response["Location"]).content.decode())
    assert "Thank you. Your message was added to your request." in page


def test_without_an_assignee_the_queues_people_are_told_and_no_one_else(people: dict[str, Any]) -> None:
    ticket = make_ticket()  # the requests queue: the agent, and the manager (member and manager)

    services.ticket_add_requester_message(ticket=ticket, body="Hello?", attachment=None)

    assert [user for user, _text in staff_news(ticket)] == ["agent", "boss"]
    assert sorted(Outbox.objects.filter(event="requester_message").values_list("recipient", flat=True)) == [
        "agent@example.org", "boss@example.org"]


def test_an_assignee_without_an_address_is_told_in_the_app_and_the_managers_by_email(
    people: dict[str, Any],
) -> None:
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
    people["agent"].email = ""
    people["agent"].save()

    services.ticket_add_requester_message(ticket=ticket, body="Hello?", attachment=None)

    assert [user for user, _text in staff_news(ticket)] == ["agent", "boss"]
    assert list(Outbox.objects.filter(event="requester_message").values_list("recipient", flat=True)) == [
        "boss@example.org"]


def test_an_answer_to_our_question_runs_the_clock_again_and_is_told(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.ticket_request_information(ticket_id=ticket.pk, actor=people["agent"], kind="clarification",
                                        body="Which account?")

    delivered = services.ticket_add_requester_message(ticket=ticket, body="The one ending 42.",
                                                      attachment=None)

    assert delivered.delivery == Delivery.ADDED
    assert fresh(ticket).status == Status.IN_PROGRESS
    assert ClockPause.objects.get(ticket=ticket).ended_at is not None
    assert Outbox.objects.filter(ticket=ticket, event="requester_message").exists()


def test_a_message_after_the_answer_reopens_the_request_and_says_so(people: dict[str, Any]) -> None:
    ticket = resolved(people)
    client = opened(ticket)

    response = client.post("/status/", {"body": "You forgot my old address."})

    assert response["Location"] == "/status/?sent=reopened"
    ticket = fresh(ticket)
    assert (ticket.status, ticket.resolved_at) == (Status.IN_PROGRESS, None)
    last = ticket.history.order_by("-history_id").first()
    assert last is not None
    assert (last.history_user, last.history_change_reason) == (
        None, "the requester wrote after the answer; the request is open again")
    assert staff_news(ticket) == [
        ("agent", f"{ticket.reference}: the requester wrote after the answer, the request is open again")]
    page = text(client.get(response["Location"]).content.decode())
    assert "your request is open again: we will answer you" in page
    assert "You forgot my old address." in page
    staff = client_for(people["agent"]).get(f"/staff/tickets/{ticket.reference}/").content.decode()
    assert "You forgot my old address." in staff


@pytest.mark.parametrize("how", ["closed", "withdrawn", "rejected"])
def test_a_message_on_an_ended_request_opens_a_linked_follow_up(people: dict[str, Any], how: str) -> None:
    original = ended(people, how)
    client = opened(original)
    before = original.history.count()

    response = client.post("/status/", {"body": "I still get your newsletter."})

    assert response["Location"] == "/status/?sent=follow-up"
    follow_up = Ticket.objects.get(follow_up_of=original)
    assert fresh(original).status == how  # the ended request stays as it was, with one more entry
    assert original.history.count() == before + 1
    assert original.history.order_by("-history_id").first().history_change_reason == (
        f"the requester wrote after the request had ended; follow-up {follow_up.reference} opened")
    same = ("kind", "regime", "calendar", "language", "requester_email", "requester_name", "queue_id")
    assert [getattr(follow_up, name) for name in same] == [getattr(original, name) for name in same]
    assert (follow_up.status, follow_up.description) == (Status.NEW, "I still get your newsletter.")
    assert follow_up.history.get().history_change_reason == (
        f"follow-up of {original.reference}: the requester wrote after it had ended")
    acknowledgement = Outbox.objects.get(ticket=follow_up, event="acknowledgement")
    assert original.reference in acknowledgement.body_text
    told = ["agent"] if how == "closed" else ["agent", "boss"]  # its assignee, else the queue
    assert [user for user, _text in staff_news(follow_up)] == told
    assert {text for _user, text in staff_news(follow_up)} == {
        f"{follow_up.reference}: a follow-up of {original.reference} from its requester"}
    page = text(client.get(response["Location"]).content.decode())
    assert f"so your message went to a new request, {follow_up.reference}" in page
    assert f"Your new request {follow_up.reference}" in page


def test_a_second_message_on_the_ended_request_goes_to_its_follow_up(people: dict[str, Any]) -> None:
    original = ended(people, "closed")
    first = services.ticket_add_requester_message(ticket=original, body="First.", attachment=None)

    second = services.ticket_add_requester_message(ticket=original, body="Second.", attachment=None)

    assert first.delivery == Delivery.FOLLOW_UP
    assert (second.ticket.pk, second.delivery) == (first.ticket.pk, Delivery.ADDED)
    assert Ticket.objects.filter(follow_up_of=original).count() == 1
    assert Message.objects.get(ticket=first.ticket).body == "Second."


def test_a_follow_up_that_ended_too_is_followed_up_in_turn(people: dict[str, Any]) -> None:
    original = ended(people, "rejected")
    first = services.ticket_add_requester_message(ticket=original, body="First.", attachment=None).ticket
    services.ticket_reject(ticket_id=first.pk, actor=people["agent"], reason="The same again.")

    second = services.ticket_add_requester_message(ticket=original, body="Third time.", attachment=None)

    assert second.delivery == Delivery.FOLLOW_UP
    assert second.ticket.follow_up_of_id == first.pk
    page = text(opened(original).get("/status/").content.decode())
    assert f"goes to your new request {second.ticket.reference}" in page


def test_both_staff_pages_link_the_request_and_its_follow_up(people: dict[str, Any]) -> None:
    original = ended(people, "closed")
    follow_up = services.ticket_add_requester_message(ticket=original, body="Again.", attachment=None).ticket
    staff = client_for(people["agent"])

    old_page = staff.get(f"/staff/tickets/{original.reference}/").content.decode()
    new_page = staff.get(f"/staff/tickets/{follow_up.reference}/").content.decode()

    assert f'<a href="/staff/tickets/{follow_up.reference}/">{follow_up.reference}</a>' in old_page
    assert f'<a href="/staff/tickets/{original.reference}/">{original.reference}</a>' in new_page
    assert "Followed up by" in old_page and "Follows up" in new_page


def test_the_status_page_says_beforehand_what_a_message_will_do(people: dict[str, Any]) -> None:
    answered = resolved(people)
    closed = ended(people, "closed")

    assert "If you write to us now, it opens again" in text(opened(answered).get("/status/").content.decode())
    assert "your message starts a new request, linked to this one" in text(
        opened(closed).get("/status/").content.decode())


def test_a_note_in_the_address_is_shown_only_where_the_ticket_bears_it_out() -> None:
    ticket = make_ticket()

    page = text(opened(ticket).get("/status/?sent=reopened").content.decode())
    other = text(opened(ticket).get("/status/?sent=follow-up&withdrawn=1").content.decode())

    assert "open again" not in page
    assert "went to a new request" not in other and "Your request is withdrawn" not in other


# --- Item 12: withdrawing -----------------------------------------------------------------------

def test_the_open_status_page_offers_to_withdraw_and_the_question_comes_first() -> None:
    ticket = make_ticket()
    client = opened(ticket)

    status = client.get("/status/").content.decode()
    question = client.get("/status/withdraw/")

    assert 'href="/status/withdraw/"' in status and "Withdraw my request" in status
    assert question.status_code == 200
    html = question.content.decode()
    assert "Do you want to withdraw your request (see my data)?" in text(html)
    assert 'name="confirm" value="yes"' in html
    assert fresh(ticket).status == Status.NEW  # asking changes nothing


def test_withdrawing_with_the_confirmation_ends_the_request_and_tells_everyone(
    people: dict[str, Any],
) -> None:
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=people["agent"])
    client = opened(ticket)
    client.get("/status/withdraw/")

    response = client.post("/status/withdraw/", {"confirm": "yes", "reason": "I found the answer myself."})

    assert response["Location"] == "/status/?withdrawn=1"
    ticket = fresh(ticket)
    assert (ticket.status, ticket.outcome) == (Status.WITHDRAWN, "withdrawn")
    assert ticket.closed_at is not None
    last = ticket.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason) == (
        None, "withdrawn by the requester on the status page")
    assert Message.objects.get(ticket=ticket).body == "I found the answer myself."
    assert staff_news(ticket) == [("agent", f"{ticket.reference}: the requester withdrew the request")]
    confirmation = Outbox.objects.get(ticket=ticket, event="withdrawn")
    assert confirmation.recipient == "riku@example.org"
    assert confirmation.subject == f"You have withdrawn your request {ticket.reference}"
    page = text(client.get(response["Location"]).content.decode())
    assert "Your request is withdrawn. We have stopped handling it" in page
    assert "Withdraw my request" not in page


def test_withdrawing_while_we_wait_for_the_requester_ends_the_pause(people: dict[str, Any]) -> None:
    ticket = make_ticket()
    services.ticket_request_information(ticket_id=ticket.pk, actor=people["agent"], kind="identity",
                                        body="Your ID, please.")

    services.ticket_withdraw_by_requester(ticket_id=ticket.pk)

    assert fresh(ticket).status == Status.WITHDRAWN
    assert ClockPause.objects.get(ticket=ticket).ended_at is not None


@pytest.mark.parametrize("data", [{}, {"confirm": "no"}, {"confirm": "yes", "status": "withdrawn"},
                                  {"confirm": "yes", "reason": "x" * 2_001}])
def test_a_post_that_does_not_confirm_withdraws_nothing_and_says_so(data: dict[str, str]) -> None:
    ticket = make_ticket()
    client = opened(ticket)
    before = footprint(ticket)

    response = client.post("/status/withdraw/", data)

    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert footprint(ticket) == before


def test_a_second_withdrawal_is_refused_and_changes_nothing() -> None:
    ticket = make_ticket()
    client = opened(ticket)
    client.post("/status/withdraw/", {"confirm": "yes"})
    before = footprint(ticket)

    again = client.post("/status/withdraw/", {"confirm": "yes"})

    assert again.status_code == 409
    assert "You withdrew this request already, on" in text(again.content.decode())
    assert footprint(ticket) == before
    with pytest.raises(WithdrawalRefused):
        services.ticket_withdraw_by_requester(ticket_id=ticket.pk)
    assert footprint(ticket) == before


def test_an_answered_request_cannot_be_withdrawn(people: dict[str, Any]) -> None:
    ticket = resolved(people)
    client = opened(ticket)
    before = footprint(ticket)

    question = client.get("/status/withdraw/")
    refused = client.post("/status/withdraw/", {"confirm": "yes"})

    assert "can no longer be withdrawn" in text(question.content.decode())
    assert 'name="confirm"' not in question.content.decode()
    assert refused.status_code == 409
    assert "We have already answered this request, so it can no longer be withdrawn." in text(
        refused.content.decode())
    assert footprint(ticket) == before
    assert "Withdraw my request" not in client.get("/status/").content.decode()


def test_withdrawing_needs_the_status_session() -> None:
    make_ticket()

    assert Client().get("/status/withdraw/").status_code == 404
    assert Client().post("/status/withdraw/", {"confirm": "yes"}).status_code == 404
    assert Ticket.objects.get().status == Status.NEW


def test_the_withdrawal_question_and_refusal_are_in_the_requesters_language() -> None:
    ticket = make_ticket()
    client = opened(ticket, "fi")

    question = text(client.get("/status/withdraw/").content.decode())
    client.post("/status/withdraw/", {"confirm": "yes"})
    again = text(client.post("/status/withdraw/", {"confirm": "yes"}).content.decode())

    assert "Haluatko perua pyyntösi" in question
    assert "Peruit tämän pyynnön jo" in again


# --- Item 9: each law's own authority -----------------------------------------------------------

AUTHORITY_CASES = [
    ("FI", "", "Office of the Data Protection Ombudsman", "https://tietosuoja.fi/en"),
    ("GB", "SCT", "Information Commissioner's Office (ICO)", "https://ico.org.uk/make-a-complaint/"),
    ("US", "CA", "California Privacy Protection Agency (CalPrivacy)", "https://cppa.ca.gov"),
    ("US", "CA", "Attorney General of California", "https://oag.ca.gov/privacy"),
    ("US", "VA", "Office of the Attorney General of Virginia", "https://www.oag.state.va.us/"),
    ("BR", "", "National Data Protection Authority of Brazil (ANPD)", "https://www.gov.br/anpd"),
    ("CA", "", "Office of the Privacy Commissioner of Canada", "https://www.priv.gc.ca"),
    ("CH", "", "Federal Data Protection and Information Commissioner (FDPIC)", "https://www.edoeb.admin.ch"),
]


@pytest.mark.parametrize(("country", "region", "name", "url"), AUTHORITY_CASES)
def test_the_acknowledgement_and_the_refusal_name_the_authority_of_the_requesters_law(
    people: dict[str, Any], country: str, region: str, name: str, url: str,
) -> None:
    ticket = services.ticket_create(
        kind="access", country=country, region=region, name="Riku", email="riku@example.org",
        description="Please.", language="en", attachment=None, submission_key=None,
        received_at=datetime.datetime.now(tz=datetime.UTC), actor=None, reason="test",
    ).ticket
    services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="refused",
                            body="We cannot.", reason="The data is needed for a pending court case.")

    for event in ("acknowledgement", "resolved"):
        email = Outbox.objects.get(ticket=ticket, event=event)
        assert name in email.body_text, event
        assert url in email.body_text and url in email.body_html, event
        if ticket.regime != "gdpr":  # the Finnish authority is no UK, US… requester's route
            assert "tietosuoja.fi" not in email.body_text, event
    refusal = Outbox.objects.get(ticket=ticket, event="resolved").body_text
    assert "The data is needed for a pending court case." in refusal


def test_a_finnish_email_names_the_authority_in_finnish(people: dict[str, Any]) -> None:
    ticket = services.ticket_create(
        kind="access", country="GB", region="", name="Riku", email="riku@example.org",
        description="Please.", language="fi", attachment=None, submission_key=None,
        received_at=datetime.datetime.now(tz=datetime.UTC), actor=None, reason="test",
    ).ticket

    body = Outbox.objects.get(ticket=ticket, event="acknowledgement").body_text

    assert ("Yhdistyneen kuningaskunnan tietosuojaviranomainen (Information Commissioner's Office, ICO)"
            in body)
    assert "https://ico.org.uk/" in body
    assert "data protection authority" not in body


def test_the_eu_lead_authority_comes_from_settings(settings: Any) -> None:
    settings.DESK_SUPERVISORY_AUTHORITY_URL = "https://www.imy.se/"

    assert [a.code for a in complaint_authorities("gdpr")] == ["se_imy"]
    assert complaint_authorities("uk_gdpr") == (ICO,)


def test_every_law_of_the_desk_has_its_authority_and_its_words_in_finnish_and_swedish(caplog: Any) -> None:
    for regime in Regime.values:
        expected = (FINNISH_OMBUDSMAN,) if regime == "gdpr" else AUTHORITIES[regime]
        assert complaint_authorities(regime) == expected, regime
    assert "no complaint authority" not in caplog.text
    authorities = {a for regime in Regime.values for a in complaint_authorities(regime)}
    for language in ("fi", "sv"):
        with translation.override(language):
            for authority in authorities:
                described = translation.gettext(authority.description)
                assert described != authority.description, (language, authority.code)
                if authority.code != "fi_ombudsman" or language == "fi":
                    assert translation.gettext(authority.name) != authority.name, (language, authority.code)


def test_an_unknown_law_is_logged_and_gets_the_lead_authority(caplog: Any) -> None:
    assert complaint_authorities("us_tx") == (FINNISH_OMBUDSMAN,)
    assert "no complaint authority is known for the regime 'us_tx'" in caplog.text


def test_the_public_form_lists_the_authority_of_each_law() -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()

    assert 'id="authorities"' in html
    assert ('<a href="https://ico.org.uk/make-a-complaint/">Information Commissioner&#x27;s Office (ICO)</a>'
            in html)
    assert "https://www.priv.gc.ca" in html


# --- Item 10: the answered status page ----------------------------------------------------------

def test_the_answered_page_shows_outcome_reason_answer_and_route_before_the_question(
    people: dict[str, Any],
) -> None:
    ticket = resolved(people, outcome="partly_fulfilled", reason="Payment records are kept for 6 years.",
                      country="GB")

    page = text(opened(ticket).get("/status/").content.decode())

    order = ["Answered on", "Your request is answered", "Partly done as you asked",
             "Payment records are kept for 6 years.", "Here is a copy of your data.",
             "Information Commissioner's Office (ICO)", "How were you treated?", "Conversation"]
    positions = [page.find(words) for words in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "We answer by" not in page
    assert "partly_fulfilled" not in page


def test_the_answered_page_in_finnish_has_the_requesters_words(people: dict[str, Any]) -> None:
    ticket = resolved(people, outcome="refused", reason="Laki velvoittaa säilyttämään tiedot.")

    page = text(opened(ticket, "fi").get("/status/").content.decode())

    assert "Vastattu" in page and "Vastaamme viimeistään" not in page
    assert "Laki velvoittaa säilyttämään tiedot." in page
    assert "Tietosuojavaltuutetun toimisto" in page
    assert "refused" not in page


@pytest.mark.parametrize("replies", [1, 25])
def test_the_answered_status_page_makes_the_same_queries_at_1_and_25_replies(
    people: dict[str, Any], replies: int, django_assert_num_queries: Any,
) -> None:
    ticket = make_ticket()
    for number in range(replies):
        services.ticket_reply(ticket_id=ticket.pk, actor=people["agent"], body=f"Reply {number}.")
    services.ticket_resolve(ticket_id=ticket.pk, actor=people["agent"], outcome="fulfilled", body="Done.")
    client = opened(ticket)
    # session, ticket (+queue), satisfaction answer, messages, their files, the request's files,
    # the extension
    with django_assert_num_queries(7):
        response = client.get("/status/")
    assert response.content.decode().count("conversation__body") == replies + 3  # and "Our answer"


@pytest.mark.parametrize("messages", [1, 25])
def test_the_ended_status_page_makes_the_same_queries_at_1_and_25_messages(
    people: dict[str, Any], messages: int, django_assert_num_queries: Any,
) -> None:
    original = ended(people, "rejected")
    for number in range(messages):
        Message.objects.create(ticket=original, kind="requester", body=f"Before the end {number}.")
    services.ticket_add_requester_message(ticket=original, body="After the end.", attachment=None)
    client = opened(original)
    # session, ticket (+queue), satisfaction answer, messages, their files, the request's files,
    # the extension, the follow-up (one link)
    with django_assert_num_queries(8):
        response = client.get("/status/")
    assert response.status_code == 200
