"""Gold features: one row per incident, as known at its prediction time.

The prediction time is the incident's creation (`sys_created_on`, or `opened_at` when later or
unknown) plus the horizon. Features come from the newest version updated by then, never from
the final record; labels come from the final record. An incident with no version that early (a
source that served only its current state) never borrows a later one: its features are null,
its `as_of_lag_hours` says how late its first version is, and it trains and tests nowhere.
Incidents opened before the first day pulled are left out: their start is not in the lake.

A source's extra fields (`x_<name>`, declared in the schema mapping) are carried the same way,
as of prediction time: categorical ones as polars Categoricals, numeric ones as floats, text
scrubbed as strings, so that `extra_feature_columns` tells them apart from the frame alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from incident_intel.gold.scrubbing import scrub_series
from incident_intel.settings import FeatureSettings
from incident_intel.silver.mapping import EXTRA_PREFIX, ExtraField
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
    # Known at open, and a repeat caller's history is signal. Its sys_id: a stable key for a
    # person, whose name gold does not need to hold (and cannot know where no record showed it).
    "caller",
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


def extra_feature_columns(
    frame_or_schema: pl.DataFrame | pl.Schema,
) -> tuple[list[str], list[str], list[str]]:
    """The extra-field columns of a features frame: (categorical, numeric, text).

    Text extras are for text models and display; the tabular models use the other two.
    """
    schema = (
        frame_or_schema.schema if isinstance(frame_or_schema, pl.DataFrame) else frame_or_schema
    )
    extras = {name: dtype for name, dtype in schema.items() if name.startswith(EXTRA_PREFIX)}
    categorical = [n for n, d in extras.items() if isinstance(d, pl.Categorical)]
    numeric = [n for n, d in extras.items() if d.is_numeric()]
    text = [n for n, d in extras.items() if d == pl.String]
    return categorical, numeric, text


def _named(relation: str, reference: str) -> str:
    """A reference as its display name: the one the row shows, else any record's, else its id."""
    return (
        f"coalesce({relation}.{reference}_display, n_{reference}.display, {relation}.{reference})"
    )


def _extra_select(extra: ExtraField) -> str:
    """An extra field as of prediction time; an immutable one, which the trail never sets, from
    the current record where the version lacks it (it holds the same value)."""
    column = extra.column
    if extra.reference:
        value = _named("a", column)
        current = f"coalesce(i.{column}_display, i.{column})"
    else:
        value, current = f"a.{column}", f"i.{column}"
    if extra.immutable:
        value = f"CASE WHEN a.known_at_prediction THEN coalesce({value}, {current}) END"
    return f"{value} AS {column}"


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
    versions: pl.DataFrame,
    incidents: pl.DataFrame,
    settings: FeatureSettings,
    extras: Iterable[ExtraField] = (),
) -> pl.DataFrame:
    """Features from in-memory frames of versions and current incidents."""
    connection = utc_connection()
    try:
        connection.register("versions", versions)
        connection.register("incidents", incidents)
        return features_in(connection, settings, extras)
    finally:
        connection.close()


def features_in(
    connection: duckdb.DuckDBPyConnection,
    settings: FeatureSettings,
    extras: Iterable[ExtraField] = (),
) -> pl.DataFrame:
    """Features as of prediction time, labels from the final state, and a time-ordered split.

    Reads the relations `versions` and `incidents` of `connection`; free text is scrubbed.
    Of the `extras` the mapping declares, those silver holds are carried too.
    """
    held = set(connection.table("versions").columns)
    carried = [x for x in extras if x.column in held]
    references = [*NAMED_REFERENCES, *(x.column for x in carried if x.reference)]
    names = "\n        ".join(
        f"LEFT JOIN names n_{r} ON n_{r}.reference = '{r}' AND n_{r}.value = a.{r}"
        for r in references
    )
    extra_selects = "".join(f"{_extra_select(x)}, " for x in carried)
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
        names AS ({_names_sql(tuple(references))}),
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
            {_named("a", "assignment_group")} AS assignment_group,
            a.contact_type,
            {_named("a", "location")} AS location,
            {_named("a", "cmdb_ci")} AS cmdb_ci,
            a.caller,
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
            {extra_selects}
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
        {names}
        ASOF LEFT JOIN running r
            ON r.grp = coalesce(a.assignment_group, '') AND a.predict_at >= r.known_from
        ORDER BY a.opened_at, a.sys_id
        """
    ).pl()
    connection.execute("DROP TABLE as_of")
    frame = frame.with_columns(
        scrub_series(frame["short_description_at_open"]).alias("short_description"),
        scrub_series(frame["description_at_open"]).alias("description"),
        *(scrub_series(frame[x.column]) for x in carried if x.kind == "text"),
        *(pl.col(x.column).cast(pl.Categorical) for x in carried if x.kind == "categorical"),
        *(pl.col(x.column).cast(pl.Float64) for x in carried if x.kind == "numeric"),
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
