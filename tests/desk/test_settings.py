"""Configuration comes from the environment only, parsed strictly; the production profile
refuses to start without what it needs and passes `check --deploy` with no warnings."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from desk.env import Env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DESK_PROFILE": "production",
    "DESK_SECRET_KEY": "k3J9x!vQ2mZr8Lp0sW4tY6uB1nC5eD7fG9hJ2kL4mN6pQ8rS0tU",
    "DESK_AUDIT_KEY": "a-separate-long-random-key-for-the-audit-chain-Zq81",
    # Random keys: production refuses the published development keys and patterned ones (below).
    "DESK_DATA_KEYS": "p1:OL4199UW+CRFV29DYLgY0CqvXi/t6Ih7/sbpUPvqpkI=",
    "DESK_EMAIL_INDEX_KEY": "rcnJLZgwM4djH1SfglUzh3lfLjyV6SVighMFJFnKfrU=",
    # The audit anchors' key and directory (tickets/anchors.py), required in production.
    "DESK_AUDIT_ANCHOR_KEY": "Wq3v-anchor-key-of-its-own-7Hd0Lk2Px9Rt5Zm1Yc8Nb4Sg6",
    "DESK_AUDIT_ANCHOR_DIR": "/tmp/desk-production-test-anchors",  # noqa: S108 - never written: `check` only
    "DESK_ALLOWED_HOSTS": "desk.example.org",
    "DATABASE_URL": "postgres://desk@db.example.org:5432/desk",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "DESK_EMAIL_HOST": "smtp.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    ("method", "raw", "expected"),
    [("flag", "yes", True), ("flag", "OFF", False), ("number", " 42 ", 42),
     ("items", "a, b,,c", ["a", "b", "c"]), ("dates", "2026-12-24", [datetime.date(2026, 12, 24)])],
)
def test_values_are_parsed(method: str, raw: str, expected: object) -> None:
    env = Env({"X": raw})
    defaults = {"flag": [False], "number": [0]}
    assert getattr(env, method)("X", *defaults.get(method, [])) == expected


@pytest.mark.parametrize(
    ("call", "raw"),
    [(lambda env: env.flag("X", False), "maybe"), (lambda env: env.number("X", 1), "ten"),
     (lambda env: env.number("X", 1, maximum=5), "6"), (lambda env: env.choice("X", "a", ("a",)), "b"),
     (lambda env: env.dates("X"), "24.12.2026"), (lambda env: env.text("X"), "")],
)
def test_a_malformed_value_is_an_error_naming_the_variable(call: object, raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="X"):
        call(Env({"X": raw}))  # type: ignore[operator]


def test_defaults_give_a_first_try() -> None:
    env = Env({})
    assert env.flag("X", True) is True
    assert env.number("X", 7) == 7
    assert env.choice("X", "a", ("a", "b")) == "a"
    assert env.items("X", ["d"]) == ["d"]
    assert env.optional_text("X") is None


def test_the_production_profile_passes_check_deploy_with_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [("DESK_SECRET_KEY", "DESK_SECRET_KEY must be set"),
     ("DESK_AUDIT_KEY", "DESK_AUDIT_KEY must be set"),
     ("DESK_ALLOWED_HOSTS", "DESK_ALLOWED_HOSTS must be set"),
     ("DATABASE_URL", "DATABASE_URL must name a PostgreSQL database"),
     ("CELERY_BROKER_URL", "CELERY_BROKER_URL must name Redis or RabbitMQ")],
)
def test_the_production_profile_refuses_to_start_without(missing: str, message: str) -> None:
    env = {key: value for key, value in PRODUCTION.items() if key != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert message in result.stderr


def test_an_unknown_profile_is_refused() -> None:
    result = manage("check", env={"DESK_PROFILE": "staging"})

    assert result.returncode != 0
    assert "DESK_PROFILE must be one of development, production" in result.stderr


def test_seed_demo_refuses_to_run_in_production() -> None:
    result = manage("seed_demo", env=PRODUCTION)

    assert result.returncode != 0
    assert "refuses to run in the production profile" in result.stderr


def test_the_production_profile_cannot_switch_the_second_factor_off() -> None:
    result = manage("check", env={**PRODUCTION, "DESK_REQUIRE_SECOND_FACTOR": "false"})

    assert result.returncode != 0
    assert "DESK_REQUIRE_SECOND_FACTOR cannot be off in the production profile" in result.stderr


# Issue 15, hole 11: production started with the repository's development keys, or DESK_AUDIT_KEY=a.
DEVELOPMENT_KEYS = {
    "DESK_SECRET_KEY": "development-only-secret-key-never-use-in-production-8Fq2xYw7Lp0Zr4Tn6Vb",
    "DESK_AUDIT_KEY": "development-only-audit-key-never-use-in-production",
    "DESK_DATA_KEYS": "dev1:X/fHESubr6LJbFQueAowsav6Rr5M/3mCfZiOeGnw4Sc=",
    "DESK_EMAIL_INDEX_KEY": "EPQnoTwG8pclVYtWx8/SdUzSkP7D77KMFzyHwUODPrA=",
}


@pytest.mark.parametrize(("name", "value", "message"), [
    *((name, value, f"{name} is a development key published in the repository")
      for name, value in DEVELOPMENT_KEYS.items()),
    # The development data key under another id is still the published key.
    ("DESK_DATA_KEYS", f"{PRODUCTION['DESK_DATA_KEYS']},old:X/fHESubr6LJbFQueAowsav6Rr5M/3mCfZiOeGnw4Sc=",
     "DESK_DATA_KEYS is a development key"),
    ("DESK_AUDIT_KEY", "a", "DESK_AUDIT_KEY is 1 bytes long; at least 32 random bytes are needed"),
    ("DESK_SECRET_KEY", "short-but-not-that-short-29chr", "DESK_SECRET_KEY is 30 bytes long"),
    ("DESK_SECRET_KEY_FALLBACKS", "x" * 60, "DESK_SECRET_KEY_FALLBACKS is not random"),
    ("DESK_AUDIT_KEY", "abc" * 20, "DESK_AUDIT_KEY is not random"),
    ("DESK_AUDIT_KEY", "0123456789abcdef" * 3, "DESK_AUDIT_KEY is not random (a short sequence repeated)"),
    ("DESK_DATA_KEYS", "p1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "DESK_DATA_KEYS is not random"),
    ("DESK_EMAIL_INDEX_KEY", "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
     "DESK_EMAIL_INDEX_KEY is not random"),
])
def test_the_production_profile_refuses_published_or_weak_keys_naming_the_variable(
        name: str, value: str, message: str) -> None:
    result = manage("check", env={**PRODUCTION, name: value})

    assert result.returncode != 0
    assert message in result.stderr
    if len(value) >= 32:
        assert value not in result.stderr  # the message names the variable, never echoes a key


def test_the_development_profile_keeps_its_keys_for_a_first_try(tmp_path: Path) -> None:
    result = manage("check", env={"DESK_VAR_DIR": str(tmp_path / "var")})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", [hashlib.sha256(b"a random key").digest(),
                                 hashlib.sha256(b"another").hexdigest().encode(),
                                 b"k3J9x!vQ2mZr8Lp0sW4tY6uB1nC5eD7fG9hJ2kL4mN6pQ8rS0tU"])
def test_random_keys_pass(key: bytes) -> None:
    from desk.keys import weakness

    assert weakness(key) is None
