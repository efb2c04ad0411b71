import re
from datetime import UTC, date, datetime
from itertools import permutations

import polars as pl
import pytest

from incident_intel.silver.incidents_table import creation_spans, duckdb_type, stored_rows_sql
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


def _created(frame: pl.DataFrame, hours: list[int | None]) -> pl.DataFrame:
    created = pl.Series([None if h is None else datetime(2026, 1, 1, h, tzinfo=UTC) for h in hours])
    return frame.with_columns(created.cast(SCHEMA["sys_created_on"]).alias("sys_created_on"))


def _write(tmp_path, name: str, frame: pl.DataFrame):
    path = tmp_path / f"{name}.parquet"
    write_parquet_atomic(frame, path)
    return path


def test_an_incident_whose_creation_time_appears_or_goes_is_kept_once(tmp_path):
    """The lookup by creation time still finds an incident stored without one, or arriving
    without one."""
    first = _write(
        tmp_path, "d1", _created(_versions([("a", 1, "New"), ("b", 1, "New")]), [None, 3])
    )
    later = _write(
        tmp_path, "d2", _created(_versions([("a", 5, "Closed"), ("b", 5, "Closed")]), [2, None])
    )
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        merge_incidents(connection, first, SCHEMA)
        stats = merge_incidents(connection, later, SCHEMA)
        rows = connection.sql("SELECT sys_id, state FROM silver.incidents ORDER BY 1").fetchall()
    assert (stats.inserted, stats.updated, stats.total) == (0, 2, 2)
    assert rows == [("a", "Closed"), ("b", "Closed")]


def test_a_column_the_partition_lacks_keeps_its_stored_value(tmp_path):
    with_extra = {**SCHEMA, "u_symptom": pl.String()}
    first = _versions([("a", 1, "New")]).with_columns(pl.lit("slow").alias("u_symptom"))
    later = _versions([("a", 5, "Closed")])
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        merge_incidents(connection, _write(tmp_path, "d1", first), with_extra)
        merge_incidents(connection, _write(tmp_path, "d2", later), SCHEMA)
        rows = connection.sql("SELECT state, u_symptom FROM silver.incidents").fetchall()
    assert rows == [("Closed", "slow")]


def test_a_table_keyed_by_an_earlier_release_loses_its_key_and_keeps_its_rows(tmp_path, partitions):
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        columns = ", ".join(f'"{c}" {duckdb_type(t)}' for c, t in SCHEMA.items())
        connection.execute("CREATE SCHEMA silver")
        connection.execute(
            f"CREATE TABLE silver.incidents ({columns}, deleted BOOLEAN DEFAULT false, "
            "deleted_at TIMESTAMPTZ, PRIMARY KEY (sys_id))"
        )
        connection.execute(
            f"INSERT INTO silver.incidents ({', '.join(SCHEMA)}) "
            f"SELECT * FROM read_parquet('{partitions['d1']}') WHERE sys_id = 'b'"
        )
        stats = merge_incidents(connection, partitions["d2"], SCHEMA)
        constraints = connection.sql(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'incidents' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()[0][0]
        rows = connection.sql(
            "SELECT sys_id, state, deleted FROM silver.incidents ORDER BY 1"
        ).fetchall()
    assert constraints == 0
    assert (stats.inserted, stats.total) == (2, 3)
    assert rows == [("a", "Resolved", False), ("b", "New", False), ("c", "New", False)]


def test_the_lookup_reads_only_the_row_groups_of_the_partitions_creation_times(tmp_path):
    """Stored incidents are found through row-group statistics, not a scan of the history."""
    with warehouse_at(tmp_path / "w.duckdb").get_connection() as connection:
        connection.execute("CREATE SCHEMA silver")
        connection.execute(
            "CREATE TABLE silver.incidents AS SELECT md5(i::VARCHAR) AS sys_id, "
            "TIMESTAMPTZ '2025-01-01' + to_seconds(i * 60) AS sys_created_on "
            "FROM range(500000) t(i)"
        )
        connection.execute(
            "CREATE TEMP TABLE keys AS SELECT sys_id, sys_created_on FROM silver.incidents "
            "ORDER BY sys_created_on DESC LIMIT 1000"
        )
        spans = [(date(2025, 12, 13), date(2025, 12, 17))]
        plan = connection.execute(
            "EXPLAIN ANALYZE " + stored_rows_sql("keys", spans, any_uncreated=False)
        ).fetchall()[0][1]
        found = connection.execute(
            f"SELECT count(*) FROM ({stored_rows_sql('keys', spans, False)})"
        ).fetchall()[0][0]
    scans = re.findall(r"Row Groups Scanned: (\d+) / (\d+)", plan)
    history_scans = [int(scanned) for scanned, total in scans if total == "5"]
    assert found == 1000
    # The table holds five row groups: the range branch reads one, and the branch for
    # incidents stored without a creation time none (DuckDB drops it on the statistics).
    assert history_scans == [1]


def test_creation_days_split_into_spans_at_long_gaps_and_at_most_a_few():
    days = [date(2026, 3, d) for d in (28, 29, 30, 31)] + [date(2026, 1, 2), date(2025, 6, 1)]
    assert creation_spans(days) == [
        (date(2025, 6, 1), date(2025, 6, 1)),
        (date(2026, 1, 2), date(2026, 1, 2)),
        (date(2026, 3, 28), date(2026, 3, 31)),
    ]
    assert creation_spans(days, max_spans=2) == [
        (date(2025, 6, 1), date(2025, 6, 1)),
        (date(2026, 1, 2), date(2026, 3, 31)),
    ]
    assert creation_spans([]) == []
