"""A database of the bench's own: created if missing, migrated, emptied of tickets."""

from __future__ import annotations

import django
import psycopg
from django.conf import settings
from django.core.management import call_command


def prepare() -> None:
    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("the bench runs on PostgreSQL: set DATABASE_URL")
    admin = psycopg.connect(host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
                            user=database["USER"], dbname="postgres", autocommit=True)
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database["NAME"]}"')
    call_command("migrate", verbosity=0)
