"""Operational statistics per day x assignment group x priority, from the current state."""

from __future__ import annotations

import duckdb
import polars as pl

from incident_intel.storage.warehouse import utc_connection

OPS_STATS_SQL = """
WITH typed AS (
    SELECT
        coalesce(assignment_group_display, assignment_group, '(unassigned)') AS assignment_group,
        priority,
        CAST(opened_at AS DATE) AS opened_day,
        CAST(resolved_at AS DATE) AS resolved_day,
        (epoch(resolved_at) - epoch(opened_at)) / 3600.0 AS ttr_hours,
        CAST(made_sla AS DOUBLE) AS made_sla
    FROM incidents
),
opened AS (
    SELECT opened_day AS day, assignment_group, priority, count(*) AS opened
    FROM typed GROUP BY ALL
),
resolved AS (
    SELECT resolved_day AS day, assignment_group, priority, count(*) AS resolved,
        avg(ttr_hours) AS mttr_hours, avg(made_sla) AS sla_attainment
    FROM typed WHERE resolved_day IS NOT NULL GROUP BY ALL
),
grid AS (
    SELECT CAST(d.day AS DATE) AS day, c.assignment_group, c.priority
    FROM (SELECT DISTINCT assignment_group, priority FROM typed) c
    CROSS JOIN (
        SELECT unnest(range(min(opened_day), greatest(max(opened_day), max(resolved_day))
                            + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS day
        FROM typed
    ) d
),
daily AS (
    SELECT g.day, g.assignment_group, g.priority,
        coalesce(o.opened, 0) AS opened, coalesce(r.resolved, 0) AS resolved,
        r.mttr_hours, r.sla_attainment
    FROM grid g
    LEFT JOIN opened o USING (day, assignment_group, priority)
    LEFT JOIN resolved r USING (day, assignment_group, priority)
)
SELECT day, assignment_group, priority, opened, resolved,
    CAST(sum(opened - resolved) OVER (
        PARTITION BY assignment_group, priority ORDER BY day ROWS UNBOUNDED PRECEDING
    ) AS BIGINT) AS backlog,
    mttr_hours, sla_attainment
FROM daily
QUALIFY opened > 0 OR resolved > 0 OR backlog > 0
ORDER BY day, assignment_group, priority
"""


def build_ops_daily_stats(incidents: pl.DataFrame | duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """Opened, resolved, end-of-day backlog, MTTR and SLA attainment per day, group, priority."""
    connection = utc_connection()
    try:
        connection.register("incidents", incidents)
        return connection.sql(OPS_STATS_SQL).pl()
    finally:
        connection.close()
