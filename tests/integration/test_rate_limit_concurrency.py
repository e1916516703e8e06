"""A limit we promise holds under a burst (research/reliability-security.md §5, L3): 30 posts at
once from one client address, on PostgreSQL, counted on a real Redis, with a limit of 10."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from desk.ratelimit import Rate
from notifications.models import Outbox
from tests.conftest import unavailable, valid_request
from tests.support.concurrency import in_parallel
from tests.tickets.test_honeypot import resend_post
from tickets import services
from tickets.models import Ticket

# serialized_rollback like every other transactional suite: a plain flush here would leave the
# next serialized test restoring content types that post_migrate had already recreated.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARALLEL = 30
# A window far longer than the test, so that no window boundary can fall inside the burst.
LIMIT = 10
YEAR = 365 * 86400


@pytest.fixture
def redis_counts(settings: Any) -> Iterator[Callable[[], list[str]]]:
    """The limiter on Redis (the production setup), under a prefix of this test's own: nothing
    is flushed, so whatever else uses this Redis is left alone."""
    if connection.vendor != "postgresql":
        unavailable("the concurrency test needs DATABASE_URL pointing at PostgreSQL")
    broker = str(django_settings.CELERY_BROKER_URL)
    if not broker.startswith("redis://"):
        unavailable("the concurrency test needs CELERY_BROKER_URL pointing at Redis")
    import redis

    try:
        redis.Redis.from_url(broker).ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {broker}: {error}")
    prefix = f"desk-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": broker, "KEY_PREFIX": prefix}}
    server = redis.Redis.from_url(broker)
    yield lambda: sorted(str(key) for key in server.keys(f"{prefix}:*"))
    keys = server.keys(f"{prefix}:*")
    if keys:
        server.delete(*keys)


def burst(post: Callable[[int], int]) -> Counter[int]:
    """PARALLEL threads, each with its own database connection, released at once: their answers."""
    return Counter(in_parallel(post, PARALLEL))


def test_thirty_parallel_requests_from_one_address_make_exactly_ten_tickets(
    redis_counts: Callable[[], list[str]], settings: Any,
) -> None:
    settings.DESK_RATE_FORM_ADDRESS = Rate(LIMIT, YEAR)

    answers = burst(lambda number: Client().post(
        "/", valid_request(email=f"burst{number}@example.org")).status_code)

    assert answers == Counter({302: LIMIT, 429: PARALLEL - LIMIT})
    assert Ticket.objects.count() == LIMIT
    assert Ticket.history.count() == LIMIT
    assert Outbox.objects.filter(event="acknowledgement").count() == LIMIT
    # The counts were on Redis: one for the address, and one for each email that got past it.
    keys = redis_counts()
    assert sum(":rl:form-address:" in key for key in keys) == 1
    assert sum(":rl:form-email:" in key for key in keys) == LIMIT


def test_thirty_parallel_link_requests_for_one_email_send_exactly_ten(
    redis_counts: Callable[[], list[str]], settings: Any,
) -> None:
    settings.DESK_RATE_RESEND_EMAIL = Rate(LIMIT, YEAR)
    ticket = services.ticket_create(
        kind="access", country="FI", region="", name="Burst", email="burst@example.org",
        description="d", language="en", attachment=None, submission_key=None,
        received_at=timezone.now(), actor=None, reason="test", acknowledge=False).ticket

    answers = burst(lambda number: Client().post("/status/lost/", resend_post(email="burst@example.org"))
                    .status_code)

    # Every caller gets the same answer; only ten of them made an email.
    assert answers == Counter({302: PARALLEL})
    assert Outbox.objects.filter(event="status_links", ticket=ticket).count() == LIMIT
    assert ticket.history.count() == 1 + LIMIT
