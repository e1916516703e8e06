"""A manager reads the queue, a ticket and its compliance record in a real browser, in Finnish and
in English (issue 16, items 1, 2, 4, 5, 6): no template syntax, no internal code (`uk_gdpr`,
`partly_fulfilled`, `GB ENG`, `requester/system`), the desk's reasons in the page's language, the
staff's own words as typed, dates as the language writes them. A screenshot of each page, and axe."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.browser.conftest import check_accessibility, new_page, pass_second_factor
from tests.conftest import close_stray_connections
from tests.support.people import with_authenticator
from tests.support.visible_text import Block, demo_texts, findings, vocabulary
from tickets import reasons, services
from tickets.models import Escalation, Queue, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
FINNISH_MONTHS = ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
                  "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
# What each language must say, in the regions this journey reads.
EXPECTED = {
    "fi": ("Otettu käsittelyyn", "Ratkaistu: Osittain toteutettu", "Määräaikaa jatkettu: Several systems.",
           "Käsittelyn tila: Vastaanotettu → Odottaa henkilöllisyyden todistamista", "Pyynnön tekijä",
           "Iso-Britannia, Englanti", "Iso-Britannian tietosuoja-asetus (UK GDPR)",
           "Pian erääntymässä (taso 1)"),
    "en": ("Claimed", "Resolved: Partly fulfilled", "Extended: Several systems.",
           "Status: Received → Waiting for proof of identity", "The requester",
           "United Kingdom, England", "UK GDPR", "Due soon (level 1)"),
}


@pytest.fixture(autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Iterator[None]:
    """The live server's threads keep connections that would stop the test database being dropped."""
    yield
    close_stray_connections(django_db_blocker)


def worked_ticket(manager: Any) -> Ticket:
    """A British request worked through: claimed, identity asked and given, extended, resolved in
    part, escalated once; its reply email still waiting to be sent."""
    received = timezone.now() - datetime.timedelta(days=3)
    ticket = services.ticket_create(
        kind="access", country="GB", region="ENG", name="Harriet Holmes", email="harriet@example.org",
        description="Please send me a copy of my data.", language="en", attachment=None,
        submission_key=None, received_at=received, actor=None, reason=reasons.SUBMITTED(),
        acknowledge=True,
    ).ticket
    services.ticket_claim(ticket_id=ticket.pk, actor=manager)
    services.ticket_request_information(ticket_id=ticket.pk, actor=manager, kind="identity",
                                        body="Please send a copy of your passport.")
    ticket.refresh_from_db()
    services.ticket_add_requester_message(ticket=ticket, body="Attached as asked.", attachment=None)
    services.ticket_extend(ticket_id=ticket.pk, actor=manager, reason="Several systems.")
    services.ticket_resolve(ticket_id=ticket.pk, actor=manager, outcome="partly_fulfilled",
                            body="Part of it.")
    ticket.refresh_from_db()
    Escalation.objects.create(ticket=ticket, rule="due_soon", level=1, due_date=ticket.due_date)
    return ticket


def sign_in(page: Any, url: str, user: Any) -> None:
    page.goto(f"{url}/staff/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, user)
    page.wait_for_url("**/staff/tickets/")


def read(page: Any, selectors: tuple[str, ...]) -> str:
    """The visible text of the parts of the page this journey is about."""
    return "\n".join(str(page.locator(selector).first.inner_text()) for selector in selectors)


def not_meant_for_a_reader(text: str, *, where: str, language: str, known: Any) -> list[str]:
    """Template syntax and internal codes, by the every-page detector (tests/support/visible_text)."""
    blocks = [Block(line) for line in text.splitlines() if line.strip()]
    return [finding.line() for finding in findings(blocks, page=where, language=language, vocabulary=known)
            if finding.kind in ("template", "code")]


def test_the_queue_ticket_and_record_read_in_words_in_finnish_and_english(
    browser: Any, live_server: Any, settings: Any,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    url = live_server.url
    manager = with_authenticator(get_user_model().objects.create_user(
        "maija", "maija@example.org", PASSWORD, is_staff=True))
    requests = Queue.objects.get(slug="requests")
    requests.members.add(manager)
    requests.managers.add(manager)
    ticket = worked_ticket(manager)
    # Open again, so that the queue's default view lists it.
    Ticket.objects.filter(pk=ticket.pk).update(status="in_progress")
    dues = sorted({entry.due_date for entry in ticket.history.all() if entry.due_date})
    before, after = dues[0], dues[-1]  # as received, and once extended
    known = vocabulary().with_data(demo_texts())

    page = new_page(browser, locale="en-GB")
    sign_in(page, url, manager)  # once: an authenticator code is accepted only once
    for language in ("fi", "en"):
        page.context.add_cookies([{"name": "desk_language", "value": language, "url": url}])
        page.goto(f"{url}/staff/tickets/")
        queue = read(page, ("#queue-rows",))
        assert "{#" not in page.locator("body").inner_text()
        assert not re.search(r"(?m)^\s*(uk_gdpr|gdpr)\s*$", queue) and "uk_gdpr" not in queue
        assert EXPECTED[language][6] in queue
        check_accessibility(page, f"labels-queue-{language}")

        page.goto(f"{url}/staff/tickets/{ticket.reference}/")
        ticket_text = read(page, ("section[aria-labelledby=requester-title]",
                                  "section[aria-labelledby=timeline-title]"))
        check_accessibility(page, f"labels-ticket-{language}")

        page.goto(f"{url}/staff/tickets/{ticket.reference}/record/")
        record = read(page, ("#request + dl", "#events + .table-wrap", "#emails + .table-wrap",
                             "#escalations + ul", "#accesses + .table-wrap"))
        check_accessibility(page, f"labels-record-{language}")

        everything = "\n".join((queue, ticket_text, record))
        for expected in EXPECTED[language]:
            assert expected in everything, (language, expected)
        if language == "fi":
            assert f"{before.day}. {FINNISH_MONTHS[before.month - 1]} {before.year}" in ticket_text
            assert f"{after.day}. {FINNISH_MONTHS[after.month - 1]} {after.year}" in record
        else:
            assert f"{before.day} {ENGLISH_MONTHS[before.month - 1]} {before.year}" in ticket_text
            assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", everything)
        problems = [problem for where, text in (("queue", queue), ("ticket", ticket_text), ("record", record))
                    for problem in not_meant_for_a_reader(text, where=where, language=language, known=known)]
        assert problems == [], "\n".join(problems)
    page.context.close()
