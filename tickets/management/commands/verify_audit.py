"""`manage.py verify_audit [REFERENCE …] [--anchor FILE | --no-anchor] [--require-anchor]`: check
every ticket's history chains, every live row against its history, every chain against the
latest anchor in DESK_AUDIT_ANCHOR_DIR (or the given file, e.g. the DPO's emailed copy), and (on a
full run) that every encrypted value decrypts in its own row, so a value swapped between rows is
found; name each ticket found changed, by reference, and exit non-zero (tickets/audit.py,
tickets/encryption.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tickets import anchors, audit, encryption
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Verify the tamper-evident history of every ticket (or of the given references)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("references", nargs="*", help="only these tickets, e.g. PD-2026-000012")
        parser.add_argument("--anchor", type=Path, default=None,
                            help="check against this anchor file (.jsonl, or the emailed .jsonl.gz) "
                                 "instead of the latest in DESK_AUDIT_ANCHOR_DIR")
        parser.add_argument("--no-anchor", action="store_true",
                            help="check the chains and the live rows only")
        parser.add_argument("--require-anchor", action="store_true",
                            help="fail when there is no anchor to check against")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = self._anchor(options)
        with audit.snapshot():
            ids = self._ids(options["references"])
            breaks = 0
            tickets: set[str] = set()
            try:
                for broken in audit.verify(ids, anchor=anchor):
                    breaks += 1
                    tickets.add(broken.reference)
                    self.stdout.write(broken.describe())
            except anchors.AnchorError as error:
                raise CommandError(str(error)) from None
            if ids is None:  # every value of the desk; a value in another row than its own is refused
                for problem in encryption.unreadable_values(connection, apps.get_models()):
                    breaks += 1
                    tickets.add(problem.ticket or str(problem.pk))
                    self.stdout.write(f"{problem.ticket}: {problem}" if problem.ticket else str(problem))
        if breaks:
            raise CommandError(f"{len(tickets)} ticket histories are broken: see above")
        self.stdout.write("Every ticket history is intact.")

    def _anchor(self, options: dict[str, Any]) -> anchors.Anchor | None:
        if options["no_anchor"]:
            return None
        path = options["anchor"] or anchors.latest(Path(settings.DESK_AUDIT_ANCHOR_DIR))
        if path is None:
            message = f"No anchor in {settings.DESK_AUDIT_ANCHOR_DIR}: run `manage.py anchor_audit`."
            if options["require_anchor"]:
                raise CommandError(message)
            self.stdout.write(f"{message} Only the chains and the live rows are checked.")
            return None
        try:
            anchor = anchors.Anchor.open(path)
        except anchors.AnchorError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Checked against the anchor {anchor.path.name} of "
                          f"{anchor.made_at:%Y-%m-%d %H:%M:%S %Z} ({anchor.tickets} tickets then).")
        return anchor

    def _ids(self, references: list[str]) -> list[int] | None:
        """The tickets named, whether their row is still there or only their history."""
        if not references:
            return None
        ids = set(Ticket.objects.filter(reference__in=references).values_list("pk", flat=True))
        entries = audit.history_model().objects.filter(reference__in=references)
        ids |= set(entries.values_list("id", flat=True))
        return sorted(ids)
