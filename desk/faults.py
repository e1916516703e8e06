"""Named fault points for the crash tests (research/reliability-security.md §2.5).

A test arms a point by writing its name into the file named by DESK_FAULT_FILE; the first process
to pass that point removes the file (one shot, so a redelivered task does not die again) and kills
itself with SIGKILL. Without DESK_FAULT_FILE a fault point costs one lookup; in the production
profile every point is inert whatever the environment says (issue 15, hole 13): a variable left
set, or set by someone who can touch the environment, must not let a file kill the desk.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.conf import settings


def hit(point: str) -> None:
    armed = os.environ.get("DESK_FAULT_FILE")
    if not armed or settings.PRODUCTION:
        return
    path = Path(armed)
    try:
        wanted = path.read_text().split()
    except FileNotFoundError:
        return
    if point in wanted:
        try:
            path.unlink()
        except FileNotFoundError:
            return  # another process took this shot
        os.kill(os.getpid(), signal.SIGKILL)
