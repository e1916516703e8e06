"""`manage.py rotate_keys`: move every encrypted value and file to the head key of DESK_DATA_KEYS.

The key rotation of tickets/crypto.py: put the new key first in DESK_DATA_KEYS (keeping the old
one after it), restart, run this, and drop the old key once it reports nothing left under it
(`verify_encryption` counts the values under each key). Batched, each batch its own transaction;
idempotent, so an interrupted run is simply run again. A value that does not decrypt stops the
run with its name: nothing is ever rewritten that could not be read.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tickets import crypto, encryption


class Command(BaseCommand):
    help = "Re-encrypt under the head key every value and attachment still under another key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=encryption.BATCH_SIZE)
        parser.add_argument("--email-digests", action="store_true",
                            help="also recompute the email digests (after a new DESK_EMAIL_INDEX_KEY)")

    def handle(self, *args: Any, **options: Any) -> None:
        head, batch_size = crypto.head_key_id(), options["batch_size"]
        total = 0
        try:
            for column in encryption.encrypted_columns(apps.get_models()):
                rewritten = encryption.rewrite_column(connection, column, encryption.to_head_key,
                                                      batch_size=batch_size)
                total += rewritten
                self.stdout.write(f"{column.label}: {rewritten} re-encrypted")
                if options["email_digests"] and column.name == "requester_email":
                    digests = encryption.fill_email_digests(connection, column, batch_size=batch_size)
                    self.stdout.write(f"{column.label}: {digests} email digests recomputed")
            files = encryption.rewrite_files(encryption.stored_file_names(connection),
                                             encryption.file_to_head_key)
        except encryption.RewriteStopped as stopped:
            raise CommandError(f"stopped at {stopped}; what came before is under {head}. "
                               "Run verify_encryption to list every such value.") from stopped
        self.stdout.write(f"attachment files: {files} re-encrypted")
        self.stdout.write(f"Done: {total} values and {files} files re-encrypted under the key {head}.")
