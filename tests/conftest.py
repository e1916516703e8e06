"""Fixtures shared by every suite: private file storage per test, and the requester's helpers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

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


def valid_request(**overrides: Any) -> dict[str, Any]:
    """A public-form post that is accepted as it is."""
    data: dict[str, Any] = {
        "kind": "access",
        "country": "FI",
        "us_state": "",
        "uk_nation": "",
        "name": "Maija Mehiläinen",
        "email": "maija@example.org",
        "description": "Haluan nähdä tietoni.",
        "submission_key": str(uuid.uuid4()),
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
