from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_files(private_media: Path) -> Path:
    """Uploaded files of each test go to its own temporary directory."""
    return private_media
