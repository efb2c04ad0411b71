"""A seeded synthetic `incident` table, generated lazily per opening day."""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import polars as pl

from incident_intel.simulator.canonical import Version, parse_timestamp, to_strings, typed_schema
from incident_intel.simulator.generator import MAX_LIFETIME_DAYS, NUMBER_EPOCH, generate_day
from incident_intel.simulator.store import Clock, IncidentStore

# Enough opening days to build one update day (MAX_LIFETIME_DAYS + 1) without thrashing.
OPENING_DAY_CACHE = 2 * (MAX_LIFETIME_DAYS + 1)
UPDATE_DAY_CACHE = 16


class SyntheticIncidentStore(IncidentStore):
    """Incidents opened from `start_date` on, each day's depending only on (seed, day)."""

    def __init__(
        self,
        seed: int = 42,
        incidents_per_day: float = 300,
        start_date: date = date(2025, 12, 1),
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock)
        self.seed = seed
        self.incidents_per_day = incidents_per_day
        self.start_date = start_date
        self._opening_day = lru_cache(maxsize=OPENING_DAY_CACHE)(self._generate_strings)
        self._update_day = lru_cache(maxsize=UPDATE_DAY_CACHE)(self._collect_update_day)

    def earliest(self) -> datetime:
        return datetime.combine(self.start_date, time(), tzinfo=UTC)

    def generate_canonical_frame(self, first_day: date, last_day: date) -> pl.DataFrame:
        """Every version of the incidents opened from first_day to last_day inclusive, typed.

        For bulk benchmarks: ignores the clock and concurrent updates, and caches nothing.
        """
        days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        frames = [
            generate_day(self.seed, d, self.incidents_per_day) for d in days if self._opens(d)
        ]
        return pl.concat(frames) if frames else pl.DataFrame(schema=typed_schema())

    def _opens(self, day: date) -> bool:
        return day >= self.start_date

    def _generate_strings(self, day: date) -> pl.DataFrame:
        return to_strings(generate_day(self.seed, day, self.incidents_per_day))

    def _collect_update_day(self, day: date) -> tuple[list[Version], list[tuple[str, str]]]:
        """Stored versions updated on `day`, sorted, with their keys for bisection."""
        prefix = day.isoformat()
        opening_days = [day - timedelta(days=i) for i in range(MAX_LIFETIME_DAYS + 1)]
        frames = [
            self._opening_day(d).filter(pl.col("sys_updated_on").str.starts_with(prefix))
            for d in opening_days
            if self._opens(d)
        ]
        if not frames:
            return [], []
        versions = pl.concat(frames).sort("sys_updated_on", "sys_id").to_dicts()
        return versions, [(v["sys_updated_on"], v["sys_id"]) for v in versions]

    def _stored_between(self, start: str, end: str) -> list[Version]:
        first = parse_timestamp(start).date()
        last = (parse_timestamp(end) - timedelta(seconds=1)).date()
        result: list[Version] = []
        day = first
        while day <= last:
            versions, keys = self._update_day(day)
            result.extend(versions[bisect_left(keys, (start,)) : bisect_left(keys, (end,))])
            day += timedelta(days=1)
        return result

    def _stored_history(self, version: Version) -> list[Version]:
        # Numbers start with the opening day's offset from NUMBER_EPOCH (see `generate_day`).
        number = version["number"] or ""
        opened = NUMBER_EPOCH + timedelta(days=int(number[3:8]))
        frame = self._opening_day(opened).filter(pl.col("sys_id") == version["sys_id"])
        return frame.sort("sys_updated_on").to_dicts()
