"""Fixtures of the security suite: the world (two queues, a ticket each, nine personas) that every
attack is aimed at (tests/security/world.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.world import World, make_world


@pytest.fixture
def world(db: Any) -> World:
    return make_world()
