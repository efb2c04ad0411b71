"""A seeded synthetic incident store, generated lazily per opening day.

What derives from an opening day's incidents is computed per day, vectorised, and cached: when
each version stops being current, the day's deletions and its sys_audit rows. A small share of
incidents is deleted some time after their last update; those draws come from a generator of
their own, so that the versions are the same as a store without deletions would generate.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, partial

import numpy as np
import polars as pl

from incident_intel.simulator.audit import AuditRow, audit_frame, deletion_frame
from incident_intel.simulator.canonical import (
    TIMESTAMP_FORMAT,
    Version,
    from_versions,
    parse_timestamp,
    to_strings,
    typed_schema,
)
from incident_intel.simulator.generator import MAX_LIFETIME_DAYS, NUMBER_EPOCH, generate_day
from incident_intel.simulator.store import NEVER, Clock, IncidentStore

DELETION_DELAY_SECONDS = (3600, 2 * 24 * 3600)
# A version, its audit rows and its incident's deletion all fall this many days after opening.
LOOKBACK_DAYS = MAX_LIFETIME_DAYS + DELETION_DELAY_SECONDS[1] // (24 * 3600)
# Enough opening days to build one update day (LOOKBACK_DAYS + 1) without thrashing.
OPENING_DAY_CACHE = 2 * (LOOKBACK_DAYS + 1)
UPDATE_DAY_CACHE = 16
# sys_audit is the largest table: a month-long window of it pages without rebuilding its days.
AUDIT_DAY_CACHE = 32
_RETIRED = "__retired"
_DAY = "__day"


Parts = dict[str, pl.DataFrame]  # day (YYYY-MM-DD) -> the rows whose time falls on it


@dataclass(frozen=True)
class OpeningDay:
    """The incidents opened on one day, as strings, and their fate."""

    updates: Parts  # versions, with when each stops being current: its successor or deletion
    deletions: Parts  # sys_audit_delete rows
    deleted_on: dict[str, str]  # sys_id -> when the incident is deleted

    @property
    def versions(self) -> pl.DataFrame:
        parts = [part.drop(_RETIRED) for part in self.updates.values()]
        return pl.concat(parts) if parts else from_versions([])


def _by_day(frame: pl.DataFrame, time_field: str) -> Parts:
    """The frame split by the day its time field falls on: a day's rows then need no filter."""
    days = frame.with_columns(pl.col(time_field).str.slice(0, 10).alias(_DAY)).partition_by(
        _DAY, as_dict=True, include_key=False
    )
    return {day: part for (day,), part in days.items()}


