"""The deadline explained in its reader's language, in a real browser (issue 16, items 3, 4, 11):
the agent's ticket page and compliance record, and the requester's status page, in Finnish,
Swedish and English. No English sentence of law on a Finnish or Swedish page, no `lang="en"`, no
deadline code (`respond`, `extension_notice`), no repository path; the requester is told why
their date is what it is. A screenshot of each page, and axe at both widths."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.browser.conftest import check_at_both_widths, new_page, pass_second_factor
from tests.conftest import close_stray_connections
from tests.support.people import with_authenticator
from tests.support.status_links import secret_of
from tickets import services
from tickets.deadlines import REGIMES
from tickets.models import Queue, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"
LANGUAGES = ("fi", "sv", "en")
EVENTS = sorted({event for events in REGIMES.values() for event in events})
EVENT_CODE = re.compile(r"\b(" + "|".join(EVENTS) + r")\b")
ENGLISH_LAW = re.compile(r"is due by|Legal basis|GDPR Art\.|Reg\. 1182/71|business days?|working days?|"
                         r"after receipt|gives us|not a law|Christmas Day|research/|\.md\b")
# What each page must say in its language: the deadline's heading and a word of the explanation.
STAFF_WORDS = {"fi": ("Määräaika", "viimeistään", "Joulupäivä"),
               "sv": ("Tidsfrist", "senast den", "Juldagen"),
               "en": ("Deadline", "is due by the end of", "Christmas Day")}
REQUESTER_WORDS = {"fi": ("Miksi tämä päivä", "EU:n yleinen tietosuoja-asetus antaa meille", "Joulupäivä"),
                   "sv": ("Varför detta datum", "EU:s allmänna dataskyddsförordning ger oss", "Juldagen"),
                   "en": ("Why this date", "The EU General Data Protection Regulation gives us",
                          "Christmas Day")}


@pytest.fixture(autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Iterator[None]:
    """The live server's threads keep connections that would stop the test database being dropped."""
    yield
    close_stray_connections(django_db_blocker)


def christmas_request() -> Ticket:
    """Received 25 November 2026 in Finland: one month ends on Christmas Day, a Friday, and the
    deadline moves over Boxing Day and the Sunday to Monday 28 December."""
    received = datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC)
    if timezone.now() < received:  # the clock of the machine is before that: receive it today
        received = timezone.now()
    return services.ticket_create(
        kind="access", country="FI", region="", name="Reija Requester", email="reija@example.org",
        description="Show me my data.", language="fi", attachment=None, submission_key=None,
        received_at=received, actor=None, reason="test", acknowledge=False,
    ).ticket


def shoot(page: Any, name: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def assert_speaks(text: str, html: str, language: str) -> None:
    assert 'lang="en"' not in html
    assert not EVENT_CODE.search(text), EVENT_CODE.search(text)
    assert "research/" not in text
    if language != "en":
        assert not ENGLISH_LAW.search(text), ENGLISH_LAW.search(text)


def test_the_deadline_is_explained_in_each_readers_language(browser: Any, live_server: Any) -> None:
    agent = with_authenticator(get_user_model().objects.create_user(
        "aino", "aino@example.org", PASSWORD, is_staff=True))
    Queue.objects.get(slug="requests").members.add(agent)
    ticket = christmas_request()
    moved = ticket.deadlines["deadlines"]["respond"]["moved_by"]
    christmas = bool(moved) and moved[0]["date"] == "2026-12-25"
    url = live_server.url

    page = new_page(browser, locale="en-GB")
    page.goto(f"{url}/staff/login/")
    page.locator("#id_username").fill("aino")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, agent)
    page.wait_for_url("**/staff/tickets/")

    for language in LANGUAGES:
        page.context.add_cookies([{"name": "desk_language", "value": language, "url": url}])
        page.goto(f"{url}/staff/tickets/{ticket.reference}/")
        deadline = page.locator("section.deadline")
        deadline.locator("details summary").click()  # the table of every deadline
        heading, sentence, holiday = STAFF_WORDS[language]
        text = deadline.inner_text()
        assert heading in text and sentence in text
        assert holiday in text or not christmas
        assert_speaks(text, deadline.inner_html(), language)
        assert deadline.locator("tbody tr").count() == 2  # the response and the extension notice
        check_at_both_widths(page, f"deadline-ticket-{language}")

        page.goto(f"{url}/staff/tickets/{ticket.reference}/record/")
        table = page.locator("#deadlines ~ .table-wrap").first
        assert_speaks(table.inner_text(), table.inner_html(), language)
        shoot(page, f"deadline-record-{language}")

    for language in LANGUAGES:
        requester = new_page(browser, locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[language])
        link = services.status_link_issue(ticket)
        requester.goto(f"{url}/status/link/#{secret_of(link)}")
        requester.locator("#status-link-form button[type=submit]").click()
        requester.wait_for_url("**/status/")
        summary = requester.locator("dl.summary-list")
        why, told, holiday = REQUESTER_WORDS[language]
        text = summary.inner_text()
        assert why in text and told in text
        assert holiday in text or not christmas
        assert_speaks(text, summary.inner_html(), language)
        check_at_both_widths(requester, f"deadline-status-{language}")
        requester.context.close()
