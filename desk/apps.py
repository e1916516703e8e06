from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps


class DeskConfig(AppConfig):
    default = True
    name = "desk"
    verbose_name = "Privacy Desk"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from desk.sessions import stamp_sign_in

        def stamp(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                stamp_sign_in(request.session)
            if request is not None and not settings.DESK_REQUIRE_SECOND_FACTOR:
                # Without a second step (a first try only) the password is the whole sign-in, and
                # clears the failures as desk/views.py does after the code otherwise.
                from axes.handlers.proxy import AxesProxyHandler

                AxesProxyHandler.update_request(request)
                AxesProxyHandler.get_implementation().reset_user_attempts(
                    request, {"username": user.get_username()})

        # The time limits of a staff session start at the password step (desk/sessions.py).
        user_logged_in.connect(stamp, dispatch_uid="desk-session-stamp", weak=False)
        self._connect_token_revocation()

        from desk.admin import finish_registrations

        finish_registrations()

    def _connect_token_revocation(self) -> None:
        """A changed password, a deactivated account or a removed authenticator ends the owner's
        API tokens (issue 15, hole 3). desk/tokens.py refuses such a token at its next use whatever
        happened; these receivers only write the revocation, with its reason, into the token's
        history at the moment of the change. Receivers, not a service call, because a password is
        changed from many places (the admin, `changepassword`, a shell) that all end in save()."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_delete

        from desk.models import AuthenticatorDevice
        from desk.tokens import api_tokens_revoke_dead

        def user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None,
                       **kwargs: Any) -> None:
            # A sign-in stamps last_login alone: no token can have died from that.
            if created or (update_fields is not None and set(update_fields) == {"last_login"}):
                return
            api_tokens_revoke_dead(user_id=instance.pk)

        def authenticator_removed(sender: Any, instance: AuthenticatorDevice, **kwargs: Any) -> None:
            if instance.confirmed:
                api_tokens_revoke_dead(user_id=instance.user_id, device_id=instance.pk)

        post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="desk-token-user", weak=False)
        pre_delete.connect(authenticator_removed, sender=AuthenticatorDevice,
                           dispatch_uid="desk-token-device", weak=False)


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the desk's own site: sign-in through the staff pages, second factor required."""

    default = False
    default_site = "desk.sites.DeskAdminSite"
