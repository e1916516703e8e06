"""The emailed status link opened in a real browser, in Finnish and English, with and without
JavaScript (issue 15, hole 7): the secret is in the fragment and never in an address the browser
asks the server for; the page posts it when the person presses the button; without script the
person pastes the link. A second browser cannot use a link the first has opened. Every page
passes axe at both widths; the screenshots are in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests.browser.conftest import WIDTHS, check_at_both_widths, tab_to
from tickets import services
from tickets.models import StatusLink, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXTS = {
    "fi": {"locale": "fi-FI", "title": "Avaa pyyntösi", "button": "Avaa pyyntöni",
           "ready": "Linkkisi on valmiina.", "label": "Sähköpostissasi oleva linkki",
           "elsewhere": "Tämä linkki on käytössä toisessa selaimessa", "status": "Pyyntö"},
    "en": {"locale": "en-GB", "title": "Open your request", "button": "Open my request",
           "ready": "Your link is ready.", "label": "The link from your email",
           "elsewhere": "This link is in use in another browser", "status": "Request"},
}
OPEN_BUTTON = ("document.activeElement.type === 'submit'"
               " && document.activeElement.form.id === 'status-link-form'")


def filed(language: str) -> Ticket:
    return services.ticket_create(
        kind="access", country="FI", region="", name="Linkki Liisa", email=f"link-{language}@example.org",
        description="Show me my data.", language=language, attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False,
    ).ticket


def browser_page(browser: Any, language: str, *, javascript: bool) -> tuple[Any, list[str]]:
    """A fresh browser (its own cookies) and every address it asks the server for."""
    context = browser.new_context(locale=TEXTS[language]["locale"], viewport=WIDTHS["desktop"],
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    return page, asked


def assert_secret_never_asked_for(asked: list[str], secret: str) -> None:
    """No request's path or query holds the secret (the fragment never leaves the browser)."""
    assert asked
    for url in asked:
        parts = urlsplit(url)
        assert secret not in parts.path and secret not in parts.query, url


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_emailed_link_opens_the_request_with_javascript(
    browser: Any, live_server: Any, settings: Any, language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    ticket = filed(language)
    link = services.status_link_issue(ticket)
    secret = link.split("#", 1)[1]
    page, asked = browser_page(browser, language, javascript=True)
    text = TEXTS[language]

    page.goto(link)

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == text["title"]
    # The script took the secret: the paste field is hidden, and the address bar shows no secret.
    assert page.locator("#status-link-ready").inner_text() == text["ready"]
    assert page.locator("#id_link").is_hidden()
    assert page.url == f"{live_server.url}/status/link/"
    check_at_both_widths(page, f"status-link-js-{language}", dark=True)
    assert StatusLink.objects.get(digest=services.token_digest(secret)).exchanged_at is None  # no press yet
    # A keyboard user reaches the button with Tab and presses it with Enter.
    page.locator("h1").click()
    tab_to(page, OPEN_BUTTON)
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/")

    assert ticket.reference in page.locator("main").inner_text()
    assert page.locator("h1").inner_text().startswith(text["status"])
    assert_secret_never_asked_for(asked, secret)
    check_at_both_widths(page, f"status-after-link-js-{language}")

    # The same link in a second browser: refused, and it says why, in the page's language.
    other, other_asked = browser_page(browser, language, javascript=True)
    other.goto(link)
    other.locator("#status-link-form button[type=submit]").click()
    other.wait_for_load_state()
    assert other.locator("h1").inner_text() == text["elsewhere"]
    assert ticket.reference not in other.content()
    check_at_both_widths(other, f"status-link-elsewhere-{language}")
    assert other.goto(f"{live_server.url}/status/").status == 404
    assert_secret_never_asked_for(other_asked, secret)
    other.context.close()
    page.context.close()


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_emailed_link_opens_the_request_without_javascript(
    browser: Any, live_server: Any, settings: Any, language: str,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    ticket = filed(language)
    link = services.status_link_issue(ticket)
    secret = link.split("#", 1)[1]
    page, asked = browser_page(browser, language, javascript=False)
    text = TEXTS[language]

    page.goto(link)

    # No script: the page asks for the link, labelled, and the person pastes it.
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#status-link-ready").is_hidden()
    assert page.locator("label[for=id_link]").inner_text().strip() == text["label"]
    shots = f"status-link-nojs-{language}"
    page.screenshot(path=str(screenshot_path(shots, 1280)), full_page=True)
    page.set_viewport_size(WIDTHS["phone"])
    page.screenshot(path=str(screenshot_path(shots, 320)), full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])
    page.locator("#id_link").fill(link)
    page.get_by_role("button", name=text["button"]).click()
    page.wait_for_url("**/status/")

    assert ticket.reference in page.locator("main").inner_text()
    assert_secret_never_asked_for(asked, secret)
    page.screenshot(path=str(screenshot_path(f"status-after-link-nojs-{language}", 1280)), full_page=True)
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_an_old_link_opens_the_request_by_its_button(
    browser: Any, live_server: Any, settings: Any, javascript: bool,
) -> None:
    """Emails sent before the change hold /status/open/SECRET/: the page holds the secret, opens
    nothing until the button is pressed, and (with script) leaves the address bar at once."""
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    ticket = filed("en")
    secret = services.status_link_issue(ticket).split("#", 1)[1]
    page, _asked = browser_page(browser, "en", javascript=javascript)

    page.goto(f"{live_server.url}/status/open/{secret}/")

    assert page.locator("#id_link").count() == 0  # nothing to paste: the page has it
    if javascript:
        assert page.url == f"{live_server.url}/status/link/"
        check_at_both_widths(page, "status-link-old-js-en")
    assert StatusLink.objects.get(digest=services.token_digest(secret)).exchanged_at is None
    page.get_by_role("button", name="Open my request").click()
    page.wait_for_url("**/status/")
    assert ticket.reference in page.locator("main").inner_text()
    page.context.close()


def test_changing_the_language_keeps_the_link(browser: Any, live_server: Any, settings: Any) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    ticket = filed("fi")
    link = services.status_link_issue(ticket)
    page, asked = browser_page(browser, "en", javascript=True)

    page.goto(link)
    page.locator("#language-select").select_option("fi")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("#status-link-ready").inner_text() == TEXTS["fi"]["ready"]
    page.get_by_role("button", name=TEXTS["fi"]["button"]).click()
    page.wait_for_url("**/status/")
    assert ticket.reference in page.locator("main").inner_text()
    assert_secret_never_asked_for(asked, link.split("#", 1)[1])
    page.context.close()


def screenshot_path(name: str, width: int) -> Any:
    from tests.browser.conftest import ARTIFACTS

    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    return shots / f"{name}-{width}.png"
