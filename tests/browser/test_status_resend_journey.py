"""A requester whose link no longer works gets a new one by email, in Finnish or English, in a
real browser; every page passes axe at both widths, and the emailed link opens the request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import check_at_both_widths, new_page
from tests.support.services import SmtpSink, body_text
from tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXTS = {
    "fi": {"locale": "fi-FI", "problem": "Lomakkeessa on ongelma",
           "sent": "Jos meillä on tästä osoitteesta pyyntöjä"},
    "en": {"locale": "en-GB", "problem": "There is a problem",
           "sent": "If we have requests from this address, we have sent the links to it."},
}


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_lost_link_is_sent_again_and_opens_the_request(
    browser: Any, live_server: Any, celery_worker: Any, smtp_sink: SmtpSink, settings: Any,
    language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    address = f"lost-{language}@example.org"
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Liisa Linkitön", email=address,
        description="Missä linkkini on?", language=language, attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket
    page = new_page(browser, locale=TEXTS[language]["locale"])

    # An old link that does not work: the 404 page offers a new one.
    response = page.goto(f"{live_server.url}/status/open/{'x' * 43}/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == language
    check_at_both_widths(page, f"link-not-found-{language}")
    page.locator("main a.button").click()
    page.wait_for_url("**/status/lost/")
    check_at_both_widths(page, f"status-lost-{language}")

    # A mistake first: the error is named, next to the field, in the page's language.
    page.locator("#id_email").fill("lost@")
    page.locator("form.form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert TEXTS[language]["problem"] in page.locator(".error-summary").inner_text()
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    # The trap stays out of the keyboard's way: Tab from the address goes to the button.
    page.locator("#id_email").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") != "website"
    check_at_both_widths(page, f"status-lost-errors-{language}")

    page.locator("#id_email").fill(address)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/status/lost/sent/")
    assert TEXTS[language]["sent"] in page.locator("main").inner_text()
    check_at_both_widths(page, f"status-lost-sent-{language}")

    email = smtp_sink.wait_for(lambda m: address in str(m["To"]))
    assert ticket.reference in str(email["Subject"])
    link = re.search(r"(https?://\S+)/status/link/#([A-Za-z0-9_-]+)", body_text(email))
    assert link is not None
    # The worker made the link as it sent the email (issue 15), from its own DESK_PUBLIC_BASE_URL:
    # the session's worker cannot know this test's live server, which gets the same path and secret.
    assert link.group(1) == celery_worker.env["DESK_PUBLIC_BASE_URL"]
    other = new_page(browser, locale=TEXTS[language]["locale"])
    other.goto(f"{live_server.url}/status/link/#{link.group(2)}")
    other.locator("#status-link-form button[type=submit]").click()  # the link's page (issue 15)
    other.wait_for_url("**/status/")
    assert other.url == f"{live_server.url}/status/"
    assert ticket.reference in other.locator("main").inner_text()
