"""gunicorn hooks for `python -m bench intake --profile`: each worker profiles itself (cProfile)
after its first WARM_REQUESTS requests (the first ones import modules and fill caches: that is
start-up, not the steady state the bench measures) until it exits, and writes
<VAR>/profile-<pid>.prof (bench/intake.py: VAR) (read them with pstats)."""

from __future__ import annotations

import cProfile
import os
from pathlib import Path
from typing import Any

WARM_REQUESTS = 100
_profile = cProfile.Profile()
_served = 0


def post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
    global _served
    _served += 1
    if _served == WARM_REQUESTS:
        _profile.enable()  # the sync worker serves every request on this, its main thread


def worker_exit(server: Any, worker: Any) -> None:
    if _served >= WARM_REQUESTS:
        _profile.disable()
        directory = Path(os.environ.get("DESK_BENCH_PROFILE_DIR", "."))
        _profile.dump_stats(str(directory / f"profile-{os.getpid()}.prof"))
