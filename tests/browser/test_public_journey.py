"""A requester files in Finnish or English in a real browser, meets the errors for bad input,
and opens the status link from the email the real worker delivered. Every page passes axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from desk.crypto import email_digest
from tests.browser.conftest import check_at_both_widths, new_page, tab_to
from tests.support.services import SmtpSink, body_text
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
# The form's own submit button (the language switcher has one too).
SEND_BUTTON = "document.activeElement.type === 'submit' && !!document.activeElement.closest('form.form')"

TEXTS = {
    "fi": {"locale": "fi-FI", "problem": "Virhe", "received": "vastaanottaneet"},
    "en": {"locale": "en-GB", "problem": "There is a problem", "received": "We have received"},
}


@pytest.mark.parametrize("language", ["fi", "en"])
def test_file_a_request_then_follow_it_from_the_emailed_link(
    browser: Any, live_server: Any, celery_worker: Any, smtp_sink: SmtpSink, settings: Any,
    language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    address = f"browser-{language}@example.org"
    page = new_page(browser, locale=TEXTS[language]["locale"])
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == language
    check_at_both_widths(page, f"request-form-{language}")

    # Bad input: nothing chosen, a broken address. The server answers in the requester's language.
    page.locator("#id_email").fill("not-an-email")
    page.locator("form.form button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#id_kind_error").is_visible()
    assert page.locator("#id_email_error").is_visible()
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    check_at_both_widths(page, f"request-form-errors-{language}")
    assert Ticket.objects.count() == 0

    page.locator("#id_kind_1").check()  # access: see my data
    page.locator("#id_country").select_option("FI")
    page.locator("#id_name").fill("Aino <b>Asiakas</b>")
    page.locator("#id_email").fill(address)
    page.locator("#id_description").fill("Haluan nähdä tietoni. {{ 7*7 }}")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/submitted/")
    ticket = Ticket.objects.get(requester_email_digest=email_digest(address))
    assert ticket.reference in page.locator("main").inner_text()
    check_at_both_widths(page, f"submitted-{language}")

    email = smtp_sink.wait_for(lambda m: address in str(m["To"]))
    link = re.search(r"(https?://\S+)/status/link/#([A-Za-z0-9_-]+)", body_text(email))
    assert link is not None
    # The worker made the link as it sent the email (issue 15), from its own DESK_PUBLIC_BASE_URL:
    # the session's worker cannot know this test's live server, which gets the same path and secret.
    assert link.group(1) == celery_worker.env["DESK_PUBLIC_BASE_URL"]

    # The requester opens the link on another device: no session but the link's. Its page opens
    # the request when its button is pressed (issue 15, hole 7).
    other = new_page(browser, locale=TEXTS[language]["locale"])
    other.goto(f"{live_server.url}/status/link/#{link.group(2)}")
    other.locator("#status-link-form button[type=submit]").click()
    other.wait_for_url("**/status/")
    assert other.url == f"{live_server.url}/status/"
    main = other.locator("main").inner_text()
    assert ticket.reference in main
    assert "{{ 7*7 }}" in main
    check_at_both_widths(other, f"status-{language}")

    other.locator("#id_body").fill("Liitteenä henkilöllisyystodistus.")
    other.locator("form.form button[type=submit]").click()
    other.wait_for_url("**/status/?sent=1")
    assert Message.objects.get(ticket=ticket).body == "Liitteenä henkilöllisyystodistus."
    check_at_both_widths(other, f"status-message-sent-{language}")


def test_the_swedish_form_and_the_language_switch(browser: Any, live_server: Any) -> None:
    page = new_page(browser, locale="sv-SE")
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "sv"
    check_at_both_widths(page, "request-form-sv")

    page.locator("#language-select").select_option("en")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_wrong_status_link_is_a_plain_page_not_found(browser: Any, live_server: Any) -> None:
    page = new_page(browser, locale="en-GB")
    response = page.goto(f"{live_server.url}/status/open/{'x' * 43}/")
    assert response is not None and response.status == 404
    check_at_both_widths(page, "not-found-en")


def test_a_requester_files_by_keyboard_alone(browser: Any, live_server: Any) -> None:
    """No mouse and no scripted focus: the skip link, the error summary's links, the radio group,
    the country list by typing its name, and Enter to send."""
    page = new_page(browser, locale="en-GB")
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Sent empty: the summary takes the focus; its first link leads into the choice of kind.
    tab_to(page, SEND_BUTTON, limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_kind_0"
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.name") != "kind":
        page.keyboard.press("Tab")  # the link moved the starting point to the first choice
    assert page.evaluate("document.activeElement.id") == "id_kind_0"
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_kind_1").is_checked()  # access: see my data

    tab_to(page, "document.activeElement.id === 'id_country'", limit=60)
    page.keyboard.type("Finland")
    assert page.locator("#id_country").input_value() == "FI"
    tab_to(page, "document.activeElement.id === 'id_name'", limit=60)
    page.keyboard.type("Kalle Keyboard")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("keyboard@example.org")
    tab_to(page, "document.activeElement.id === 'id_description'", limit=60)
    page.keyboard.type("Please show me my data.")
    tab_to(page, SEND_BUTTON, limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/submitted/")
    ticket = Ticket.objects.get(requester_email_digest=email_digest("keyboard@example.org"))
    assert (ticket.kind, ticket.requester_country) == ("access", "FI")
    assert ticket.requester_name == "Kalle Keyboard"
    assert ticket.reference in page.locator("main").inner_text()
