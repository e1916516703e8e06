"""Benches on PostgreSQL; each prints a table and writes bench/results/<bench>-<N>.json.

`python -m bench sweep --tickets N`: the escalation sweep at scale. Seeds N open tickets (bulk
inserts, with their history rows), puts 10 % of them past level 1 ("due soon") and nothing else,
then times one sweep and the idle sweep after it, with their query counts.

`python -m bench dashboard --tickets N [--runs R] [--reseed] [--explain]`: the manager's
dashboard, the page and the metrics API on a realistic desk of N tickets over two years
(bench/seed.py; a database already holding that seed is reused).

`python -m bench intake [--workers 2 3 4] [--clients 4 8 16] [--seconds 20] [--profile]`: the public
form and the API intake through gunicorn in the production profile, with a Celery worker delivering
the acknowledgements to an SMTP sink (bench/intake.py); on a database of its own, desk_bench_intake.

`python -m bench peer --tickets N [--share S] [--compare]`: the peer's escalation, django-helpdesk
2.6.1's `escalate_tickets`, on the same server, in a venv of its own (bench/peer_sweep.py); `python -m
bench compare --tickets N [--ours-tickets M]` sets it against our sweep-M.json (M = N by default).

Needs DATABASE_URL (PostgreSQL); the default is a database of its own, desk_bench, created if
missing. The two benches share it: each reloads the tickets the other left.
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

# DESK_BENCH_RESULTS elsewhere keeps a smoke run's figures out of the real ones (and the plot).
RESULTS = Path(os.environ.get("DESK_BENCH_RESULTS", Path(__file__).resolve().parent / "results"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)
    sweep = commands.add_parser("sweep", help="time the escalation sweep")
    sweep.add_argument("--tickets", type=int, default=100_000)
    sweep.add_argument("--share", type=float, default=0.10, help="share of tickets past level 1")
    sweep.add_argument("--idle-only", action="store_true",
                       help="no seeding: time the idle sweep over the open tickets already there")
    dashboard = commands.add_parser("dashboard", help="time the manager's dashboard and the metrics API")
    dashboard.add_argument("--tickets", type=int, default=100_000)
    dashboard.add_argument("--runs", type=int, default=30, help="timed runs of each, after 2 warm-ups")
    dashboard.add_argument("--reseed", action="store_true", help="load the tickets even if already there")
    dashboard.add_argument("--explain", action="store_true",
                           help="add EXPLAIN (ANALYZE, BUFFERS) of each dashboard query to the JSON")
    intake = commands.add_parser("intake", help="submissions per second through gunicorn, production profile")
    intake.add_argument("--workers", type=int, nargs="+", default=[2], help="gunicorn workers, each measured")
    intake.add_argument("--clients", type=int, nargs="+", default=[8], help="concurrent clients, each")
    intake.add_argument("--warm-up", type=float, default=5.0)
    intake.add_argument("--seconds", type=float, default=20.0)
    intake.add_argument("--no-api", dest="api", action="store_false", help="the form only, not the API")
    intake.add_argument("--profile", action="store_true", help="cProfile each worker (bench/intake.py: VAR)")
    pages = commands.add_parser("pages", help="time the queue page, the API list and the ticket page")
    pages.add_argument("--tickets", type=int, default=100_000)
    pages.add_argument("--runs", type=int, default=30, help="timed runs of each, after 2 warm-ups")
    pages.add_argument("--reseed", action="store_true", help="load the tickets even if already there")
    pages.add_argument("--explain", action="store_true",
                       help="add EXPLAIN (ANALYZE, BUFFERS) of each page's slowest queries to the JSON")
    commands.add_parser("plot", help="latency against N from bench/results/*.json, to bench/latency.png")
    peer = commands.add_parser("peer", help="time django-helpdesk's escalate_tickets on the same PostgreSQL")
    peer.add_argument("--tickets", type=int, default=20_000)
    peer.add_argument("--share", type=float, default=0.10, help="share of tickets due for escalation")
    peer.add_argument("--compare", action="store_true", help="then compare with our sweep-N.json")
    peer.add_argument("--ours-tickets", type=int, help="compare with our sweep at this N instead")
    compare = commands.add_parser("compare", help="our sweep-N.json against the peer's peer-N.json")
    compare.add_argument("--tickets", type=int, default=20_000, help="the peer's N")
    compare.add_argument("--ours-tickets", type=int, help="our sweep's N, if not the peer's")
    options = parser.parse_args(argv)
    if options.command == "plot":
        from bench.plot import run as run_plot

        print(f"written to {run_plot(RESULTS)}")
        return 0
    if options.command in ("peer", "compare"):
        # Before prepare(): the peer migrates its own schema, in its own venv and database.
        return _peer(options)
    if options.command == "intake":
        # A database of its own: the intake adds tickets that the other benches would count.
        os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/desk_bench_intake"

    from bench.database import prepare, server

    prepare()
    if options.command == "intake":
        from bench import intake as intake_bench

        result = intake_bench.run(workers=options.workers, clients=options.clients, warm_up=options.warm_up,
                                  seconds=options.seconds, api=options.api, profile=options.profile)
        intake_bench.table(result)
        options.tickets = "-".join(f"w{count}" for count in options.workers)
    elif options.command == "pages":
        from bench.pages import run as run_pages

        result = run_pages(tickets=options.tickets, runs=options.runs, reseed=options.reseed,
                           with_explain=options.explain)
    elif options.command == "dashboard":
        from bench.dashboard import run as run_dashboard

        result = run_dashboard(tickets=options.tickets, runs=options.runs, reseed=options.reseed,
                               with_explain=options.explain)
    else:
        from bench.sweep import run, run_idle

        result = run_idle() if options.idle_only else run(tickets=options.tickets, share=options.share)
        if options.idle_only:  # not the seed's N: the open tickets it found (sweep-idle-<open>.json)
            options.tickets = f"idle-{result['running_tickets']}"
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform(), "postgresql": server()}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{options.command}-{options.tickets}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwritten to {out}")
    return 0


def _peer(options: argparse.Namespace) -> int:
    from bench import peer_sweep

    RESULTS.mkdir(exist_ok=True)
    if options.command == "peer":
        result = peer_sweep.run(tickets=options.tickets, share=options.share)
        result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
        out = RESULTS / f"peer-{options.tickets}.json"
        out.write_text(json.dumps(result, indent=2))
        print(f"\nwritten to {out}")
        if not options.compare:
            return 0
    comparison, out = peer_sweep.compare(RESULTS, tickets=options.tickets, ours_tickets=options.ours_tickets)
    out.write_text(json.dumps(comparison, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
