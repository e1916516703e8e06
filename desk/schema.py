"""Schema steps shared by migrations of more than one app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def drop_pattern_indexes(tables: tuple[str, ...]) -> Callable[[Any, Any], None]:
    """A RunPython step dropping PostgreSQL's second index on each unique text column of `tables`,
    the one for LIKE 'prefix%' (varchar_pattern_ops) that Django adds: nothing in the desk looks
    these columns up by prefix, and every insert and non-HOT update paid for it."""
    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                           "AND tablename = ANY(%s) AND indexdef LIKE '%%varchar_pattern_ops%%'",
                           [list(tables)])
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    return forwards
