"""Reads of the in-app notification list, and the outbox's health."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from notifications.models import Notification


def notifications_for(user: Any, *, limit: int = 100) -> QuerySet[Notification]:
    mine = Notification.objects.filter(user=user).select_related("ticket")
    return mine.order_by("-created_at", "-id")[:limit]


@dataclass(frozen=True)
class Navigation:
    unread: int
    manager: bool  # sees the dashboard and the reports


def staff_navigation(user: Any) -> Navigation:
    """What the staff navigation shows, in one query: the unread count, and whether the user
    manages a queue (administrators see the dashboard too)."""
    if not (user.is_authenticated and user.is_staff):
        return Navigation(0, False)
    from tickets.models import Queue

    unread = (Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True).order_by()
              .values("user").annotate(total=Count("id")).values("total"))
    row: Any = get_user_model().objects.filter(pk=user.pk).values(
        unread=Subquery(unread), manager=Exists(Queue.objects.filter(managers=OuterRef("pk"))),
    ).first() or {}
    return Navigation(row.get("unread") or 0, bool(user.is_superuser or row.get("manager")))


@dataclass(frozen=True)
class OutboxHealth:
    """The delivery figures an operator watches (the admin's outbox list, `manage.py outbox`, and
    a readiness check): what waits, what is being retried after a temporary failure and since when,
    what is held by a worker past its lease, and what failed for good."""

    pending: int
    sending: int
    failed: int
    retrying: int  # pending after a temporary failure (4xx, or the mail server unreachable)
    stuck: int  # claimed by a worker whose lease ran out (it died): the sweep sends them again
    oldest_temporary_failure_at: datetime.datetime | None
    alert_after: datetime.timedelta

    @property
    def alert(self) -> bool:
        """Mail has been failing for longer than DESK_OUTBOX_ALERT_SECONDS: a person should look
        (the server, its credentials, a block list), before the retry period runs out."""
        oldest = self.oldest_temporary_failure_at
        return oldest is not None and timezone.now() - oldest >= self.alert_after


def outbox_health() -> OutboxHealth:
    """One query over the rows not yet sent or failed (the partial index `outbox_due`), and the
    count of failed ones."""
    from notifications.models import Outbox

    now = timezone.now()
    waiting = Outbox.objects.filter(state__in=[Outbox.State.PENDING, Outbox.State.SENDING]).aggregate(
        pending=Count("id", filter=Q(state=Outbox.State.PENDING)),
        sending=Count("id", filter=Q(state=Outbox.State.SENDING)),
        retrying=Count("id", filter=Q(state=Outbox.State.PENDING, first_failure_at__isnull=False)),
        stuck=Count("id", filter=Q(state=Outbox.State.SENDING, lease_until__lt=now)),
        oldest=Min("first_failure_at", filter=Q(state=Outbox.State.PENDING)),
    )
    return OutboxHealth(
        pending=waiting["pending"], sending=waiting["sending"],
        failed=Outbox.objects.filter(state=Outbox.State.FAILED).count(),
        retrying=waiting["retrying"], stuck=waiting["stuck"],
        oldest_temporary_failure_at=waiting["oldest"],
        alert_after=datetime.timedelta(seconds=settings.DESK_OUTBOX_ALERT_SECONDS),
    )
