"""A submission key posted by two browsers at once, on PostgreSQL (issue 15, hole 1): one ticket;
every post of the browser that made it answers that request ("already received"), every post of
the other is refused (SubmissionKeyUsed), whichever thread wins the unique index."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from notifications.models import Outbox
from tests.conftest import unavailable
from tests.support.concurrency import in_parallel
from tickets.models import Ticket
from tickets.services import Submission, ticket_submit
from tickets.services.intake import SubmissionKeyUsed, Submitter

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARALLEL = 12
BROWSERS = ("a" * 64, "b" * 64)  # two browsers' keyed hashes (tickets.services.status_links.browser_digest)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        unavailable("the submission race needs DATABASE_URL pointing at PostgreSQL")


def test_two_browsers_racing_one_key_make_one_ticket_and_only_its_maker_is_answered() -> None:
    key = uuid.uuid4()

    def post(number: int) -> tuple[int, Submission | SubmissionKeyUsed]:
        side = number % 2
        email = f"sender{side}@example.org"
        try:
            return side, ticket_submit(
                kind="access", country="FI", region="", name=f"Sender {side}", email=email,
                description="Haluan nähdä tietoni.", language="fi", attachment=None, submission_key=key,
                submitter=Submitter(email=email, browser=BROWSERS[side]))
        except SubmissionKeyUsed as refused:
            return side, refused

    answers = in_parallel(post, PARALLEL)

    ticket = Ticket.objects.get()
    maker = 0 if ticket.requester_email == "sender0@example.org" else 1
    made = [answer for side, answer in answers if side == maker]
    other = [answer for side, answer in answers if side != maker]
    assert all(isinstance(answer, Submission) and answer.ticket.pk == ticket.pk for answer in made)
    assert sorted(answer.created for answer in made if isinstance(answer, Submission)) == (
        [False] * (PARALLEL // 2 - 1) + [True])
    assert all(isinstance(answer, SubmissionKeyUsed) for answer in other)
    assert Outbox.objects.filter(event="acknowledgement").count() == 1
    assert Ticket.history.count() == 1
