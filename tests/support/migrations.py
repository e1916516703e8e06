"""A migration scenario in a desk of its own: a fresh SQLite database in a temporary folder,
migrated by `manage.py`, then a test module run as a script in a second process (its
`scenario()` migrates back and forth with the executor and prints {"checked": true} last)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(__file__).resolve().parents[2]


def run_scenario(module: str, tmp_path: Path) -> None:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DESK_", "DATABASE_URL", "CELERY_"))}
    env = {**clean, "DESK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "desk.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env,
                   check=True, timeout=300)

    child = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300, check=False)

    assert child.returncode == 0, child.stderr[-3000:]
    assert json.loads(child.stdout.strip().splitlines()[-1]) == {"checked": True}


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the scenario's database to the targets; the apps as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in ("tickets", "notifications")]
