"""Latency figures shared by the benches; no Django here, so a load-driving child process can use it."""

from __future__ import annotations

import statistics


def percentiles(seconds: list[float]) -> dict[str, float | None]:
    """p50, p99 and max in milliseconds (p99 interpolated: with 30 runs it sits near the max);
    None each when nothing was timed (a load run whose every request failed)."""
    if not seconds:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None, "min_ms": None, "runs": 0}
    ordered = sorted(seconds)

    def at(share: float) -> float:
        position = (len(ordered) - 1) * share
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (position - low) * (ordered[high] - ordered[low])

    return {"p50_ms": round(at(0.5) * 1000, 2), "p99_ms": round(at(0.99) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
            "min_ms": round(ordered[0] * 1000, 2), "runs": len(ordered)}
