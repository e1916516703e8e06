"""`python manage.py escalate`: one escalation sweep by hand, and what it did."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tickets.services.escalation import escalation_sweep


class Command(BaseCommand):
    help = "Run one escalation sweep now and print what it escalated."

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalation_sweep()
        for rule, count in sorted(report.escalated.items()):
            self.stdout.write(f"{rule}: {count} ticket(s)")
        self.stdout.write(f"escalated {report.total} ticket(s) in {report.batches} batch(es); "
                          f"{report.messages} email(s) queued")
        if report.to_managers:
            self.stdout.write(f"{sum(report.to_managers.values())} escalation(s) had nobody to email and "
                              "went to the queue's managers")
        if report.unaddressed:
            self.stdout.write(f"{sum(report.unaddressed.values())} escalation(s) had nobody to email at all "
                              "(no manager either): recorded, see the log")
