"""References under a burst, on PostgreSQL: the counter row is taken by one UPDATE … RETURNING
(tickets/services/intake.py), so parallel submissions wait for each other and get 1, 2, 3 … with
neither a duplicate nor a gap; and a double submit in parallel is still one ticket."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import connection

from notifications.models import Outbox
from tests.conftest import unavailable
from tests.support.concurrency import in_parallel as run_in_parallel
from tickets import services
from tickets.models import Ticket
from tickets.services.intake import Submission, Submitter

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARALLEL = 20


def in_parallel(work: Callable[[int], Submission]) -> list[Submission]:
    """PARALLEL threads, each with its own database connection, released at once."""
    return run_in_parallel(work, PARALLEL)


def submit(key: uuid.UUID, number: int, *, submitter: Submitter | None = None) -> Submission:
    email = submitter.email if submitter is not None else f"maija{number}@example.org"
    return services.ticket_submit(
        kind="access", country="FI", region="", name="Maija Mehiläinen",
        email=email, description="Haluan nähdä tietoni.", language="fi",
        attachment=None, submission_key=key, submitter=submitter)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        unavailable("the reference burst needs DATABASE_URL pointing at PostgreSQL")


def test_parallel_submissions_get_consecutive_references() -> None:
    in_parallel(lambda number: submit(uuid.uuid4(), number))

    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in
                     Ticket.objects.values_list("reference", flat=True))
    assert numbers == list(range(1, PARALLEL + 1))
    assert Outbox.objects.filter(event="acknowledgement").count() == PARALLEL


def test_a_double_submit_in_parallel_is_one_ticket() -> None:
    key = uuid.uuid4()
    # One browser posting its form many times at once (a double click): every repeat is its own
    # sender's, answered with the one ticket. A stranger's repeat of a key is refused (issue 15,
    # hole 1: tests/integration/test_submission_repeat.py).
    browser = Submitter(email="maija@example.org", browser="a" * 64)

    submissions = in_parallel(lambda number: submit(key, number, submitter=browser))

    assert Ticket.objects.count() == 1
    assert Outbox.objects.filter(event="acknowledgement").count() == 1
    assert {submission.ticket.pk for submission in submissions} == {Ticket.objects.get().pk}
    assert sorted(submission.created for submission in submissions) == [False] * (PARALLEL - 1) + [True]
