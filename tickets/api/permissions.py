from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class IsStaffMember(permissions.BasePermission):
    """Signed-in, active staff; which tickets they reach is the scope selector's business."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)
