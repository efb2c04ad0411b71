"""Gold features: one row per incident, as known at prediction time `opened_at + horizon`.

Features come from the incident's versions, never from its final record: the row describes the
newest version updated by prediction time (or, when none is that early, the first version the
source ever recorded, which is the creation record). Labels come from the final record.
"""

from __future__ import annotations

import duckdb
import polars as pl

from incident_intel.gold.scrubbing import scrub_series
from incident_intel.settings import FeatureSettings
from incident_intel.storage.warehouse import utc_connection

CATEGORICAL_FEATURES = (
    "priority",
    "impact",
    "urgency",
    "category",
    "subcategory",
    "assignment_group",
    "contact_type",
    "location",
    "cmdb_ci",
)
NUMERIC_FEATURES = (
    "reassignment_count",
    "reopen_count",
    "opened_hour",
    "opened_weekday",
    "in_business_hours",
    "group_backlog",
    "arrivals_last_hour",
)


def _as_of_versions_sql(horizon_minutes: int) -> str:
    return f"""
    WITH bounds AS (
        SELECT sys_id, min(opened_at) + INTERVAL {int(horizon_minutes)} MINUTE AS predict_at
        FROM versions GROUP BY sys_id
    ),
    ranked AS (
        SELECT v.*, b.predict_at,
            row_number() OVER (
                PARTITION BY v.sys_id
                ORDER BY (v.sys_updated_on <= b.predict_at) DESC,
                         CASE WHEN v.sys_updated_on <= b.predict_at
                              THEN epoch(v.sys_updated_on) ELSE -epoch(v.sys_updated_on) END DESC,
                         v.sys_mod_count DESC NULLS LAST
            ) AS rank
        FROM versions v JOIN bounds b USING (sys_id)
    )
    SELECT * EXCLUDE (rank) FROM ranked WHERE rank = 1
    """


def build_features(
    versions: pl.DataFrame, incidents: pl.DataFrame, settings: FeatureSettings
) -> pl.DataFrame:
    """Features from in-memory frames of versions and current incidents."""
    connection = utc_connection()
    try:
        connection.register("versions", versions)
        connection.register("incidents", incidents)
        return features_in(connection, settings)
    finally:
        connection.close()


def features_in(connection: duckdb.DuckDBPyConnection, settings: FeatureSettings) -> pl.DataFrame:
    """Features as of prediction time, labels from the final state, and a time-ordered split.

    Reads the relations `versions` and `incidents` of `connection`; free text is scrubbed.
    """
    connection.execute(
        f"CREATE TEMP TABLE as_of AS {_as_of_versions_sql(settings.horizon_minutes)}"
    )
    start, end = settings.business_hours_start, settings.business_hours_end
    # Hour, weekday and business hours are read on the wall clock of the team's time zone.
    local = f"timezone('{settings.business_hours_timezone}', a.opened_at)"
    frame = connection.sql(
        f"""
        WITH events AS (
            SELECT assignment_group AS grp, opened_at AS event_at, 1 AS delta FROM as_of
            UNION ALL
            SELECT a.assignment_group, i.resolved_at, -1
            FROM as_of a JOIN incidents i USING (sys_id) WHERE i.resolved_at IS NOT NULL
        ),
        running AS (
            SELECT coalesce(grp, '') AS grp, event_at + INTERVAL 1 MICROSECOND AS known_from,
                sum(delta) OVER (PARTITION BY grp ORDER BY event_at, delta
                                 ROWS UNBOUNDED PRECEDING) AS open_count
            FROM events
        )
        SELECT
            a.sys_id, a.number, a.opened_at, a.predict_at,
            CAST(a.priority AS VARCHAR) AS priority,
            CAST(a.impact AS VARCHAR) AS impact,
            CAST(a.urgency AS VARCHAR) AS urgency,
            a.category, a.subcategory,
            coalesce(a.assignment_group_display, a.assignment_group) AS assignment_group,
            a.contact_type,
            coalesce(a.location_display, a.location) AS location,
            coalesce(a.cmdb_ci_display, a.cmdb_ci) AS cmdb_ci,
            coalesce(a.reassignment_count, 0) AS reassignment_count,
            coalesce(a.reopen_count, 0) AS reopen_count,
            hour({local}) AS opened_hour,
            isodow({local}) AS opened_weekday,
            CAST(isodow({local}) <= 5 AND hour({local}) >= {start}
                 AND hour({local}) < {end} AS INTEGER) AS in_business_hours,
            CAST(coalesce(r.open_count, 0) AS BIGINT) AS group_backlog,
            count(*) OVER (ORDER BY a.opened_at
                           RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) - 1
                AS arrivals_last_hour,
            a.short_description AS short_description_at_open,
            a.description AS description_at_open,
            -- made_sla is final once resolved; before that only a breach is certain.
            CASE
                WHEN i.resolved_at IS NOT NULL
                    THEN coalesce(NOT i.made_sla, i.resolved_at > i.sla_due)
                WHEN NOT i.made_sla THEN true
                WHEN i.sla_due < (SELECT max(sys_updated_on) FROM versions) THEN true
            END AS sla_breached,
            (epoch(i.resolved_at) - epoch(i.opened_at)) / 3600.0 AS ttr_hours,
            i.category AS final_category,
            coalesce(i.assignment_group_display, i.assignment_group)
                AS final_assignment_group,
            i.state IN ('Resolved', 'Closed', 'Canceled') AS is_closed
        FROM as_of a
        JOIN incidents i USING (sys_id)
        ASOF LEFT JOIN running r
            ON r.grp = coalesce(a.assignment_group, '') AND a.predict_at >= r.known_from
        ORDER BY a.opened_at, a.sys_id
        """
    ).pl()
    connection.execute("DROP TABLE as_of")
    frame = frame.with_columns(
        scrub_series(frame["short_description_at_open"]).alias("short_description"),
        scrub_series(frame["description_at_open"]).alias("description"),
    ).drop("short_description_at_open", "description_at_open")
    return assign_time_split(frame, settings)


def assign_time_split(frame: pl.DataFrame, settings: FeatureSettings) -> pl.DataFrame:
    """Oldest incidents train, the next valid, the newest test: never a random split."""
    frame = frame.sort("opened_at", "sys_id")
    n = frame.height
    if settings.test_start_date is None:
        test_start = n - round(n * settings.split.test_fraction)
    else:
        test_start = int((frame["opened_at"].dt.date() < settings.test_start_date).sum())
    valid_start = test_start - round(
        test_start * settings.split.valid_fraction / (1 - settings.split.test_fraction)
    )
    position = pl.int_range(pl.len())
    return frame.with_columns(
        pl.when(position < valid_start)
        .then(pl.lit("train"))
        .when(position < test_start)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("test"))
        .alias("split")
    )
