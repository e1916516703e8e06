"""`manage.py database_roles ROLE [--create]`: on PostgreSQL, give the application's role what the
desk needs and nothing that would let it rewrite its own evidence.

Two roles: the migration role owns the schema (it runs `migrate`, and this command right after
every migration); the application role, which gunicorn and Celery connect as, owns nothing. It
may read and write the desk's tables, but of the history tables (simple-history's, whose entries
form the audit chains, tickets/audit.py) and of the access log (and the log of queue membership
changes) it may only read and add rows: no
DELETE, and UPDATE only of the columns that retention erases and key rotation re-encrypts (the
encrypted personal data, the email's blind index, a file's keyed digest; and the change reason,
which is encrypted, re-encrypted by `rotate_keys`, and inside the hash, so a rewrite of it is
still found), and of the access log's `detail` and `search_digest` (retention blanks a
downloaded file's name and the keyed hash of a searched address).
PostgreSQL's column privileges enforce it: an UPDATE of any other column, or a DELETE, is
refused to the role whatever the code does.

Consequences, on purpose: the application role cannot delete a member of staff (their history
entries name them; deactivate instead) or a ticket (its access-log rows name it).

The command is idempotent: it revokes what the role had on every table, then grants the above on
the tables that exist now, so it is run again after each migration adds one.

    DATABASE_URL=postgres://desk_owner@db/desk python manage.py migrate
    DATABASE_URL=postgres://desk_owner@db/desk python manage.py database_roles desk_app --create
    DATABASE_URL=postgres://desk_app@db/desk gunicorn … / celery …
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from simple_history.models import HistoricalChanges

from desk.fields import EmailDigestField, EncryptedTextField

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Columns of history tables that retention blanks besides the encrypted ones (tickets/services/retention.py).
ERASED_HISTORY_COLUMNS = {"tickets.HistoricalAttachment": ("sha256",)}
# The logs that are evidence too, read and add only, with the fields retention blanks in them: the
# access log (a downloaded file's name, the keyed hash of a searched address) and the queue
# membership changes (issue 15, hole 13). Named by label: a log not in the models is skipped.
APPEND_ONLY = {"tickets.AccessLog": ("detail", "search_digest"), "tickets.QueueMembershipChange": ()}


def writable_history_columns(model: type[models.Model]) -> list[str]:
    """The columns of a history table the application may UPDATE (see the module's docstring)."""
    columns = [field.column for field in model._meta.concrete_fields
               if isinstance(field, EncryptedTextField | EmailDigestField)]
    return [*columns, *ERASED_HISTORY_COLUMNS.get(model._meta.label, ())]


def grants() -> dict[str, tuple[list[str], list[str]]]:
    """Per table: the privileges on the whole table, and the columns it may UPDATE."""
    result: dict[str, tuple[list[str], list[str]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        table = model._meta.db_table
        if issubclass(model, HistoricalChanges):
            result[table] = (["SELECT", "INSERT"], writable_history_columns(model))
        elif model._meta.label in APPEND_ONLY:
            columns = {field.name: field.column for field in model._meta.concrete_fields}
            result[table] = (["SELECT", "INSERT"], [columns[name] for name in APPEND_ONLY[model._meta.label]
                                                    if name in columns])
        else:
            result[table] = (["SELECT", "INSERT", "UPDATE", "DELETE"], [])
    result["django_migrations"] = (["SELECT"], [])
    return result


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role what the desk needs (run as the schema's owner)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="the role the application connects as, e.g. desk_app")
        parser.add_argument("--create", action="store_true",
                            help="create the role (LOGIN, no password: set one with psql's \\password)")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if connection.vendor != "postgresql":
            raise CommandError("database roles are for PostgreSQL; SQLite has none")
        if not _ROLE.match(role):
            raise CommandError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None and options["create"]:
                cursor.execute(f"CREATE ROLE {quote(role)} LOGIN")
            elif row is None:
                raise CommandError(f"there is no role {role}: add --create")
            elif row[0]:
                raise CommandError(
                    f"{role} is a superuser or bypasses row security: every grant would be moot")
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                           "AND tableowner = %s", [role])
            owned = [name for (name,) in cursor.fetchall()]
            if owned:
                raise CommandError(f"{role} owns {', '.join(owned)}: the schema must belong to the "
                                   "migration role, or the grants mean nothing")
            existing = set(connection.introspection.table_names(cursor))
            database = quote(connection.settings_dict["NAME"])
            cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {quote(role)}")
            cursor.execute("SELECT current_schema()")
            schema = quote(cursor.fetchone()[0])
            cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quote(role)}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote(role)}")
            for table, (privileges, columns) in sorted(grants().items()):
                if table not in existing:
                    continue
                cursor.execute(f"GRANT {', '.join(privileges)} ON {quote(table)} TO {quote(role)}")
                if columns:
                    listed = ", ".join(quote(column) for column in columns)
                    cursor.execute(f"GRANT UPDATE ({listed}) ON {quote(table)} TO {quote(role)}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quote(role)}")
        self.stdout.write(f"{role}: granted on {sum(1 for table in grants() if table in existing)} tables; "
                          "history and access log: read and add only")
