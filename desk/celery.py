"""The Celery application. Worker: `celery -A desk worker`; beat: `celery -A desk beat` (exactly one)."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desk.settings")

app = Celery("desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender: Any = None, **kwargs: Any) -> None:
    """What Django does at each request's start and end: close the connections past
    CONN_MAX_AGE or left unusable by an error, and check the others before their next use.
    (Celery's own fixup would close them all, CELERY_DB_REUSE_MAX in desk/settings.py.) Not for
    a task run eagerly, inside its caller's transaction, as Celery's fixup does not either."""
    from django.db import close_old_connections as close_obsolete

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_obsolete()


@worker_init.connect
def worker_starting(**kwargs: Any) -> None:
    """Fault points for the crash tests (desk/faults.py): a worker that dies as it starts, and a
    pool process that dies as it starts (on Redis the worker then exits: "Could not start worker
    processes"). `make run`'s supervisor must survive both (desk/management/commands/rundesk.py)."""
    from desk import faults

    faults.hit("worker.start")


@worker_process_init.connect
def pool_process_starting(**kwargs: Any) -> None:
    from desk import faults

    faults.hit("worker.pool_start")


@worker_ready.connect
def worker_is_ready(**kwargs: Any) -> None:
    """Tells `make run` the worker takes tasks now: it prints the desk's addresses and sign-ins
    once the web server answers and this file exists (desk/management/commands/rundesk.py)."""
    from pathlib import Path

    ready_file = os.environ.get("RUNDESK_WORKER_READY_FILE")
    if ready_file:
        Path(ready_file).touch()
