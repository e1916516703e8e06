"""The migrations say what the models say: a model change without its migration fails here, not on
an operator's `migrate`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # --check exits 1 when a migration is missing
        pytest.fail(f"a model change has no migration (makemigrations --dry-run says):\n{out.getvalue()}"
                    f" (exit {exit_.code})")
