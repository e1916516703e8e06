"""What staff can do, and what they are told, in a real browser (issue 16, items 8, 11, 18): after
claiming a ticket "Assign to me" is gone and the page says why; a Brazilian LGPD ticket offers no
extension and says why in words; a resolved ticket is found by its reference; a manager's flood
of escalations is a few groups, marked read one, a group and all at once. In English and Finnish,
with a screenshot of each page and axe at both widths."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.models import Notification
from tests.browser.conftest import ARTIFACTS, check_at_both_widths, new_page, pass_second_factor
from tests.conftest import close_stray_connections
from tests.support.people import with_authenticator
from tickets import services
from tickets.models import Queue, Ticket
from tickets.services.escalation import escalation_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _live_server_connections(django_db_blocker: Any) -> Iterator[None]:
    """The live server's threads keep connections that would stop the test database being dropped."""
    yield
    close_stray_connections(django_db_blocker)


def request(country: str, *, name: str, days_ago: int = 1) -> Ticket:
    return services.ticket_create(
        kind="access", country=country, region="", name=name, email=f"{name.split()[0].lower()}@example.org",
        description="Quero ver os meus dados." if country == "BR" else "Show me my data.",
        language="en", attachment=None, submission_key=None,
        received_at=timezone.now() - datetime.timedelta(days=days_ago), actor=None, reason="test",
        acknowledge=False,
    ).ticket


def sign_in(page: Any, url: str, user: Any) -> None:
    page.goto(f"{url}/staff/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, user)
    page.wait_for_url("**/staff/tickets/")


def shoot(page: Any, name: str) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def why_not(page: Any, action: str) -> str:
    page.locator("#actions-why-not summary").click()
    return str(page.locator(f"#why-not-{action}").inner_text()).strip()


def test_staff_are_offered_what_the_ticket_allows_and_told_why_not_the_rest(
    browser: Any, live_server: Any, settings: Any,
) -> None:
    settings.DESK_PUBLIC_BASE_URL = live_server.url
    url = live_server.url
    agent = with_authenticator(get_user_model().objects.create_user(
        "aino", "aino@example.org", PASSWORD, is_staff=True))
    requests = Queue.objects.get(slug="requests")
    requests.members.add(agent)
    requests.managers.add(agent)
    finnish = request("FI", name="Reija Requester")
    brazilian = request("BR", name="Bruna Brasileira")
    answered = request("FI", name="Ronja Resolved", days_ago=5)
    services.ticket_resolve(ticket_id=answered.pk, actor=agent, outcome="fulfilled", body="Here it is.")
    for number in range(6):
        request("FI", name=f"Olli Overdue{number}", days_ago=60)
    escalation_sweep()
    flood = Notification.objects.filter(user=agent).count()
    assert flood >= 18  # six tickets, three rules or more

    page = new_page(browser, locale="en-GB")
    sign_in(page, url, agent)

    # Claim, and "Assign to me" is gone; the page says why.
    page.goto(f"{url}/staff/tickets/{finnish.reference}/")
    page.locator("#action-claim").click()
    page.wait_for_load_state()
    assert page.locator("#action-claim").count() == 0
    assert why_not(page, "claim") == "This ticket is already yours."
    check_at_both_widths(page, "staff-actions-claimed-en")

    # A Brazilian LGPD request: no Extend, and why in words (no "lgpd", no 409 after typing).
    page.goto(f"{url}/staff/tickets/{brazilian.reference}/")
    assert page.locator("#action-extend").count() == 0
    assert page.locator("#action-resolve").count() == 1
    assert why_not(page, "extend") == "Brazil LGPD allows no extension of the deadline."
    shoot(page, "staff-actions-lgpd-en")

    # A resolved ticket, found by its reference from the queue's search field.
    page.goto(f"{url}/staff/tickets/")
    assert page.locator(f"a.ticket-link:text('{answered.reference}')").count() == 0
    page.locator("#id_q").fill(answered.reference.lower())
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**q=**")
    page.locator(f"a.ticket-link:text('{answered.reference}')").click()
    page.wait_for_url(f"**/staff/tickets/{answered.reference}/")
    assert page.locator("#action-reopen").count() == 1
    assert page.locator("#action-reply").count() == 0
    assert why_not(page, "reply") == "The ticket is resolved. Reopen it first."
    shoot(page, "staff-actions-resolved-en")

    # The flood: a few groups, not a line per ticket and rule.
    page.goto(f"{url}/staff/notifications/")
    groups = page.locator(".notification-group")
    assert groups.count() < flood
    # The most pressing rule first; each group lists its tickets (the DPO's rule comes to the
    # queue's managers here: the desk has no DPO with an address).
    assert page.locator(".notification-group h3").all_inner_texts() == [
        "Overdue past the margin", "Due today or overdue", "Due soon", "Unassigned too long"]
    assert page.locator(".notification-group").first.locator("a").count() == 6
    check_at_both_widths(page, "staff-notifications-en")
    unread_before = Notification.objects.filter(user=agent, read_at__isnull=True).count()
    page.locator(".notification__read button").first.click()
    page.wait_for_load_state()
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == unread_before - 1
    first_group = page.locator(".notification-group").first
    in_group = int(first_group.locator(".notification--unread").count())
    first_group.locator("form:not(.notification__read) button").click()
    page.wait_for_load_state()
    left = Notification.objects.filter(user=agent, read_at__isnull=True).count()
    assert left == unread_before - 1 - in_group

    # The same pages in Finnish.
    page.context.add_cookies([{"name": "desk_language", "value": "fi", "url": url}])
    page.goto(f"{url}/staff/notifications/")
    assert page.locator("h1").inner_text() == "Ilmoitukset"
    assert "Erääntyy tänään tai myöhässä" in page.locator(".notification-group h3").all_inner_texts()
    check_at_both_widths(page, "staff-notifications-fi")
    page.locator("#notifications-read-all").click()
    page.wait_for_load_state()
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()
    assert page.locator(".notification--unread").count() == 0
    shoot(page, "staff-notifications-read-fi")

    page.goto(f"{url}/staff/tickets/{brazilian.reference}/")
    assert page.locator("#actions-why-not summary").inner_text() == "Miksi osa toiminnoista puuttuu?"
    assert why_not(page, "extend") == "Brasilian tietosuojalaki (LGPD) ei salli määräajan jatkamista."
    check_at_both_widths(page, "staff-actions-lgpd-fi")
    page.goto(f"{url}/staff/tickets/{finnish.reference}/")
    assert why_not(page, "claim") == "Tämä tiketti on jo sinulla."
    shoot(page, "staff-actions-claimed-fi")
