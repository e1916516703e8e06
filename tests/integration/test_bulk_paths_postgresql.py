"""tests/test_bulk_paths.py again on PostgreSQL, where the bulk writers take their other branch
(`= ANY(%s)`, `jsonb_to_recordset`): the fast suite runs it on SQLite only."""

from __future__ import annotations

import pytest

from tests.conftest import unavailable
from tests.test_bulk_paths import (  # noqa: F401 -- collected here again, with their fixtures
    desk,
    fixed_nonces,
    people,
    test_outbox_enqueue_many_writes_what_create_writes_for_every_kind_of_message,
    test_the_escalated_tickets_columns_are_what_save_writes,
    test_the_escalation_rows_are_the_models,
    test_the_history_entries_are_simple_historys_sealed_in_the_same_chain,
    test_the_in_app_notifications_are_what_create_writes,
    test_the_outbox_rows_are_what_create_writes,
    written,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _on_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        unavailable("the bulk paths' PostgreSQL branch needs DATABASE_URL pointing at PostgreSQL")
