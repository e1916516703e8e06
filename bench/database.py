"""A database of the bench's own: created if missing, migrated, emptied of tickets."""

from __future__ import annotations

from typing import Any

import django
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection

# The server settings that move the figures most: recorded with each result.
SERVER_SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
                   "max_parallel_workers_per_gather", "jit")


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


def server() -> dict[str, Any]:
    """The PostgreSQL version and settings a result was measured with."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
                       [list(SERVER_SETTINGS)])
        return {"version": version, **dict(cursor.fetchall())}
