"""Gold features: one row per incident, as known at its prediction time.

The prediction time is the incident's creation (`sys_created_on`, or `opened_at` when later or
unknown) plus the horizon. Features come from the newest version updated by then, never from
the final record; labels come from the final record. An incident with no version that early (a
source that served only its current state) never borrows a later one: its features are null,
its `as_of_lag_hours` says how late its first version is, and it trains and tests nowhere.
Incidents opened before the first day pulled are left out: their start is not in the lake.
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


EXCLUDED = "excluded"
# Opened on or after features.split.test_end: beyond the test window, used by no model.
AFTER_TEST = "after_test"
# The audit trail holds references as sys_ids: their names come from any record that showed them.
NAMED_REFERENCES = ("assignment_group", "location", "cmdb_ci")


def _names_sql(references: tuple[str, ...]) -> str:
    """(reference, sys_id, its latest display name) over every version and current record."""
    shown = " UNION ALL ".join(
        f"SELECT '{r}' AS reference, {r} AS value, {r}_display AS display, sys_updated_on "
        f"FROM {relation} WHERE {r}_display IS NOT NULL"
        for r in references
        for relation in ("versions", "incidents")
    )
    return (
        f"SELECT reference, value, arg_max(display, sys_updated_on) AS display FROM ({shown}) "
        "GROUP BY reference, value"
    )


def _as_of_versions_sql(horizon_minutes: int) -> str:
    return f"""
    WITH population AS (
        SELECT sys_id, min(opened_at) AS opened_at, min(sys_created_on) AS created_on,
            min(sys_updated_on) AS first_seen
        FROM versions GROUP BY sys_id
        HAVING min(opened_at) >= coalesce(
            (SELECT CAST(min(partition_date) AS TIMESTAMPTZ) FROM versions),
            '-infinity'::TIMESTAMPTZ
        )
    ),
    bounds AS (
        SELECT sys_id, opened_at, first_seen,
            greatest(opened_at, coalesce(created_on, opened_at))
                + INTERVAL {int(horizon_minutes)} MINUTE AS predict_at
        FROM population
    ),
    known AS (
        SELECT v.* EXCLUDE (opened_at)
        FROM versions v JOIN bounds b USING (sys_id)
        WHERE v.sys_updated_on <= b.predict_at
        QUALIFY row_number() OVER (
            PARTITION BY v.sys_id ORDER BY v.sys_updated_on DESC, v.sys_mod_count DESC NULLS LAST
        ) = 1
    )
    SELECT k.* EXCLUDE (sys_id), b.sys_id, b.opened_at, b.predict_at,
        k.sys_id IS NOT NULL AS known_at_prediction,
        greatest(epoch(b.first_seen) - epoch(b.predict_at), 0) / 3600.0 AS as_of_lag_hours
    FROM bounds b LEFT JOIN known k USING (sys_id)
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
            SELECT assignment_group AS grp, opened_at AS event_at, 1 AS delta
            FROM as_of WHERE known_at_prediction
            UNION ALL
            SELECT a.assignment_group, i.resolved_at, -1
            FROM as_of a JOIN incidents i USING (sys_id)
            WHERE a.known_at_prediction AND i.resolved_at IS NOT NULL
        ),
        names AS ({_names_sql(NAMED_REFERENCES)}),
        running AS (
            SELECT coalesce(grp, '') AS grp, event_at + INTERVAL 1 MICROSECOND AS known_from,
                sum(delta) OVER (PARTITION BY grp ORDER BY event_at, delta
                                 ROWS UNBOUNDED PRECEDING) AS open_count
            FROM events
        )
        SELECT
            a.sys_id, i.number, a.opened_at, a.predict_at, a.known_at_prediction,
            a.as_of_lag_hours,
            CAST(a.priority AS VARCHAR) AS priority,
            CAST(a.impact AS VARCHAR) AS impact,
            CAST(a.urgency AS VARCHAR) AS urgency,
            a.category, a.subcategory,
            coalesce(a.assignment_group_display, ng.display, a.assignment_group)
                AS assignment_group,
            a.contact_type,
            coalesce(a.location_display, nl.display, a.location) AS location,
            coalesce(a.cmdb_ci_display, nc.display, a.cmdb_ci) AS cmdb_ci,
            CASE WHEN a.known_at_prediction THEN coalesce(a.reassignment_count, 0) END
                AS reassignment_count,
            CASE WHEN a.known_at_prediction THEN coalesce(a.reopen_count, 0) END AS reopen_count,
            hour({local}) AS opened_hour,
            isodow({local}) AS opened_weekday,
            CAST(isodow({local}) <= 5 AND hour({local}) >= {start}
                 AND hour({local}) < {end} AS INTEGER) AS in_business_hours,
            CASE WHEN a.known_at_prediction THEN CAST(coalesce(r.open_count, 0) AS BIGINT) END
                AS group_backlog,
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
        LEFT JOIN names ng ON ng.reference = 'assignment_group' AND ng.value = a.assignment_group
        LEFT JOIN names nl ON nl.reference = 'location' AND nl.value = a.location
        LEFT JOIN names nc ON nc.reference = 'cmdb_ci' AND nc.value = a.cmdb_ci
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
    """Oldest incidents train, the next valid, the newest test: never a random split.

    Incidents not known at their prediction time are `excluded` from all three, and those
    opened on or after `test_end` are `after_test`.
    """
    frame = frame.sort("opened_at", "sys_id")
    known = frame.filter(pl.col("known_at_prediction"))
    n = known.height
    opened = known["opened_at"].dt.date()
    if settings.test_start_date is None:
        test_start = n - round(n * settings.split.test_fraction)
    else:
        test_start = int((opened < settings.test_start_date).sum())
    test_end = n if settings.test_end_date is None else int((opened < settings.test_end_date).sum())
    valid_start = test_start - round(
        test_start * settings.split.valid_fraction / (1 - settings.split.test_fraction)
    )
    position = pl.int_range(pl.len())
    split = (
        pl.when(position < valid_start)
        .then(pl.lit("train"))
        .when(position < test_start)
        .then(pl.lit("valid"))
        .when(position < test_end)
        .then(pl.lit("test"))
        .otherwise(pl.lit(AFTER_TEST))
    )
    unknown = frame.filter(~pl.col("known_at_prediction")).with_columns(
        pl.lit(EXCLUDED).alias("split")
    )
    return pl.concat([known.with_columns(split.alias("split")), unknown]).sort(
        "opened_at", "sys_id"
    )
