from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from desk.access import is_staff_member, passed_second_factor
from desk.models import ApiToken


class IsStaffMember(permissions.BasePermission):
    """Signed-in, active staff; which tickets they reach is the scope selector's business.

    Through a browser session that means past the second factor too (a token was issued from such a
    session); a read-only token may not change anything."""

    message = _("Sign in as staff, with your second factor, or send a valid API token.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not is_staff_member(user):
            return False
        token = request.auth
        if isinstance(token, ApiToken):
            if request.method not in permissions.SAFE_METHODS and token.scope != ApiToken.Scope.WRITE:
                self.message = _("This token may only read. Make a token that may act to change tickets.")
                return False
            return True
        if not passed_second_factor(user):
            self.message = _("Finish signing in with your second factor first.")
            return False
        return True
