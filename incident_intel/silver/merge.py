"""The incremental merge of each partition's versions into silver.incidents, the current state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from incident_intel.silver.incidents_table import (
    INCIDENTS_TABLE,
    creation_spans,
    ensure_incidents_table,
    stored_rows_sql,
)
from incident_intel.storage.warehouse import transaction


@dataclass(frozen=True)
class MergeStats:
    inserted: int
    updated: int
    unchanged: int
    total: int


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _written_column(column: str, schema: dict[str, pl.DataType]) -> str:
    if column in schema:
        return f's."{column}"'
    if column == "deleted":
        return 'coalesce(h."deleted", false) AS "deleted"'
    return f'h."{column}"'


def merge_incidents(
    connection: duckdb.DuckDBPyConnection,
    versions_file: Path,
    schema: dict[str, pl.DataType],
) -> MergeStats:
    """Upsert the newest version of each incident in one partition into silver.incidents.

    Only the partition's rows and the row groups holding its incidents are read, so the cost
    follows the partition, not the history. An incoming version replaces the stored one only
    if it is newer (or the same version with new content), so replaying an older partition
    never rolls an incident back. A replaced row is deleted and written anew in one
    transaction, keeping the stored columns the partition does not carry (the deletion flag,
    a field the source no longer sends).
    """
    ensure_incidents_table(connection, schema)
    columns = list(schema)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged AS
        SELECT {_quoted(columns)} FROM read_parquet(?)
        QUALIFY row_number() OVER (
            PARTITION BY sys_id ORDER BY sys_updated_on DESC, sys_mod_count DESC NULLS LAST
        ) = 1
        """,
        [str(versions_file)],
    )
    uncreated, staged = connection.execute(
        "SELECT count(*) FILTER (WHERE sys_created_on IS NULL), count(*) FROM staged"
    ).fetchall()[0]
    days = connection.execute(
        "SELECT DISTINCT CAST(timezone('UTC', sys_created_on) AS DATE) FROM staged "
        "WHERE sys_created_on IS NOT NULL"
    ).fetchall()
    spans = creation_spans([day for (day,) in days])
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE stored AS "
        + stored_rows_sql("staged", spans, any_uncreated=uncreated > 0)
    )
    table_columns = connection.table(INCIDENTS_TABLE).columns
    kept = [_written_column(c, schema) for c in table_columns]
    # Only a strictly newer version, or the same version with new content, is written.
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE written AS
        SELECT h.stored_rowid, {", ".join(kept)}
        FROM staged s LEFT JOIN stored h USING (sys_id)
        WHERE h.sys_id IS NULL
           OR s.sys_updated_on > h.sys_updated_on
           OR (s.sys_updated_on = h.sys_updated_on AND s.record_hash IS DISTINCT FROM h.record_hash)
        """
    )
    try:
        with transaction(connection):
            updated = connection.execute(
                f"DELETE FROM {INCIDENTS_TABLE} WHERE rowid IN "
                "(SELECT stored_rowid FROM written WHERE stored_rowid IS NOT NULL)"
            ).fetchall()[0][0]
            inserted_rows = connection.execute(
                f"INSERT INTO {INCIDENTS_TABLE} ({_quoted(table_columns)}) "
                f"SELECT {_quoted(table_columns)} FROM written "
                "ORDER BY sys_created_on NULLS FIRST, sys_id"
            ).fetchall()[0][0]
    finally:
        for temp in ("staged", "stored", "written"):
            connection.execute(f"DROP TABLE IF EXISTS {temp}")
    total = connection.execute(f"SELECT count(*) FROM {INCIDENTS_TABLE}").fetchall()[0][0]
    return MergeStats(
        inserted=inserted_rows - updated,
        updated=updated,
        unchanged=staged - inserted_rows,
        total=total,
    )


def flag_deletions(connection: duckdb.DuckDBPyConnection, audit_file: Path) -> int:
    """Flag the incidents one audit partition records as deleted; returns how many it flagged.

    Idempotent: an incident already flagged keeps its first deletion time. A partition without
    a deletion, the usual case, touches nothing.
    """
    deletions = connection.execute(
        "SELECT count(*) FROM read_parquet(?) WHERE event = 'delete'", [str(audit_file)]
    ).fetchall()[0][0]
    if not deletions:
        return 0
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
