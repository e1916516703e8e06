"""`manage.py rotate_keys`: move every encrypted value and file to the head key of DESK_DATA_KEYS,
and bind every value to its row.

The key rotation of desk/crypto.py: put the new key first in DESK_DATA_KEYS (keeping the old
one after it), restart, run this, and drop the old key once it reports nothing left under it
(`verify_encryption` counts the values under each key). The same run rewrites the values still
bound to their column only (v1: written before issue 15, or by a `QuerySet.update()`) as values
bound to their row (v2), under the head key too: run it once after upgrading, with or without a
new key. With a new key and the old one dropped afterwards, an old v1 value put back from a
backup is refused as well (desk/crypto.py).

Batched, each batch its own transaction; idempotent, so an interrupted run is simply run again. A
value that does not decrypt in its own row stops the run with its name: nothing is ever rewritten
that could not be read, and a value moved from another row is never re-bound to this one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from desk import crypto
from tickets import encryption


class Command(BaseCommand):
    help = ("Re-encrypt under the head key every value and attachment still under another key, "
            "and bind to its row every value still bound to its column only.")

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
                self.stdout.write(f"{column.label}: {rewritten} re-encrypted"
                                  + (", bound to their row" if column.row else ""))
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
