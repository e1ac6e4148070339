"""Small helpers: percentiles of latencies, a stopwatch and a rounded rate."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

__all__ = ["Stopwatch", "latency_summary", "rate"]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """``n``, ``mean``, ``p50``, ``p95``, ``p99``, ``max`` in milliseconds (``n=0``: zeros)."""
    if not seconds:
        return {"n": 0, "mean_ms": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    a = np.asarray(seconds, dtype=float) * 1000.0
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {
        "n": int(a.size),
        "mean_ms": round(float(a.mean()), 2),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "p99_ms": round(float(p99), 2),
        "max_ms": round(float(a.max()), 2),
    }


def rate(n: float, seconds: float) -> float:
    """``n / seconds`` rounded to 0.1 (0.0 when no time passed)."""
    return round(n / seconds, 1) if seconds > 0 else 0.0


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
