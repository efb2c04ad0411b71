"""The incremental merge of each partition's versions into silver.incidents, the current state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from incident_intel.storage.tables import INCIDENTS

DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.Datetime: "TIMESTAMPTZ",
}
INCIDENTS_TABLE = INCIDENTS.sql_name


def _duckdb_type(dtype: pl.DataType) -> str:
    for polars_type, sql_type in DUCKDB_TYPES.items():
        if isinstance(dtype, polars_type):
            return sql_type
    raise TypeError(f"no DuckDB type for {dtype}")


def ensure_incidents_table(
    connection: duckdb.DuckDBPyConnection, schema: dict[str, pl.DataType]
) -> None:
    columns = ", ".join(f'"{name}" {_duckdb_type(dtype)}' for name, dtype in schema.items())
    connection.execute("CREATE SCHEMA IF NOT EXISTS silver")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {INCIDENTS_TABLE} ({columns}, PRIMARY KEY (sys_id))"
    )
    # A field declared since the table was made (an extra field) becomes a column of its own.
    held = set(connection.table(INCIDENTS_TABLE).columns)
    for name, dtype in schema.items():
        if name not in held:
            connection.execute(
                f'ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN "{name}" {_duckdb_type(dtype)}'
            )
    # Deletions are soft: the row stays, flagged, and downstream layers leave it out.
    connection.execute(
        f"ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN IF NOT EXISTS deleted BOOLEAN DEFAULT false"
    )
    connection.execute(
        f"ALTER TABLE {INCIDENTS_TABLE} ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMPTZ"
    )


@dataclass(frozen=True)
class MergeStats:
    inserted: int
    updated: int
    unchanged: int
    total: int


def merge_incidents(
    connection: duckdb.DuckDBPyConnection,
    versions_file: Path,
    schema: dict[str, pl.DataType],
) -> MergeStats:
    """Upsert the newest version of each incident in one partition into silver.incidents.

    Only the partition's rows are read, so the cost follows the partition, not the history. An
    incoming version replaces the stored one only if it is newer (or the same version with new
    content), so replaying an older partition never rolls an incident back.
    """
    ensure_incidents_table(connection, schema)
    columns = list(schema)
    quoted = ", ".join(f'"{c}"' for c in columns)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged AS
        SELECT {quoted} FROM read_parquet(?)
        QUALIFY row_number() OVER (
            PARTITION BY sys_id ORDER BY sys_updated_on DESC, sys_mod_count DESC NULLS LAST
        ) = 1
        """,
        [str(versions_file)],
    )
    before = connection.execute(f"SELECT count(*) FROM {INCIDENTS_TABLE}").fetchall()[0][0]
    staged = connection.execute("SELECT count(*) FROM staged").fetchall()[0][0]
    assignments = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c != "sys_id")
    # Only a strictly newer version, or the same version with new content, is written, and
    # RETURNING names just those rows: no pass over the whole table is needed to count them.
    written = connection.execute(
        f"""
        INSERT INTO {INCIDENTS_TABLE} ({quoted}) SELECT {quoted} FROM staged
        ON CONFLICT (sys_id) DO UPDATE SET {assignments}
        WHERE EXCLUDED.sys_updated_on > incidents.sys_updated_on
           OR (EXCLUDED.sys_updated_on = incidents.sys_updated_on
               AND EXCLUDED.record_hash IS DISTINCT FROM incidents.record_hash)
        RETURNING sys_id
        """
    ).fetchall()
    connection.execute("DROP TABLE staged")
    total = connection.execute(f"SELECT count(*) FROM {INCIDENTS_TABLE}").fetchall()[0][0]
    inserted = total - before
    updated = len(written) - inserted
    return MergeStats(
        inserted=inserted, updated=updated, unchanged=staged - len(written), total=total
    )


def flag_deletions(connection: duckdb.DuckDBPyConnection, audit_file: Path) -> int:
    """Flag the incidents one audit partition records as deleted; returns how many it flagged.

    Idempotent: an incident already flagged keeps its first deletion time.
    """
    flagged = connection.execute(
        f"""
        UPDATE {INCIDENTS_TABLE} SET deleted = true, deleted_at = d.deleted_at
        FROM (
            SELECT sys_id, min(changed_at) AS deleted_at FROM read_parquet(?)
            WHERE event = 'delete' GROUP BY sys_id
        ) d
        WHERE {INCIDENTS_TABLE}.sys_id = d.sys_id AND NOT coalesce({INCIDENTS_TABLE}.deleted, false)
        RETURNING {INCIDENTS_TABLE}.sys_id
        """,
        [str(audit_file)],
    ).fetchall()
    return len(flagged)
