"""What the staff navigation shows on every staff page (desk/context.py): the unread count of
the in-app notifications (notifications/), and whether the user manages a queue (tickets/). Here,
above both apps, so that neither reaches into the other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery

from notifications.models import Notification
from tickets.models import Queue


@dataclass(frozen=True)
class Navigation:
    unread: int
    manager: bool  # sees the dashboard and the reports


def staff_navigation(user: Any) -> Navigation:
    """What the staff navigation shows, in one query: the unread count, and whether the user
    manages a queue (administrators see the dashboard too)."""
    if not (user.is_authenticated and user.is_staff):
        return Navigation(0, False)
    unread = (Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True).order_by()
              .values("user").annotate(total=Count("id")).values("total"))
    row: Any = get_user_model().objects.filter(pk=user.pk).values(
        unread=Subquery(unread), manager=Exists(Queue.objects.filter(managers=OuterRef("pk"))),
    ).first() or {}
    return Navigation(row.get("unread") or 0, bool(user.is_superuser or row.get("manager")))
