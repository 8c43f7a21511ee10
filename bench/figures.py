"""The benches' figures: a percentile of measured values and their usual one-line summary."""

from __future__ import annotations


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``: the nearest measured value, not an interpolation."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float], unit: str = "ms") -> str:
    """n, p50, p95 and max of ``values``."""
    if not values:
        return "n=0"
    return (f"n={len(values)} p50={pct(values, 0.5):.1f} {unit} p95={pct(values, 0.95):.1f} "
            f"{unit} max={max(values):.1f} {unit}")  # fmt: skip
