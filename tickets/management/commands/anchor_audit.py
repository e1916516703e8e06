"""`manage.py anchor_audit [--directory DIR] [--email]`: write a signed, dated anchor of every
ticket's history chains and the count of tickets outside the database (tickets/anchors.py), as
beat does daily; `--email` sends it to DESK_AUDIT_ANCHOR_EMAIL too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tickets import anchors, audit


class Command(BaseCommand):
    help = "Anchor every ticket's history chains outside the database (signed and dated)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--directory", type=Path, default=None,
                            help="write here instead of DESK_AUDIT_ANCHOR_DIR")
        parser.add_argument("--email", action="store_true",
                            help="also email the anchor to DESK_AUDIT_ANCHOR_EMAIL (the DPO)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["email"] and not settings.DESK_AUDIT_ANCHOR_EMAIL:
            raise CommandError("--email needs DESK_AUDIT_ANCHOR_EMAIL")
        anchor = audit.anchor_make(directory=options["directory"])
        self.stdout.write(f"{anchor.path}: {anchor.tickets} tickets, {anchor.anchored} anchored, "
                          f"made {anchor.made_at:%Y-%m-%d %H:%M:%S %Z}, SHA-256 {anchor.sha256}")
        if options["email"]:
            anchors.anchor_email(anchor)
            self.stdout.write(f"emailed to {settings.DESK_AUDIT_ANCHOR_EMAIL}")
