"""An agent's day in a real browser: sign in, filter the queue, open a ticket, ask for
clarification, the requester answers through the emailed link, extend with a reason, reply and
resolve; the requester sees each step on the status page and in the emails a real worker delivers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.browser.conftest import check_accessibility, check_at_both_widths, new_page, pass_second_factor
from tests.support.people import with_authenticator
from tests.support.services import SmtpSink, body_text
from tickets import services
from tickets.models import Queue, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def secret_in(message: Any, worker: Any) -> str:
    """The secret of the email's status link. The worker made the link as it sent the email (issue
    15), from its own DESK_PUBLIC_BASE_URL: the session's worker cannot know the live server."""
    found = re.search(r"(https?://\S+)/status/link/#([A-Za-z0-9_-]+)", body_text(message))
    assert found is not None
    assert found.group(1) == worker.env["DESK_PUBLIC_BASE_URL"]
    return found.group(2)


def open_link(page: Any, live_server: Any, message: Any, worker: Any) -> None:
    """The email's link, as its reader opens it: its page, then its button (issue 15, hole 7)."""
    page.goto(f"{live_server.url}/status/link/#{secret_in(message, worker)}")
    page.locator("#status-link-form button[type=submit]").click()
    page.wait_for_url("**/status/")


def test_the_agent_works_a_request_and_the_requester_sees_every_step(
    browser: Any, live_server: Any, celery_worker: Any, smtp_sink: SmtpSink, settings: Any,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    agent = with_authenticator(get_user_model().objects.create_user(
        "aino", "aino@example.org", "a-long-test-password", is_staff=True))
    Queue.objects.get(slug="requests").members.add(agent)
    address = "requester-journey@example.org"
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Reija Requester", email=address,
        description="Show me my data.", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=True,
    ).ticket
    smtp_sink.wait_for(lambda m: address in str(m["To"]) and "received" in str(m["Subject"]))

    page = new_page(browser, locale="en-GB")
    page.goto(f"{live_server.url}/staff/tickets/")
    check_at_both_widths(page, "staff-login")
    page.locator("#id_username").fill("aino")
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, agent, check="staff-second-factor")
    page.wait_for_url("**/staff/tickets/")
    page.locator("#id_kind").select_option("access")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**kind=access**")
    check_at_both_widths(page, "staff-queue")
    page.locator(f"a.ticket-link:text('{ticket.reference}')").click()
    page.wait_for_url(f"**/staff/tickets/{ticket.reference}/")
    check_at_both_widths(page, "staff-ticket")

    page.locator("#action-request_information summary").click()
    page.locator("#id_info-kind_1").check()  # clarification
    page.locator("#id_info-body").fill("Which customer number is yours?")
    page.locator("#action-request_information button[type=submit]").click()
    page.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_requester"

    question = smtp_sink.wait_for(lambda m: address in str(m["To"]) and "need something" in str(m["Subject"]))
    requester = new_page(browser, locale="en-GB")
    open_link(requester, live_server, question, celery_worker)
    assert "Waiting for your answer" in requester.locator("main").inner_text()
    assert "Which customer number is yours?" in requester.locator("main").inner_text()
    requester.locator("#id_body").fill("It is 4711.")
    requester.locator("form.form button[type=submit]").click()
    requester.wait_for_url("**/status/?sent=1")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"

    page.reload()
    page.locator("#action-extend summary").click()
    page.locator("#id_extend-reason").fill("Your data is spread over many systems.")
    page.locator("#action-extend button[type=submit]").click()
    page.wait_for_load_state()
    extended = smtp_sink.wait_for(lambda m: address in str(m["To"]) and "more time" in str(m["Subject"]))
    assert "Your data is spread over many systems." in body_text(extended)

    page.locator("#action-reply summary").click()
    page.locator("#id_reply-body").fill("We are collecting your data.")
    page.locator("#action-reply button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#action-resolve summary").click()
    page.locator("#id_resolve-outcome").select_option("fulfilled")
    page.locator("#id_resolve-body").fill("Your data is attached to this message.")
    page.locator("#action-resolve button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page, "staff-ticket-resolved")
    resolved = smtp_sink.wait_for(lambda m: address in str(m["To"]) and "handled" in str(m["Subject"]))
    assert "right to complain to the authority that enforces the privacy law" in body_text(resolved)
    assert "Office of the Data Protection Ombudsman" in body_text(resolved)  # a Finnish requester's

    open_link(requester, live_server, resolved, celery_worker)
    seen = requester.locator("main").inner_text()
    for step in ("Resolved", "Which customer number is yours?", "It is 4711.", "We are collecting your data.",
                 "Your data is attached to this message."):
        assert step in seen
    check_at_both_widths(requester, "status-resolved")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