def _days(start: str, end: str) -> Iterator[date]:
    """The days that timestamps in [start, end) fall on."""
    day = parse_timestamp(start).date()
    last = (parse_timestamp(end) - timedelta(seconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _shared_dicts(frame: pl.DataFrame) -> list[AuditRow]:
    """The frame's rows as dicts in which equal values are one string object.

    Audit rows repeat their incident, version time, field name and constants, and a month of
    them is held at once: sharing the strings halves their memory.
    """
    rows = frame.to_dicts()
    shared: dict[str, str] = {}
    for row in rows:
        for name, value in row.items():
            row[name] = shared.setdefault(value, value)
    return rows


def _span(times: list[str], start: str, end: str) -> slice:
    return slice(bisect_left(times, start), bisect_left(times, end))


class SyntheticIncidentStore(IncidentStore):
    """Incidents opened from `start_date` on, each day's depending only on (seed, day).

    A `deleted_share` of the incidents is deleted, each between 1 hour and 2 days after its last
    update.
    """

    def __init__(
        self,
        seed: int = 42,
        incidents_per_day: float = 300,
        start_date: date = date(2025, 12, 1),
        clock: Clock | None = None,
        deleted_share: float = 0.005,
    ) -> None:
        super().__init__(clock)
        if not 0.0 <= deleted_share <= 1.0:
            raise ValueError(f"deleted_share must lie in [0, 1], got {deleted_share}")
        self.seed = seed
        self.incidents_per_day = incidents_per_day
        self.start_date = start_date
        self.deleted_share = deleted_share
        self._opening_day = lru_cache(maxsize=OPENING_DAY_CACHE)(self._build_opening_day)
        self._update_day = lru_cache(maxsize=UPDATE_DAY_CACHE)(self._collect_update_day)
        # Apart from the versions: a pull of `incident` alone never pays for the audit.
        self._opening_audit = lru_cache(maxsize=OPENING_DAY_CACHE)(
            lambda day: _by_day(audit_frame(self._opening_day(day).versions), "sys_created_on")
        )
        self._audit_day = lru_cache(maxsize=AUDIT_DAY_CACHE)(
            partial(self._collect_rows, part=self._opening_audit)
        )
        self._deletion_day = lru_cache(maxsize=UPDATE_DAY_CACHE)(
            partial(self._collect_rows, part=lambda day: self._opening_day(day).deletions)
        )

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

    def _deleted(self, day: date, versions: pl.DataFrame) -> pl.DataFrame:
        """(sys_id, number, deleted_on) of the incidents of `versions` that get deleted."""
        incidents = versions.group_by("sys_id", maintain_order=True).agg(
            pl.col("number").first(), pl.col("sys_updated_on").max()
        )
        rng = np.random.default_rng([self.seed, day.toordinal(), 1])
        chosen = rng.random(incidents.height) < self.deleted_share
        delay = rng.integers(*DELETION_DELAY_SECONDS, incidents.height, endpoint=True)
        last = pl.col("sys_updated_on").str.strptime(pl.Datetime("us"), TIMESTAMP_FORMAT)
        deleted_on = (last + pl.duration(seconds=pl.Series(delay))).dt.strftime(TIMESTAMP_FORMAT)
        return incidents.select("sys_id", "number", deleted_on.alias("deleted_on")).filter(
            pl.Series(chosen)
        )

    def _build_opening_day(self, day: date) -> OpeningDay:
        versions = to_strings(generate_day(self.seed, day, self.incidents_per_day))
        deleted = self._deleted(day, versions)
        successor = pl.col("sys_updated_on").shift(-1).over("sys_id")
        retired = versions.join(
            deleted.select("sys_id", "deleted_on"), on="sys_id", how="left", maintain_order="left"
        ).select(pl.min_horizontal(successor, "deleted_on").fill_null(NEVER).alias(_RETIRED))
        return OpeningDay(
            updates=_by_day(versions.with_columns(retired.to_series()), "sys_updated_on"),
            deletions=_by_day(deletion_frame(deleted), "sys_created_on"),
            deleted_on=dict(deleted.select("sys_id", "deleted_on").iter_rows()),
        )

    def _collect(
        self, day: date, parts: Callable[[date], Parts], time_field: str
    ) -> pl.DataFrame | None:
        """The opening days' rows (of `parts`) whose `time_field` falls on `day`, sorted."""
        opening_days = (day - timedelta(days=i) for i in range(LOOKBACK_DAYS + 1))
        key = day.isoformat()
        frames = [
            part for d in opening_days if self._opens(d) and (part := parts(d).get(key)) is not None
        ]
        return pl.concat(frames).sort(time_field, "sys_id") if frames else None

    def _collect_update_day(self, day: date) -> tuple[list[Version], list[str], list[str]]:
        """Stored versions updated on `day`, sorted, with their update and retirement times."""
        frame = self._collect(day, lambda d: self._opening_day(d).updates, "sys_updated_on")
        if frame is None:
            return [], [], []
        return (
            frame.drop(_RETIRED).to_dicts(),
            frame["sys_updated_on"].to_list(),
            frame[_RETIRED].to_list(),
        )

    def _collect_rows(
        self, day: date, part: Callable[[date], Parts]
    ) -> tuple[list[AuditRow], list[str]]:
        """Audit rows (of `part`) created on `day`, sorted, with their creation times."""
        frame = self._collect(day, part, "sys_created_on")
        if frame is None:
            return [], []
        return _shared_dicts(frame), frame["sys_created_on"].to_list()

    def _stored_between(self, start: str, end: str) -> list[Version]:
        result: list[Version] = []
        for day in _days(start, end):
            versions, times, _ = self._update_day(day)
            result.extend(versions[_span(times, start, end)])
        return result

    def _stored_current_between(self, start: str, end: str, now: str) -> list[Version]:
        result: list[Version] = []
        for day in _days(start, end):
            versions, times, retired = self._update_day(day)
            span = _span(times, start, end)
            result.extend(v for v, r in zip(versions[span], retired[span], strict=True) if r > now)
        return result

    @staticmethod
    def _rows_between(
        day_rows: Callable[[date], tuple[list[AuditRow], list[str]]], start: str, end: str
    ) -> list[AuditRow]:
        result: list[AuditRow] = []
        for day in _days(start, end):
            rows, times = day_rows(day)
            result.extend(rows[_span(times, start, end)])
        return result

    def _stored_audit_between(self, start: str, end: str) -> list[AuditRow]:
        return self._rows_between(self._audit_day, start, end)

    def _stored_deletions_between(self, start: str, end: str) -> list[AuditRow]:
        return self._rows_between(self._deletion_day, start, end)

    def _opened_on(self, version: Version) -> date:
        # Numbers start with the opening day's offset from NUMBER_EPOCH (see `generate_day`).
        number = version["number"] or ""
        return NUMBER_EPOCH + timedelta(days=int(number[3:8]))

    def _stored_history(self, version: Version) -> list[Version]:
        versions = self._opening_day(self._opened_on(version)).versions
        return (
            versions.filter(pl.col("sys_id") == version["sys_id"]).sort("sys_updated_on").to_dicts()
        )

    def _deleted_on(self, version: Version) -> str | None:
        return self._opening_day(self._opened_on(version)).deleted_on.get(version["sys_id"] or "")
