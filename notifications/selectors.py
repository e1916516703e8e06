"""Reads of the in-app notification list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.models import Notification


def notifications_for(user: Any, *, limit: int = 100) -> QuerySet[Notification]:
    mine = Notification.objects.filter(user=user).select_related("ticket")
    return mine.order_by("-created_at", "-id")[:limit]


def unread_count(user: Any) -> int:
    if not (user.is_authenticated and user.is_staff):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
