"""The current second-factor code of a member of staff, for trying the desk without a phone
(refused in the production profile: there, only the person's own app knows the code)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from desk.models import AuthenticatorDevice
from desk.second_factor import current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a user (development profile only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("totp_code refuses to run in the production profile")
        device = (AuthenticatorDevice.objects.filter(user__username=options["username"], confirmed=True)
                  .first())
        if device is None:
            raise CommandError(f"{options['username']} has no authenticator set up")
        self.stdout.write(current_code(device))
