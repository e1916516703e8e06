"""Latency against the number of tickets, for docs/performance.md: each page's p50 (solid) and p99
(dashed) from bench/results/pages-<N>.json and dashboard-<N>.json, N on a log scale, with the
issue's targets as lines (queue page and API list 100 ms, dashboard 300 ms, at a million).

Why only what the results hold: a point is drawn where a bench was run at that N, so a missing
run is a gap in the line, never a figure made up between two others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: a file, shown by docs/performance.md

import matplotlib.pyplot as plt  # after the backend is chosen

OUT = Path(__file__).resolve().parent / "latency.png"
# (file prefix, the result's name, the line's label)
SERIES = (
    ("pages", "queue page", "queue page"),
    ("pages", "queue page, filtered and sorted", "queue page, a filter and a sort"),
    ("pages", "API list, token", "API list (token)"),
    ("pages", "API list, session", "API list (session)"),
    ("pages", "ticket page, 50 messages", "ticket page, 50 messages"),
    ("dashboard", "30 days", "dashboard, 30 days"),
    ("dashboard", "365 days", "dashboard, a year"),
)


def _points(results: Path, prefix: str, name: str, loads: list[float]) -> list[tuple[int, float, float]]:
    points = []
    for path in results.glob(f"{prefix}-*.json"):
        data: dict[str, Any] = json.loads(path.read_text())
        row = data.get("results", {}).get(name)
        if row is None:
            continue
        if prefix == "dashboard":
            row = row["page"]  # the page a manager waits on, not the selector alone
        points.append((int(data["tickets"]), float(row["p50_ms"]), float(row["p99_ms"])))
        loads.extend(data.get("load_average", {}).get(moment, [0.0])[0] for moment in ("before", "after"))
    return sorted(points)


def run(results: Path, out: Path = OUT) -> Path:
    figure, axes = plt.subplots(figsize=(12, 6), dpi=100)
    loads: list[float] = []
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    drawn = 0
    for index, (prefix, name, label) in enumerate(SERIES):
        points = _points(results, prefix, name, loads)
        if not points:
            continue
        colour = colours[index % len(colours)]
        tickets = [point[0] for point in points]
        axes.plot(tickets, [point[1] for point in points], "o-", color=colour, label=f"{label}, p50")
        axes.plot(tickets, [point[2] for point in points], "s--", color=colour, alpha=0.7,
                  label=f"{label}, p99")
        drawn += 1
    if not drawn:
        raise SystemExit(f"no pages-*.json or dashboard-*.json in {results}: run the benches first")
    axes.axhline(100, color="grey", linestyle=":", linewidth=1)
    axes.text(1.02, 100, "queue page, API list:\np99 target 100 ms", color="grey", fontsize=8,
              transform=axes.get_yaxis_transform(), va="center")
    axes.axhline(300, color="grey", linestyle=":", linewidth=1)
    axes.text(1.02, 300, "dashboard:\ntarget 300 ms", color="grey", fontsize=8,
              transform=axes.get_yaxis_transform(), va="center")
    # Other work on the machine moves every figure: the load the points were measured under.
    figure.text(0.01, 0.01, f"1-minute load average during the runs: {min(loads):.1f} to {max(loads):.1f} "
                "(2 cores); bench/results/*.json hold each run's", fontsize=8, color="grey")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("tickets in the desk (log scale)")
    axes.set_ylabel("latency, ms (log scale)")
    axes.set_title("Privacy Desk: page latency against the number of tickets (2 cores, PostgreSQL)")
    axes.grid(True, which="both", alpha=0.25)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.16, 1.0), borderaxespad=0)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    figure.savefig(out)
    plt.close(figure)
    return out
