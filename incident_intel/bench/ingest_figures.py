"""The figures `bench ingest` reports, computed from counts and timings alone."""

from __future__ import annotations

import statistics


def per_second(count: int, seconds: float) -> int:
    """A throughput, rounded; zero when nothing was timed rather than a division by zero."""
    return round(count / seconds) if seconds > 0 else 0


def parse_ratio(silver_per_second: float, raw_parse_per_second: float) -> float:
    """Silver's throughput over an untyped parse of the same pages: at 1.0, typing, validating
    and rebuilding versions cost no more than reading the JSON."""
    return round(silver_per_second / raw_parse_per_second, 3) if raw_parse_per_second else 0.0


def median_seconds(runs: list[float]) -> float:
    """The median run: one slow run on a shared machine moves it less than the mean."""
    return round(statistics.median(runs), 3)


def history_cost_ratio(seconds_by_history: dict[str, float]) -> float | None:
    """The largest history's partition cost over the smallest's, in the order measured;
    None with fewer than two sizes."""
    seconds = list(seconds_by_history.values())
    if len(seconds) < 2 or seconds[0] <= 0:
        return None
    return round(seconds[-1] / seconds[0], 3)
