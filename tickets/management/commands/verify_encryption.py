"""`manage.py verify_encryption`: every encrypted value and file must decrypt, in its own row,
under the keys.

Names each value that does not (its column, primary key, and the ticket it belongs to where it
has one; the reason names the row identity it was checked against): stored in plaintext, under a
key that is not configured, changed in the database, or moved from another row or column
(authentication fails). Counts the values under each key, so that an old key is dropped only once
nothing is left under it, and the values still bound to their column only (v1, written before
values were bound to their row, or by a `QuerySet.update()`), which `rotate_keys` binds. Exits
non-zero if anything does not decrypt.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tickets import encryption


class Command(BaseCommand):
    help = "Check that every encrypted value and attachment decrypts, in its row, under DESK_DATA_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        tally = encryption.Tally()
        problems = 0
        checks = [encryption.unreadable_values(connection, apps.get_models(), tally),
                  encryption.check_files(encryption.stored_file_names(connection), tally=tally)]
        for check in checks:
            for problem in check:
                problems += 1
                self.stdout.write(str(problem))
        by_key = ", ".join(f"{key_id}: {count}" for key_id, count in sorted(tally.by_key.items())) or "none"
        self.stdout.write(f"Values and files by key: {by_key}")
        for label, count in sorted(tally.unbound.items()):
            self.stdout.write(f"{label}: {count} values not yet bound to their row (v1)")
        unbound = sum(tally.unbound.values())
        self.stdout.write(f"Values not yet bound to their row: {unbound}"
                          + (" (run rotate_keys to bind them)" if unbound else ""))
        if problems:
            raise CommandError(f"{problems} values or files do not decrypt: see above")
        self.stdout.write("Every encrypted value and file decrypts.")
