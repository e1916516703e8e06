from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_files(private_media: Path) -> Path:
    """Uploaded files of each test go to its own temporary directory."""
    return private_media


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Staff personas are created per test; the production hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _stray_connections_closed(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield
    from tests.conftest import close_stray_connections

    close_stray_connections(django_db_blocker)
