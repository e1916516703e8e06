"""The XSS corpus in a real browser (research F1): a ticket whose every field carries the payloads
of tests/security/test_xss.py, opened on the staff ticket page, the queue, the compliance record
and the status page in Chromium with the desk's CSP. No script runs (no dialog), no injected
element exists, and the payloads are on the page as text."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.conftest import new_page
from tests.conftest import close_stray_connections
from tests.security.test_xss import NAME, poison
from tests.security.world import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
INJECTED = ("img[src=x]", "svg[onload]", "[onmouseover]", "[onerror]", "body style", "main script")


@pytest.fixture(scope="module", autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Any:
    """The live server's threads keep connections that would stop the test database being dropped."""
    yield
    close_stray_connections(django_db_blocker)


def signed_in_page(browser: Any, live_server: Any, client: Client) -> Any:
    """A browser tab holding the session of a Django test client (signed in, or with a status grant)."""
    page = new_page(browser)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def test_no_payload_runs_on_any_page_that_shows_it(browser: Any, live_server: Any) -> None:
    world = make_world()
    poisoned = poison(world)
    reference = poisoned.ticket.reference
    staff_tab = signed_in_page(browser, live_server, world.client("agent_a"))
    requester_tab = signed_in_page(browser, live_server, poisoned.requester)
    dialogs: list[str] = []
    violations: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    for tab in (staff_tab, requester_tab):
        tab.on("dialog", on_dialog)
        tab.on("console", on_console)

    pages = [(staff_tab, f"/staff/tickets/{reference}/"), (staff_tab, "/staff/tickets/?status=in_progress"),
             (staff_tab, f"/staff/tickets/{reference}/record/"), (requester_tab, "/status/")]
    for tab, path in pages:
        response = tab.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        tab.wait_for_load_state("load")
        for selector in INJECTED:
            assert tab.locator(selector).count() == 0, (path, selector)
        text = tab.locator("main").inner_text()
        assert NAME.split(" ")[0] in text or "<script>alert(1)</script>" in text, path
        assert "{{ 7*7 }}" in text, path
        # Move the mouse over everything, as a person would: an injected handler would fire now.
        tab.evaluate("document.querySelectorAll('body *').forEach(element => "
                     "['mouseover', 'focus', 'click'].forEach(kind => "
                     "kind === 'click' && element.closest('a, button, form, summary') ? null : "
                     "element.dispatchEvent(new Event(kind, {bubbles: true}))))")

    assert dialogs == []
    assert violations == []  # nothing was even tried: the text never became markup
    staff_tab.evaluate("alert('control')")  # the control: a dialog that does open is counted
    assert dialogs == ["control"]
