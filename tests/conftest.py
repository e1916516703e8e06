"""Fixtures shared by every suite: private file storage per test, and the requester's helpers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip on a laptop that lacks a service; under CI nothing may be skipped, so fail."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def _private_files(private_media: Path) -> Path:
    """Uploaded files of each test go to its own temporary directory."""
    return private_media


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    """A request in Finnish leaves Finnish active in the thread (LocaleMiddleware activates the
    request's language and nothing deactivates it): the next test must start in the default."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Staff personas are created per test; the production hasher's cost is not under test here
    (the sign-in tests check the flow, and settings tests the production hashers)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _public_limits(request: pytest.FixtureRequest) -> None:
    """Suites post to the public form many times: their limits are out of reach, their counts
    start at zero. Tests of the limits themselves (desk/ratelimit.py) set their own."""
    if request.node.get_closest_marker("django_db") is None:
        return  # nothing posts without a database (and hypothesis's pure tests stay fixture-free)
    settings = request.getfixturevalue("settings")
    from django.core.cache import caches

    from desk.ratelimit import Rate

    plenty = Rate(limit=1_000_000, seconds=3600)
    for name in ("FORM_ADDRESS", "FORM_EMAIL", "STATUS_LINK_ADDRESS", "STATUS_MESSAGE_TICKET",
                 "RESEND_ADDRESS", "RESEND_EMAIL"):
        setattr(settings, f"DESK_RATE_{name}", plenty)
    settings.DESK_STATUS_RESEND_ANSWER_MS = 0
    settings.DESK_FORM_MIN_SECONDS = 0  # a browser test fills a form faster than a person
    cache = caches["default"]
    if type(cache).__name__ == "LocMemCache":  # never a shared Redis: others' keys live there
        cache.clear()


def valid_request(**overrides: Any) -> dict[str, Any]:
    """A public-form post that is accepted as it is (its form served a minute ago, the trap empty)."""
    import time

    from tickets.forms import form_token

    data: dict[str, Any] = {
        "kind": "access",
        "country": "FI",
        "us_state": "",
        "uk_nation": "",
        "name": "Maija Mehiläinen",
        "email": "maija@example.org",
        "description": "Haluan nähdä tietoni.",
        "submission_key": str(uuid.uuid4()),
        "website": "",
        "form_token": form_token("request", served_at=time.time() - 60),
    }
    data.update(overrides)
    return data


def _require_real_services() -> str:
    """The integration suites run on PostgreSQL and Redis; returns the broker URL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        unavailable("the integration suite needs DATABASE_URL pointing at PostgreSQL (make test-integration)")
    broker = str(settings.CELERY_BROKER_URL)
    if not broker.startswith("redis://"):
        unavailable("the integration suite needs CELERY_BROKER_URL pointing at Redis (make test-integration)")
    import redis

    try:
        redis.Redis.from_url(broker).flushdb()  # stale messages of an earlier run must not leak in
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {broker}: {error}")
    return broker


@pytest.fixture(scope="session")
def smtp_sink() -> Any:
    from tests.support.services import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: Any, django_db_blocker: Any, smtp_sink: Any,
                  tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One real worker for the session, on the test database and a Redis broker."""
    from django.conf import settings

    from tests.support.services import Worker, worker_environment

    broker = _require_real_services()
    base = tmp_path_factory.mktemp("worker")
    env = worker_environment(
        database_name=str(settings.DATABASES["default"]["NAME"]), broker_url=broker,
        smtp_port=smtp_sink.port, var_dir=base / "var", private_media=base / "private",
        public_base_url="http://127.0.0.1",
    )
    artifacts = Path(os.environ.get("DESK_TEST_ARTIFACTS", "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    worker = Worker(env=env, log_path=artifacts / "celery-worker.log").start()
    yield worker
    worker.stop()
    close_stray_connections(django_db_blocker)


def close_stray_connections(django_db_blocker: Any) -> None:
    """The worker's and the live server's connections would keep the test database from being dropped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
