"""The agent's day by keyboard alone: sign in from the skip link on, ? lists the shortcuts (and
can switch single keys off), / searches, j/k move through the queue, a assigns to me, r replies,
and the ticket is resolved through its disclosure."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.browser.conftest import check_accessibility, new_page, sign_in_by_keyboard, tab_to
from tests.support.people import with_authenticator
from tickets import services
from tickets.lifecycle import Status
from tickets.models import Message, Queue, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_agent_works_by_keyboard(browser: Any, live_server: Any) -> None:
    agent = with_authenticator(get_user_model().objects.create_user(
        "kaisa", "kaisa@example.org", "a-long-test-password", is_staff=True))
    Queue.objects.get(slug="requests").members.add(agent)
    for name in ("First", "Second"):
        services.ticket_create(
            kind="access", country="FI", region="", name=name, email=f"{name}@example.org",
            description="Please.", language="en", attachment=None, submission_key=None,
            received_at=timezone.now(), actor=None, reason="test", acknowledge=False)
    first = Ticket.objects.order_by("due_date", "id").first()
    assert first is not None

    page = new_page(browser, locale="en-GB")
    sign_in_by_keyboard(page, live_server.url, agent, "a-long-test-password")

    page.keyboard.press("?")
    assert page.locator("#shortcuts-help").is_visible()
    check_accessibility(page, "staff-shortcuts")
    page.keyboard.press("Escape")
    assert not page.locator("#shortcuts-help").is_visible()

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.press("Shift+Tab")  # out of the search field, to the status counts
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent") == first.reference
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/tickets/{first.reference}/")

    with page.expect_navigation():
        page.keyboard.press("a")
    page.wait_for_load_state("load")
    first.refresh_from_db()
    assert first.assignee_id == agent.pk

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_reply-body"
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert Message.objects.get(ticket=first).body == "Typed without a mouse."

    # Single keys can be switched off (WCAG 2.1.4): then "r" does nothing.
    page.keyboard.press("?")
    assert page.evaluate("document.activeElement.id") == "shortcuts-enabled"  # the dialog's first control
    page.keyboard.press("Space")
    page.keyboard.press("Escape")  # the focus goes back to where it was: the page, not a field
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") != "id_reply-body"

    # Resolved from its disclosure: Tab to it, open it, write, choose the outcome by typing, send.
    tab_to(page, "document.activeElement.tagName === 'SUMMARY' && "
                 "document.activeElement.parentElement.id === 'action-resolve'")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_resolve-body"
    page.keyboard.type("Your data is attached.")
    tab_to(page, "document.activeElement.id === 'id_resolve-outcome'")
    page.keyboard.type("Partly")
    assert page.locator("#id_resolve-outcome").input_value() == "partly_fulfilled"
    tab_to(page, "document.activeElement.type === 'submit' && "
                 "!!document.activeElement.closest('#action-resolve')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    first.refresh_from_db()
    assert first.status == Status.RESOLVED


def test_the_queues_refresh_keeps_the_focus_and_says_only_a_changed_count(
    browser: Any, live_server: Any,
) -> None:
    agent = with_authenticator(get_user_model().objects.create_user(
        "kaisa", "kaisa@example.org", "a-long-test-password", is_staff=True))
    Queue.objects.get(slug="requests").members.add(agent)

    def new_ticket(name: str) -> Ticket:
        return services.ticket_create(
            kind="access", country="FI", region="", name=name, email=f"{name}@example.org",
            description="Please.", language="en", attachment=None, submission_key=None,
            received_at=timezone.now(), actor=None, reason="test", acknowledge=False).ticket

    new_ticket("First")
    new_ticket("Second")
    page = new_page(browser, locale="en-GB")
    sign_in_by_keyboard(page, live_server.url, agent, "a-long-test-password")
    assert page.locator("#queue-rows").get_attribute("aria-live") is None  # not the whole table
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.textContent")

    def refresh() -> None:  # what htmx's "every 60s" does, without waiting a minute
        page.evaluate("htmx.ajax('GET', location.href, {target: '#queue-rows', swap: 'innerHTML'})")

    refresh()
    assert page.locator("#queue-announcement").inner_text() == ""  # nothing changed, nothing said
    new_ticket("Third")
    refresh()
    page.wait_for_function("document.querySelectorAll('a.ticket-link').length === 3")
    assert page.locator("#queue-announcement").inner_text() == "3 tickets"
    # The keyboard user's place survives the swap: the same ticket's link has the focus.
    assert page.evaluate("document.activeElement.textContent") == focused
