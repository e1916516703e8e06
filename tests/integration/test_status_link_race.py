"""One emailed link exchanged by many browsers at once, on PostgreSQL (issue 15, hole 7): the
link's row is locked for the exchange, so exactly one browser binds it, and every other is
refused, however the threads interleave."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import unavailable
from tests.support.concurrency import in_parallel
from tickets import services
from tickets.models import StatusLink, Ticket
from tickets.services.status_links import StatusLinkElsewhere, status_link_exchange

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARALLEL = 12


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        unavailable("the exchange race needs DATABASE_URL pointing at PostgreSQL")


def test_many_browsers_exchanging_one_link_at_once_bind_it_to_exactly_one() -> None:
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Race", email="race@example.org",
        description="Haluan nähdä tietoni.", language="fi", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False).ticket
    secret = services.status_link_issue(ticket).split("#", 1)[1]

    def exchange(number: int) -> tuple[str, Ticket | None]:
        browser = f"{number:064x}"
        try:
            return browser, status_link_exchange(secret=secret, browser=browser)
        except StatusLinkElsewhere:
            return browser, None

    answers = in_parallel(exchange, PARALLEL)

    opened = [browser for browser, answer in answers if answer is not None]
    assert len(opened) == 1
    link = StatusLink.objects.get(digest=services.token_digest(secret))
    assert link.browser_digest == opened[0]
    assert link.exchanged_at is not None
    # The winner opens it again; nobody else ever does.
    assert status_link_exchange(secret=secret, browser=opened[0]).pk == ticket.pk
