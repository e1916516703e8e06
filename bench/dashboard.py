"""The manager's dashboard and the metrics API at scale: how long `dashboard_figures` takes, and
the page and the API around it, on a realistic seeded desk (bench/seed.py).

Why three measurements: the selector is the database's work (what an index or a query shape
changes); the page adds the form, the tables, the charts and the template; the API adds the
serializer. Each is timed over R runs after two warm-up runs (a running server has its caches
warm), with its query count taken on a separate run (capturing queries costs time itself), for
the default 30-day period and for a year. The periods end on the seed's own date, so that a
database seeded days ago gives the same figures.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench import seed as seeding
from bench.stats import percentiles
from tests.support.people import sign_in_fully
from tickets.selectors import metrics
from tickets.selectors.metrics import MetricsFilter, Period, dashboard_figures

PERIODS = {"30 days": 30, "365 days": 365}
WARM_UP = 2
TARGET_MS = 300  # the target for the dashboard at a million tickets


def timed(work: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Warm up, time `runs` calls, then count the queries of one more (and keep their SQL and
    time, slowest first, to point at what to look at)."""
    for _ in range(WARM_UP):
        work()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        work()
    queries: list[dict[str, Any]] = sorted(
        ({"ms": round(float(query["time"]) * 1000, 2), "sql": query["sql"]}
         for query in captured.captured_queries), key=lambda query: -float(query["ms"]))
    return {**percentiles(seconds), "queries": len(captured.captured_queries), "slowest": queries}


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured query, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def code() -> dict[str, Any]:
    """Which selector was measured: the application code changes while benches are kept, so each
    result names the commit, whether the work tree differed from it, and the selector's own hash."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False,
                              cwd=settings.BASE_DIR)
        return done.stdout.strip()

    source = metrics.__file__
    with open(source, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:16]
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "work_tree_changed": bool(git("status", "--porcelain")),
            "metrics_py_sha256": digest, "metrics_py": os.path.relpath(source, settings.BASE_DIR)}


def run(*, tickets: int, runs: int, reseed: bool, with_explain: bool) -> dict[str, Any]:
    seeded = None if reseed else seeding.current(tickets)
    if seeded is None:
        print(f"seeding {tickets:,} tickets…", flush=True)
        seeded = seeding.seed(tickets)
        print(f"seeded {tickets:,} tickets in {seeded.seconds:.1f} s {seeded.phases}")
        reused = False
    else:
        print(f"reusing the {tickets:,} tickets seeded at {seeded.as_of} (in {seeded.seconds:.1f} s); "
              "--reseed to load them again")
        reused = True
    # Other work on the machine (a test suite on two cores) moves every figure: kept with them.
    load_before = os.getloadavg()
    people = seeding.staff()
    manager = people.manager
    today = seeded.as_of_date
    results: dict[str, Any] = {}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts):
        # Signed in as a manager is at the end of the real flow: password and second factor.
        client = sign_in_fully(Client(), manager)
        for label, days in PERIODS.items():
            period = Period(today - datetime.timedelta(days=days - 1), today)
            wanted = MetricsFilter(period=period, queue_id=None, kind="", regime="")
            query = f"?start={period.start.isoformat()}&end={period.end.isoformat()}"

            def figures(wanted: MetricsFilter = wanted) -> Any:
                return dashboard_figures(manager, wanted, today=today)

            def page(query: str = query) -> Any:
                response = client.get(f"/staff/dashboard/{query}")
                assert response.status_code == 200, (response.status_code, response.content[:500])
                return response

            def api(query: str = query) -> Any:
                response = client.get(f"/api/v1/metrics/{query}", HTTP_ACCEPT="application/json")
                assert response.status_code == 200, (response.status_code, response.content[:500])
                return response

            sample = figures()
            results[label] = {
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                "figures": {"received": sample.over_period.received, "resolved": sample.over_period.resolved,
                            "open_now": sample.now.open, "on_time_rate": sample.over_period.on_time_rate,
                            "late_rate": sample.over_period.late_rate,
                            "extension_rate": sample.over_period.extension_rate,
                            "satisfaction_answers": sample.over_period.satisfaction.answers,
                            "escalations": sample.over_period.escalations.total},
                "dashboard_figures": timed(figures, runs),
                "page": timed(page, runs),
                "api": timed(api, runs),
            }
            if with_explain:
                results[label]["explain"] = [
                    {"ms": query["ms"], "sql": query["sql"], "plan": explain(query["sql"])}
                    for query in results[label]["dashboard_figures"]["slowest"]]
    _print(tickets, seeded, results)
    return {"tickets": tickets, "runs": runs, "warm_up": WARM_UP, "target_ms": TARGET_MS,
            "seed": {**asdict(seeded), "reused": reused}, "today": today.isoformat(),
            "code": code(), "load_average": {"before": load_before, "after": os.getloadavg()},
            "results": results}


def _print(tickets: int, seeded: seeding.Seeded, results: dict[str, Any]) -> None:
    print(f"\n{tickets:,} tickets; seeded in {seeded.seconds:.1f} s; periods end {seeded.as_of_date}")
    print("\n| what | period | queries | p50 ms | p99 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|")
    for label, result in results.items():
        for what in ("dashboard_figures", "page", "api"):
            row = result[what]
            print(f"| {what} | {label} | {row['queries']} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                  f"{row['max_ms']:.1f} |")
    for label, result in results.items():
        slow = ", ".join(f"{query['ms']:.0f}" for query in result["dashboard_figures"]["slowest"][:5])
        print(f"\n{label}: {result['figures']}\n  slowest queries of dashboard_figures (ms): {slow}")
