"""Reads of the in-app notification list, and the outbox's health."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Min, Q, Sum, Value, When, Window
from django.db.models.expressions import BaseExpression
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification, Outbox

# The list shows the notifications of the last NOTIFICATION_DAYS days, grouped per event and day;
# each group lists its newest TICKETS_PER_GROUP tickets and counts the rest. A sweep that tells a
# manager of forty overdue tickets is one group of forty, not forty lines (issue 16, item 18).
NOTIFICATION_DAYS = 30
TICKETS_PER_GROUP = 50

# What each event is called in the list, in its reader's language: the list is worded from the
# event and the ticket, never from the English stored with the notification. Another kind of
# notification adds its name here; one not named is listed as "Other notifications".
# A day's groups are listed in this order, the most pressing first.
EVENT_TITLES: dict[str, Promise] = {
    "escalation.overdue_past_margin": _("Overdue past the margin"),
    "escalation.due_today_or_overdue": _("Due today or overdue"),
    "escalation.acknowledgement_late": _("Not acknowledged by the date the law sets"),
    # What requesters did (tickets/services/requester.py: staff_tell).
    "requester.reopened": _("Requesters who wrote after the answer: open again"),
    "requester.follow_up": _("Follow-ups: requesters who wrote after the request had ended"),
    "requester.wrote": _("Messages from requesters"),
    "requester.withdrew": _("Withdrawn by the requester"),
    "escalation.due_soon": _("Due soon"),
    "escalation.extension_decision": _("No decision on an extension near the end of the first period"),
    "escalation.no_first_response": _("No first response in time"),
    "escalation.unassigned": _("Unassigned too long"),
    "escalation": _("Escalated"),
}
_EVENT_ORDER = {event: position for position, event in enumerate(EVENT_TITLES)}
OTHER_NOTIFICATIONS = _("Other notifications")


def event_title(event: str) -> str:
    return str(EVENT_TITLES.get(event, OTHER_NOTIFICATIONS))


@dataclass(frozen=True)
class NotificationItem:
    id: int
    reference: str  # "" for a notification about no ticket
    due_date: datetime.date | None
    unread: bool


@dataclass(frozen=True)
class NotificationGroup:
    """One event's notifications of one day (in the desk's time zone), newest tickets first."""

    event: str
    day: datetime.date
    total: int
    unread: int
    items: tuple[NotificationItem, ...]

    @property
    def title(self) -> str:
        return event_title(self.event)

    @property
    def more(self) -> int:
        """Tickets of the group not listed (past TICKETS_PER_GROUP): marked read with the group."""
        return self.total - len(self.items)


def notification_groups(user: Any, *, now: datetime.datetime | None = None) -> list[NotificationGroup]:
    """The user's notifications of the last NOTIFICATION_DAYS days, grouped per event and day, the
    newest day first: one query whatever their number (a range of the index notification_recent;
    window functions count each group and number its rows, the first TICKETS_PER_GROUP are read)."""
    now = timezone.now() if now is None else now
    day = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    group: list[BaseExpression | F] = [F("event"), day]
    unread = Sum(Case(When(read_at__isnull=True, then=Value(1)), default=Value(0)))
    newest_first = [F("created_at").desc(), F("id").desc()]
    since = now - datetime.timedelta(days=NOTIFICATION_DAYS)
    rows = (
        Notification.objects.filter(user=user, created_at__gte=since)
        .annotate(day=day,
                  position=Window(RowNumber(), partition_by=group, order_by=newest_first),
                  total=Window(Count("id"), partition_by=group),
                  unread=Window(unread, partition_by=group))
        .filter(position__lte=TICKETS_PER_GROUP)
        .values("id", "event", "day", "read_at", "position", "total", "unread",
                "ticket__reference", "ticket__due_date")
    )
    grouped: dict[tuple[str, datetime.date], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((row["event"], row["day"]), []).append(row)
    groups = [
        NotificationGroup(
            event=event, day=day_, total=members[0]["total"], unread=members[0]["unread"] or 0,
            items=tuple(NotificationItem(row["id"], row["ticket__reference"] or "", row["ticket__due_date"],
                                         row["read_at"] is None)
                        for row in sorted(members, key=lambda row: row["position"])))
        for (event, day_), members in grouped.items()
    ]
    # The newest day first; within a day, the most pressing rule first, then any other event.
    groups.sort(key=lambda group: (_EVENT_ORDER.get(group.event, len(_EVENT_ORDER)), group.event))
    return sorted(groups, key=lambda group: group.day, reverse=True)


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
