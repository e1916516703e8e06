from __future__ import annotations

from typing import Any

from django.apps import AppConfig
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

        # The time limits of a staff session start at the password step (desk/sessions.py).
        user_logged_in.connect(stamp, dispatch_uid="desk-session-stamp", weak=False)


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the desk's own site: sign-in through the staff pages, second factor required."""

    default = False
    default_site = "desk.admin.DeskAdminSite"
