from datetime import UTC, datetime
from itertools import permutations

import polars as pl
import pytest

from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.merge import flag_deletions, merge_incidents
from incident_intel.silver.parse import versions_schema
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.warehouse import warehouse_at

SCHEMA = versions_schema(load_schema_mapping().canonical)


def _versions(rows: list[tuple[str, int, str]]) -> pl.DataFrame:
    """(sys_id, hour on 2026-01-05 + day offset, state) rows with every other column null."""
    frame = pl.DataFrame(
        {
            "sys_id": [r[0] for r in rows],
            "sys_updated_on": [datetime(2026, 1, 5, tzinfo=UTC).replace(hour=0) for _ in rows],
            "state": [r[2] for r in rows],
        }
    ).with_columns(
        pl.col("sys_updated_on") + pl.duration(hours=pl.Series([r[1] for r in rows])),
        pl.col("state").alias("record_hash"),
    )
    return frame.select(
        pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
        for c, t in SCHEMA.items()
    )


@pytest.fixture
def partitions(tmp_path):
    files = {
        "d1": _versions([("a", 1, "New"), ("a", 2, "In Progress"), ("b", 3, "New")]),
        "d2": _versions([("a", 30, "Resolved"), ("c", 31, "New")]),
        "d3": _versions([("b", 50, "Closed")]),
    }
    paths = {}
    for name, frame in files.items():
        paths[name] = tmp_path / f"{name}.parquet"
        write_parquet_atomic(frame, paths[name])
    return paths


def _state(db, order, partitions):
    with warehouse_at(db).get_connection() as connection:
        for name in order:
            merge_incidents(connection, partitions[name], SCHEMA)
        return connection.sql(
            "SELECT sys_id, state FROM silver.incidents ORDER BY sys_id"
        ).fetchall()


def test_newest_version_wins_in_any_order(tmp_path, partitions):
    expected = [("a", "Resolved"), ("b", "Closed"), ("c", "New")]
    for i, order in enumerate(permutations(partitions)):
        assert _state(tmp_path / f"w{i}.duckdb", order, partitions) == expected


def test_replaying_a_partition_changes_nothing(tmp_path, partitions):
    db = tmp_path / "w.duckdb"
    _state(db, ["d1", "d2", "d3"], partitions)
    with warehouse_at(db).get_connection() as connection:
        stats = merge_incidents(connection, partitions["d1"], SCHEMA)
    assert (stats.inserted, stats.updated, stats.total) == (0, 0, 3)
    assert _state(db, [], partitions) == [("a", "Resolved"), ("b", "Closed"), ("c", "New")]


def test_merge_reports_inserts_and_updates(tmp_path, partitions):
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        first = merge_incidents(connection, partitions["d1"], SCHEMA)
        second = merge_incidents(connection, partitions["d2"], SCHEMA)
    assert (first.inserted, first.updated) == (2, 0)
    assert (second.inserted, second.updated, second.total) == (1, 1, 3)


def test_a_deletion_flags_the_incident_once_and_a_rerun_changes_nothing(tmp_path, partitions):
    audit = pl.DataFrame(
        {
            "sys_id": ["b", "zz"],
            "event": ["delete", "delete"],
            "changed_at": [datetime(2026, 1, 9, tzinfo=UTC), datetime(2026, 1, 9, tzinfo=UTC)],
        }
    )
    audit_file = tmp_path / "audit.parquet"
    write_parquet_atomic(audit, audit_file)
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        merge_incidents(connection, partitions["d1"], SCHEMA)
        assert flag_deletions(connection, audit_file) == 1
        assert flag_deletions(connection, audit_file) == 0
        # A later version of a deleted incident does not bring it back.
        merge_incidents(connection, partitions["d3"], SCHEMA)
        rows = connection.sql(
            "SELECT sys_id, state, deleted FROM silver.incidents ORDER BY sys_id"
        ).fetchall()
    assert rows == [("a", "In Progress", False), ("b", "Closed", True)]
