"""The audit anchors' settings (tickets/anchors.py), parsed strictly like the others: production
names the anchor directory and a key of the anchors' own, unlike the chain's and not published."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desk.test_settings import PRODUCTION, manage

ANCHORS = {
    "DESK_AUDIT_ANCHOR_KEY": "Vq7rN2mJx9LcT4sW8eYb1Hk6Pz3Ud5Gf0Ai_anchors-own-key",
    "DESK_AUDIT_ANCHOR_DIR": "/srv/desk-anchors",
}


def test_production_with_the_anchor_settings_starts() -> None:
    result = manage("check", env={**PRODUCTION, **ANCHORS})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(ANCHORS))
def test_production_refuses_to_start_without(missing: str) -> None:
    env = {**PRODUCTION, **ANCHORS}
    del env[missing]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize(("value", "message"), [
    ("development-only-audit-anchor-key-never-use-in-production", "development key published"),
    (PRODUCTION["DESK_AUDIT_KEY"], "must differ from DESK_AUDIT_KEY"),
    ("short", "at least 32 random bytes"),
])
def test_production_refuses_a_weak_or_shared_anchor_key(value: str, message: str) -> None:
    result = manage("check", env={**PRODUCTION, **ANCHORS, "DESK_AUDIT_ANCHOR_KEY": value})

    assert result.returncode != 0
    assert "DESK_AUDIT_ANCHOR_KEY" in result.stderr and message in result.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("DESK_AUDIT_ANCHOR_EMAIL", "not an address"), ("DESK_AUDIT_ANCHOR_HOURS", "0"),
    ("DESK_AUDIT_ANCHOR_HOURS", "daily"),
])
def test_a_malformed_anchor_setting_stops_start_up_naming_it(name: str, value: str) -> None:
    result = manage("check", env={name: value})

    assert result.returncode != 0
    assert name in result.stderr


def test_the_anchor_settings_have_first_try_defaults(tmp_path: Path) -> None:
    program = ("from django.conf import settings as s; "
               "print(s.DESK_AUDIT_ANCHOR_DIR, s.DESK_AUDIT_ANCHOR_EMAIL, s.DESK_AUDIT_ANCHOR_HOURS)")
    result = manage("shell", "-c", program, env={"DESK_VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [str(tmp_path / "anchors"), "None", "24"]
