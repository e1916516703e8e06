"""`manage.py verify_audit`: check every ticket's history chain; name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tickets.audit import verify
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Verify the tamper-evident history of every ticket (or of the given references)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("references", nargs="*", help="only these tickets, e.g. PD-2026-000012")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = None
        if options["references"]:
            wanted = Ticket.objects.filter(reference__in=options["references"])
            ids = list(wanted.values_list("pk", flat=True))
        breaks = 0
        for broken in verify(ids):
            breaks += 1
            self.stdout.write(
                f"{broken.reference}: entry {broken.position} (history id {broken.history_id}, "
                f"{broken.history_date:%Y-%m-%d %H:%M:%S %Z}) is {broken.reason}")
        if breaks:
            raise CommandError(f"{breaks} ticket histories are broken: see above")
        self.stdout.write("Every ticket history is intact.")
