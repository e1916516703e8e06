"""The admin site behind the staff sign-in and its second factor; API tokens for administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin

from desk.access import passed_second_factor
from desk.models import ApiToken


class DeskAdminSite(admin.AdminSite):
    site_header = "Privacy Desk"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_second_factor(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One way in for everyone: the staff sign-in, then the second factor.
        next_path = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('tickets:staff_login')}?{urlencode({'next': next_path})}")


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Administrators see who holds which token and may revoke any; nobody sees a secret (only
    its digest is kept)."""

    list_display = ["name", "user", "scope", "hint", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope"]
    readonly_fields = ["user", "name", "hint", "scope", "created_at", "expires_at", "revoked_at",
                       "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is made by its owner, from a session past the second factor

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        from desk.tokens import api_token_revoke

        revoked = sum(
            api_token_revoke(token_id=token.pk, actor=request.user, reason="revoked by an administrator")
            for token in queryset.filter(revoked_at__isnull=True))
        self.message_user(request, f"{revoked} token(s) revoked.")
