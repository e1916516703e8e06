"""The admin site behind the staff sign-in and its second factor; API tokens, second-factor devices
(never their keys) and enrolment links for administrators. The site class is in desk/sites.py:
Django imports it to build `admin.site`, and a module that registers models on `admin.site` while
that is being built registered them on a throw-away instance (as this one did, once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from desk import enrolment
from desk.models import ApiToken, AuthenticatorDevice, EnrolmentLink, RecoveryCodeDevice


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


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """Who has an authenticator app, since when, last used; deleting one removes the person's second
    factor (and ends their API tokens): they need an enrolment link to sign in again. The key is
    in no list, form or history page."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # set up only by its owner, through an enrolment link


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """How many recovery codes each person has left; never the codes."""

    list_display = ["user", "codes_left", "created_at", "last_used_at"]
    fields = ("user", "codes_left", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Codes left")
    def codes_left(self, device: RecoveryCodeDevice) -> int:
        return len(device.remaining)


@admin.register(EnrolmentLink)
class EnrolmentLinkAdmin(SimpleHistoryAdmin):
    """The enrolment links issued, to whom, and what became of them; only digests are kept."""

    list_display = ["user", "created_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = ["user", "created_at", "expires_at", "used_at", "revoked_at"]
    exclude = ["digest"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued from the user list (the action) or `manage.py enrolment_link`


@admin.action(description="Issue a one-time enrolment link for the second factor")
def issue_enrolment_links(model_admin: admin.ModelAdmin[Any], request: HttpRequest,
                          queryset: QuerySet[Any]) -> TemplateResponse:
    """The links are shown on this one page, once; only their digests are kept."""
    issued = [(user, enrolment.enrolment_link_issue(user=user, actor=request.user,
                                                    reason="issued by an administrator"))
              for user in queryset.filter(is_active=True, is_staff=True).order_by("username")]
    context = {**model_admin.admin_site.each_context(request), "title": "Enrolment links",
               "links": [(user, request.build_absolute_uri(link.path), link.link.expires_at)
                         for user, link in issued],
               "skipped": queryset.exclude(is_active=True, is_staff=True).count()}
    return TemplateResponse(request, "admin/desk/enrolment_links.html", context)


def finish_registrations() -> None:
    """Called from DeskConfig.ready(), once every app's admin module has registered its models
    (this module is imported early, as the home of the site class, before django-otp's and
    django.contrib.auth's admin modules run).

    django-otp's own admin pages show the secret (and a QR code of it) and the recovery codes
    (issue 15, hole 10): they go; the desk's own devices are encrypted and show no key. The user
    list, whoever registered it, gains the action that issues enrolment links."""
    for otp_model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(otp_model):
            admin.site.unregister(otp_model)
    user_model = get_user_model()
    if admin.site.is_registered(user_model):
        user_admin = admin.site.get_model_admin(user_model)
        user_admin.actions = [*(user_admin.actions or []), issue_enrolment_links]
