from __future__ import annotations

from typing import Any

import pytest

from tests.support.people import staff


@pytest.fixture
def people() -> dict[str, Any]:
    """Personas: an agent on each queue, a manager of the requests queue, staff with no queue."""
    return {
        "agent": staff("agent", member_of=("requests",)),
        "other_agent": staff("other", member_of=("complaints",)),
        "manager": staff("boss", member_of=("requests",), manager_of=("requests",)),
        "no_queue": staff("admin", ),
    }
