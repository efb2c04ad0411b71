"""A silver day built and its selected tables written, each file replaced atomically."""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime

import polars as pl

from incident_intel.silver.day import SilverDay, build_silver_day
from incident_intel.silver.mapping import SourceMapping
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_AUDIT, INCIDENT_REJECTS, INCIDENT_VERSIONS, Table

SILVER_TABLES = (INCIDENT_VERSIONS, INCIDENT_REJECTS, INCIDENT_AUDIT)


def write_silver_day(
    paths: LakePaths,
    source: SourceMapping,
    day: date,
    window: tuple[datetime, datetime],
    tables: Collection[Table] = SILVER_TABLES,
) -> SilverDay:
    """Build the day's silver and write `tables`; the day as built.

    Polars encodes and compresses Parquet outside the GIL, so the audit trail's file, the
    largest, is written while the versions are rebuilt, and the other two side by side.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        writes: list[Future[None]] = []

        def write(table: Table, frame: pl.DataFrame) -> None:
            if table in tables:
                path = paths.partition_file(table, day)
                writes.append(pool.submit(write_parquet_atomic, frame, path))

        built = build_silver_day(
            paths,
            source,
            day,
            window,
            audit_typed=lambda audit: write(INCIDENT_AUDIT, audit.events),
        )
        write(INCIDENT_VERSIONS, built.versions)
        write(INCIDENT_REJECTS, built.rejects)
        for written in writes:
            written.result()
    return built
