"""`manage.py enrolment_link USERNAME`: a one-time link with which that member of staff sets up
their second factor (the first administrator of a new desk, a newcomer, a lost phone).

The link is printed once and only its digest is kept (desk/enrolment.py); give it to the person
yourself. Opening it, they type their password and set up the authenticator app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from desk.enrolment import enrolment_link_issue


class Command(BaseCommand):
    help = "Issue a one-time link with which a member of staff sets up their second factor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=None,
                            help=f"how long the link works (at most DESK_ENROLMENT_LINK_HOURS, "
                                 f"{settings.DESK_ENROLMENT_LINK_HOURS})")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active or not user.is_staff:
            raise CommandError(f"{options['username']} is not an active member of staff")
        try:
            issued = enrolment_link_issue(user=user, actor=None, hours=options["hours"],
                                          reason="issued with manage.py enrolment_link")
        except ValueError as error:
            raise CommandError(str(error)) from error
        expires = issued.link.expires_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"{settings.DESK_PUBLIC_BASE_URL}{issued.path}")
        self.stderr.write(f"Works once, until {expires}, for {user.get_username()}; "
                          "any earlier link for them no longer works.")
