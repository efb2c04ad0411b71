"""Which incidents were open, and which resolved, at the end of a day, as the lake knew then.

Both read the versions updated before the day ended, never the final record: a backfilled day
sees the states that day saw, and an incident resolved the next morning was still open.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from incident_intel.gold.scrubbing import scrub_series
from incident_intel.scoring.new_incident_features import LakeLoad
from incident_intel.storage.tables import INCIDENT_AUDIT, INCIDENT_VERSIONS

CLOSED_STATES = ("Resolved", "Closed", "Canceled")


def _states_sql(with_audit: bool) -> str:
    deleted = (
        f"sys_id IN (SELECT sys_id FROM {INCIDENT_AUDIT.sql_name} "
        "WHERE event = 'delete' AND changed_at < $day_end)"
        if with_audit
        else "false"
    )
    return f"""
        SELECT * EXCLUDE (deleted) FROM (
            SELECT *, {deleted} AS deleted FROM {INCIDENT_VERSIONS.sql_name}
            WHERE sys_updated_on < $day_end
            QUALIFY row_number() OVER (
                PARTITION BY sys_id
                ORDER BY sys_updated_on DESC, sys_mod_count DESC NULLS LAST, partition_date DESC
            ) = 1
        ) WHERE NOT deleted AND opened_at < $day_end
    """


def _has_audit(connection: duckdb.DuckDBPyConnection) -> bool:
    tables = connection.sql("SELECT schema_name || '.' || view_name FROM duckdb_views()").fetchall()
    return (INCIDENT_AUDIT.sql_name,) in tables


def open_at(connection: duckdb.DuckDBPyConnection, day_end: datetime) -> pl.DataFrame:
    """The sys_id and state of every incident open at `day_end`."""
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATES)
    return connection.sql(
        f"SELECT sys_id, state FROM ({_states_sql(_has_audit(connection))}) "
        f"WHERE state NOT IN ({closed}) ORDER BY opened_at, sys_id",
        params={"day_end": day_end},
    ).pl()


def resolved_by(connection: duckdb.DuckDBPyConnection, day_end: datetime) -> pl.DataFrame:
    """Every incident resolved by `day_end`: its resolution time, close code and scrubbed notes."""
    frame = connection.sql(
        f"""
        SELECT sys_id, number, close_code, close_notes,
            (epoch(resolved_at) - epoch(opened_at)) / 3600.0 AS ttr_hours
        FROM ({_states_sql(_has_audit(connection))})
        WHERE resolved_at IS NOT NULL AND resolved_at < $day_end
        ORDER BY resolved_at, sys_id
        """,
        params={"day_end": day_end},
    ).pl()
    return frame.with_columns(scrub_series(frame["close_notes"]))


def load_at(connection: duckdb.DuckDBPyConnection, moment: datetime, weeks: int = 4) -> LakeLoad:
    """The backlog per group (by name) at `moment`, the openings of the day before it, and the
    mean arrivals per UTC hour of the week over the `weeks` before it."""
    states = _states_sql(_has_audit(connection))
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATES)
    params = {"day_end": moment}
    backlog = connection.sql(
        f"""
        SELECT coalesce(assignment_group_display, assignment_group, '') AS grp, count(*) AS n
        FROM ({states}) WHERE state NOT IN ({closed}) GROUP BY grp
        """,
        params=params,
    ).fetchall()
    openings = connection.sql(
        f"""
        SELECT opened_at FROM ({states})
        WHERE opened_at >= $day_end - INTERVAL 1 DAY ORDER BY opened_at
        """,
        params=params,
    ).fetchall()
    hourly = connection.sql(
        f"""
        SELECT isodow(opened_at) AS weekday, hour(opened_at) AS hour, count(*) / {weeks} AS n
        FROM ({states}) WHERE opened_at >= $day_end - INTERVAL {weeks} WEEK
        GROUP BY weekday, hour
        """,
        params=params,
    ).fetchall()
    return LakeLoad(
        backlog=dict(backlog),
        recent_openings=[opened for (opened,) in openings],
        covered_until=moment,
        hourly_arrivals={(weekday, hour): n for weekday, hour, n in hourly},
    )
