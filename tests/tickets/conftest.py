from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.people import staff


@pytest.fixture(autouse=True)
def _private_files(private_media: Path) -> Path:
    """Uploaded files of each test go to its own temporary directory."""
    return private_media


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Staff personas are created per test; the production hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people() -> dict[str, Any]:
    """Personas: an agent on each queue, a manager of the requests queue, staff with no queue."""
    return {
        "agent": staff("agent", member_of=("requests",)),
        "other_agent": staff("other", member_of=("complaints",)),
        "manager": staff("boss", member_of=("requests",), manager_of=("requests",)),
        "no_queue": staff("admin", ),
    }
