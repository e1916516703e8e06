"""The peer's manage.py, for looking around in its database by hand: from the repository's root,
`.venv-peer/bin/python -m bench.peer.manage shell` (or migrate, escalate_tickets, ...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
