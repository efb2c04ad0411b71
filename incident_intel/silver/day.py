"""One day of silver from its bronze: the records pulled, the audit trail, and the versions
rebuilt from them on top of the versions of earlier days.

Days build in order: a day's changes continue from each incident's latest earlier version,
which a single-run backfill and the daily schedule both provide.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from incident_intel.ingest.bronze import BronzeManifest, read_bronze_pages
from incident_intel.silver.audit import AuditPartition, build_audit_partition
from incident_intel.silver.mapping import SourceMapping
from incident_intel.silver.parse import SilverPartition, build_silver_partition, versions_schema
from incident_intel.silver.reconstruct import Reconstruction, reconstruct_versions
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_AUDIT_PAGES, INCIDENT_PAGES, INCIDENT_VERSIONS

AUDIT = "audit"
FORBIDDEN = "snapshots: sys_audit forbidden"
NOT_PULLED = "snapshots: no audit trail pulled"


@dataclass(frozen=True)
class SilverDay:
    snapshots: SilverPartition
    audit: AuditPartition
    rebuilt: Reconstruction
    history_path: str
    versions: pl.DataFrame
    rejects: pl.DataFrame


def _audit_partition(
    paths: LakePaths, day: date, window: tuple[datetime, datetime]
) -> tuple[AuditPartition, str]:
    directory = paths.partition_dir(INCIDENT_AUDIT_PAGES, day)
    try:
        manifest = BronzeManifest.read(directory)
    except FileNotFoundError:
        manifest = None
    if manifest is None or manifest.forbidden:
        return build_audit_partition([], [], day, window), FORBIDDEN if manifest else NOT_PULLED
    partition = build_audit_partition(
        read_bronze_pages(directory, "sys_audit"),
        read_bronze_pages(directory, "sys_audit_delete"),
        day,
        window,
    )
    return partition, AUDIT


def latest_versions_before(
    paths: LakePaths, day: date, sys_ids: pl.Series, source: SourceMapping
) -> pl.DataFrame:
    """Each of these incidents' latest version from the days before `day`."""
    schema = versions_schema(source.fields)
    bound = f"date={day.isoformat()}"
    files = sorted(
        path
        for path in paths.table_dir(INCIDENT_VERSIONS).glob("date=*/*.parquet")
        if path.parent.name < bound
    )
    if not files or sys_ids.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        pl.scan_parquet(files, missing_columns="insert", extra_columns="ignore", schema=schema)
        .filter(pl.col("sys_id").is_in(sys_ids.implode()))
        .sort("sys_updated_on", "sys_mod_count", nulls_last=False)
        .group_by("sys_id")
        .last()
        .collect()
        .select(list(schema))
    )


def build_silver_day(
    paths: LakePaths,
    source: SourceMapping,
    day: date,
    window: tuple[datetime, datetime],
    audit_typed: Callable[[AuditPartition], None] | None = None,
) -> SilverDay:
    """The day's silver; `audit_typed` is handed the audit trail as soon as it is typed, so
    that its file can be written while the versions are rebuilt."""
    # The records and the audit trail type side by side: polars works outside the GIL, and
    # each alone leaves a core idle between its pages.
    with ThreadPoolExecutor(max_workers=1) as pool:
        typing_snapshots = pool.submit(
            lambda: build_silver_partition(
                read_bronze_pages(paths.partition_dir(INCIDENT_PAGES, day)), source, day, window
            )
        )
        audit, history_path = _audit_partition(paths, day, window)
        if audit_typed is not None:
            audit_typed(audit)
        snapshots = typing_snapshots.result()
    changes = audit.changes
    touched = pl.concat(
        [changes.get_column("sys_id"), snapshots.versions.get_column("sys_id")]
    ).unique()
    prior = latest_versions_before(paths, day, touched, source)
    rebuilt = reconstruct_versions(
        changes,
        prior.drop("partition_date"),
        snapshots.versions.drop("partition_date"),
        source,
        audit_available=history_path == AUDIT,
    )
    stamp = pl.lit(day, dtype=pl.Date).alias("partition_date")
    versions = rebuilt.versions.with_columns(stamp).select(list(versions_schema(source.fields)))
    rejects = pl.concat(
        [
            snapshots.rejects,
            audit.rejects,
            rebuilt.rejects.with_columns(stamp).select(snapshots.rejects.columns),
        ]
    )
    return SilverDay(snapshots, audit, rebuilt, history_path, versions, rejects)
