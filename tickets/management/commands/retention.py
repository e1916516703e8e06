"""`python manage.py retention [--dry-run]`: erase the personal data of tickets past their retention
period (what the nightly task does), or with --dry-run only list what would be erased."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from tickets.services.retention import retention_days, retention_due, retention_sweep


class Command(BaseCommand):
    help = "Erase the personal data of closed tickets past their retention period (--dry-run: list them)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="list the tickets that would be erased and change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["dry_run"]:
            self._dry_run(now)
            return
        report = retention_sweep(now=now)
        for kind, count in sorted(report.erased.items()):
            self.stdout.write(f"{kind}: {count} ticket(s) ({retention_days(kind)} days after closure)")
        self.stdout.write(
            f"erased the personal data of {report.total} ticket(s) in {report.batches} batch(es)")

    def _dry_run(self, now: Any) -> None:
        due = retention_due(now=now)
        # References only, streamed: the list names no person, and a first run may be long.
        for reference in due.values_list("reference", flat=True).iterator(chunk_size=2_000):
            self.stdout.write(reference)
        counts = due.order_by().values("kind").annotate(total=Count("id")).order_by("kind")
        total = 0
        for row in counts:
            total += row["total"]
            self.stdout.write(f"{row['kind']}: {row['total']} ticket(s) "
                              f"({retention_days(row['kind'])} days after closure)")
        self.stdout.write(f"dry run: {total} ticket(s) would be erased; nothing was changed")
