"""The managers' daily digest: each manager's open tickets due within the week, as one email
through the outbox (notifications/ delivers it, and knows nothing of tickets)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import formats, timezone, translation

from notifications.models import Outbox
from notifications.services import outbox_enqueue
from tickets.lifecycle import OPEN_STATUSES
from tickets.models import Ticket

DIGEST_DAYS = 7  # the tickets due within this many days
DIGEST_TICKETS = 50  # listed at most, soonest due first


def digest_send(*, today: datetime.date | None = None) -> int:
    """Each manager's daily digest of their queues' open tickets due within 7 days; once a day
    whatever the schedule does (the key carries the date). Returns the number of digests written."""
    today = today or timezone.localdate()
    week = today + datetime.timedelta(days=DIGEST_DAYS)
    language = settings.DESK_STAFF_LANGUAGE
    written = 0
    managers = User.objects.filter(is_active=True, managed_desk_queues__isnull=False).distinct()
    for manager in managers.exclude(email="").prefetch_related("managed_desk_queues"):
        due = list(Ticket.objects.filter(
            queue__in=manager.managed_desk_queues.all(), due_date__lte=week,
            status__in=[s.value for s in OPEN_STATUSES]).order_by("due_date", "id")
            .values("reference", "due_date", "status")[:DIGEST_TICKETS])
        key = f"digest:{manager.pk}:{today.isoformat()}"
        if not due or Outbox.objects.filter(dedupe_key=key).exists():
            continue
        # The subject names the day as the manager's language writes it ("30. maaliskuuta 2026").
        with transaction.atomic(), translation.override(language):
            outbox_enqueue(
                dedupe_key=key, event="digest",
                recipient=manager.email, language=language,
                context={"reference": formats.date_format(today, "DATE_FORMAT"), "tickets": due,
                         "today": today,
                         "overdue": sum(1 for t in due if t["due_date"] < today),
                         "queue_url": f"{settings.DESK_PUBLIC_BASE_URL}/staff/tickets/"
                                      f"?due_within={DIGEST_DAYS}"})
        written += 1
    return written
