"""Fixtures of the security suite: private files per test, cheap password hashing, and the world
(two queues, a ticket each, nine personas) that every attack is aimed at (tests/security/world.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.security.world import World, make_world


@pytest.fixture(autouse=True)
def _private_files(private_media: Path) -> Path:
    """Uploaded files of each test go to its own temporary directory."""
    return private_media


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Personas are created per test; the production hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    return make_world()
