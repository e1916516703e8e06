"""The requester's side after the answer, in a real browser, in Finnish and English (issue 16, items
7, 9, 10, 12): the answered page reads outcome, reason, answer and where to complain before the
satisfaction question; a message after the answer opens the request again and its agent sees the
notification; an open request is withdrawn after a question. Every page passes axe, screenshots kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from notifications.models import Notification
from tests.browser.conftest import check_at_both_widths, new_page, pass_second_factor
from tests.support.people import staff
from tickets import services
from tickets.lifecycle import Status
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
TEXTS = {
    "fi": {"locale": "fi-FI", "outcome": "Toteutettu osittain", "answered_on": "Vastattu",
           "answer_by": "Vastaamme viimeistään",
           "authority": "Yhdistyneen kuningaskunnan tietosuojaviranomainen",
           "reopened": "pyyntösi on taas avoinna", "withdraw": "Peru pyyntöni",
           "confirm": "Kyllä, peru pyyntöni", "question": "Haluatko perua pyyntösi",
           "withdrawn": "Pyyntösi on peruttu"},
    "en": {"locale": "en-GB", "outcome": "Partly done as you asked", "answered_on": "Answered on",
           "answer_by": "We answer by", "authority": "Information Commissioner's Office (ICO)",
           "reopened": "your request is open again", "withdraw": "Withdraw my request",
           "confirm": "Yes, withdraw my request", "question": "Do you want to withdraw your request",
           "withdrawn": "Your request is withdrawn"},
}


def filed(language: str, name: str) -> Ticket:
    return services.ticket_create(
        kind="access", country="GB", region="SCT", name=name, email=f"{name.lower()}@example.org",
        description="Please send me a copy of my data.", language=language, attachment=None,
        submission_key=None, received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket


def status_page(browser: Any, language: str, ticket: Ticket) -> Any:
    """The requester's browser at the ticket's status page, through an emailed link's page."""
    page = new_page(browser, locale=TEXTS[language]["locale"])
    page.goto(services.status_link_issue(ticket))
    page.locator("#status-link-form button[type=submit]").click()
    page.wait_for_url("**/status/")
    return page


def top(page: Any, words: str) -> float:
    """Where on the page the first element showing these words begins (its y)."""
    found = page.get_by_text(words, exact=False).first
    box = found.bounding_box()
    assert box is not None, words
    return float(box["y"])


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_answer_reads_in_order_and_a_message_after_it_reopens_the_request_for_its_agent(
    browser: Any, live_server: Any, settings: Any, language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    texts = TEXTS[language]
    agent = staff(f"agent-{language}", member_of=("requests",))
    ticket = filed(language, "Reija")
    services.ticket_claim(ticket_id=ticket.pk, actor=agent)
    services.ticket_resolve(ticket_id=ticket.pk, actor=agent, outcome="partly_fulfilled",
                            body="Here is a copy of your data.",
                            reason="Payment records are kept for six years.")

    page = status_page(browser, language, ticket)
    main = page.locator("main").inner_text()
    assert texts["answered_on"] in main and texts["answer_by"] not in main
    order = [texts["outcome"], "Payment records are kept for six years.", "Here is a copy of your data.",
             texts["authority"], "satisfaction-title"]
    positions = [top(page, words) for words in order[:-1]] + [
        float(page.locator("#satisfaction-title").bounding_box()["y"])]
    assert positions == sorted(positions), dict(zip(order, positions, strict=True))
    check_at_both_widths(page, f"requester-answered-{language}", dark=True)

    page.locator("#id_body").fill("You did not include my old address.")
    page.locator("form.form[enctype] button[type=submit]").click()
    page.wait_for_url("**/status/?sent=reopened")
    assert texts["reopened"] in page.locator("#reopened").inner_text()
    check_at_both_widths(page, f"requester-reopened-{language}")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    page.context.close()

    # The agent sees it: the notification, then the message on the ticket.
    assert Notification.objects.filter(user=agent, ticket=ticket).exists()
    desk = new_page(browser, locale=texts["locale"])
    desk.goto(f"{live_server.url}/staff/login/")
    desk.locator("#id_username").fill(agent.username)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("main form button[type=submit]").click()
    pass_second_factor(desk, agent)
    desk.wait_for_url("**/staff/tickets/")
    desk.goto(f"{live_server.url}/staff/notifications/")
    link = desk.get_by_role("link", name=ticket.reference).or_(
        desk.locator(f'a[href="/staff/tickets/{ticket.reference}/"]')).first
    assert ticket.reference in link.inner_text()
    with translation.override(language):  # the group says what the requester did, in the page's language
        title = translation.gettext("Requesters who wrote after the answer: open again")
    assert title in desk.locator("main").inner_text()
    check_at_both_widths(desk, f"requester-staff-notified-{language}")
    link.click()
    desk.wait_for_url(f"**/staff/tickets/{ticket.reference}/")
    assert "You did not include my old address." in desk.locator("main").inner_text()
    desk.context.close()


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_requester_withdraws_an_open_request_after_the_question(
    browser: Any, live_server: Any, settings: Any, language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    texts = TEXTS[language]
    ticket = filed(language, "Ville")
    page = status_page(browser, language, ticket)

    page.get_by_role("link", name=texts["withdraw"]).click()
    page.wait_for_url("**/status/withdraw/")
    assert texts["question"] in page.locator("main").inner_text()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW  # asking changed nothing
    check_at_both_widths(page, f"requester-withdraw-question-{language}", dark=True)

    page.get_by_role("button", name=texts["confirm"]).click()
    page.wait_for_url("**/status/?withdrawn=1")
    assert texts["withdrawn"] in page.locator("#withdrawn").inner_text()
    assert page.get_by_role("link", name=texts["withdraw"]).count() == 0
    check_at_both_widths(page, f"requester-withdrawn-{language}")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WITHDRAWN

    # The question's page again, as from an old tab: it says why nothing can be done.
    page.goto(f"{live_server.url}/status/withdraw/")
    assert page.locator("#withdraw-refused").is_visible()
    page.context.close()
