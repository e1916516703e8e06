"""`python -m bench sweep --tickets N`: the escalation sweep at scale, on PostgreSQL.

Seeds N open tickets (bulk inserts, with their history rows), puts 10 % of them past level 1
("due soon") and nothing else, then times one sweep and the idle sweep after it, with their query
counts. Prints a table and writes bench/results/sweep-<N>.json. Needs DATABASE_URL (PostgreSQL);
the default is a database of its own, desk_bench, created if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/desk_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desk.settings")

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)
    sweep = commands.add_parser("sweep", help="time the escalation sweep")
    sweep.add_argument("--tickets", type=int, default=100_000)
    sweep.add_argument("--share", type=float, default=0.10, help="share of tickets past level 1")
    options = parser.parse_args(argv)

    from bench.database import prepare

    prepare()
    from bench.sweep import run

    result = run(tickets=options.tickets, share=options.share)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform()}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"sweep-{options.tickets}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
