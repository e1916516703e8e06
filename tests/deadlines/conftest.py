"""The deadline engine's tests need no Django: the whole directory runs with
`pytest -p no:django tests/deadlines` (test_command.py starts Django in a subprocess of its own).
The `pure` marker says so on every module that imports only the engine."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pure: needs no Django; runs with `pytest -p no:django tests/deadlines -m pure`"
    )
