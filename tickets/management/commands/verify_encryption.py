"""`manage.py verify_encryption`: every encrypted value and file must decrypt under the keys.

Names each value that does not: stored in plaintext, under a key that is not configured, or
changed in the database (authentication fails). Counts the values under each key, so that an old
key is dropped only once nothing is left under it. Exits non-zero if anything does not decrypt.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tickets import encryption


class Command(BaseCommand):
    help = "Check that every encrypted value and attachment decrypts under DESK_DATA_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        counts: dict[str, int] = {}
        problems = 0
        checks = [encryption.check_column(connection, column, key_counts=counts)
                  for column in encryption.encrypted_columns(apps.get_models())]
        checks.append(encryption.check_files(encryption.stored_file_names(connection), counts))
        for check in checks:
            for problem in check:
                problems += 1
                self.stdout.write(f"{problem.label} {problem.pk}: {problem.reason}")
        by_key = ", ".join(f"{key_id}: {count}" for key_id, count in sorted(counts.items())) or "none"
        self.stdout.write(f"Values and files by key: {by_key}")
        if problems:
            raise CommandError(f"{problems} values or files do not decrypt: see above")
        self.stdout.write("Every encrypted value and file decrypts.")
