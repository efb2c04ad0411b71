"""The operations view: volumes, backlog, MTTR and SLA attainment, and when incidents arrive
and breach."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from incident_intel.reports.dashboard.figures import chart, label

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # ISO weekdays 1 … 7


def _resolved_weighted(column: str) -> pl.Expr:
    """A per-day mean (MTTR, attainment) pooled over days, weighted by the incidents resolved."""
    weight = pl.when(pl.col(column).is_not_null()).then(pl.col("resolved")).otherwise(0)
    return ((pl.col(column).fill_null(0) * weight).sum() / weight.sum()).alias(column)


def operations_kpis(stats: pl.DataFrame) -> list[dict[str, str]]:
    last_day = stats["day"].max()
    pooled = stats.select(_resolved_weighted("mttr_hours"), _resolved_weighted("sla_attainment"))
    return [
        {"label": "opened", "value": f"{stats['opened'].sum():,}"},
        {"label": "resolved", "value": f"{stats['resolved'].sum():,}"},
        {
            "label": f"backlog on {last_day}",
            "value": f"{stats.filter(pl.col('day') == last_day)['backlog'].sum():,}",
        },
        {"label": "MTTR", "value": f"{pooled['mttr_hours'][0] or 0:.1f} h"},
        {"label": "SLA attainment", "value": f"{pooled['sla_attainment'][0] or 0:.1%}"},
    ]


def operations_charts(stats: pl.DataFrame | None, arrivals: pl.DataFrame | None) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    if stats is not None and stats.height:
        charts["ops_volume"] = _volume(stats)
        charts["ops_backlog"] = _backlog(stats)
        charts["ops_mttr"] = _by_group_and_priority(stats, "mttr_hours", "MTTR (hours)", ".1f")
        charts["ops_sla"] = _by_group_and_priority(stats, "sla_attainment", "SLA attainment", ".0%")
    if arrivals is not None and arrivals.height:
        charts["ops_arrivals"], charts["ops_breaches"] = _hour_by_weekday(arrivals)
    return charts


def _days(frame: pl.DataFrame) -> list[str]:
    return [d.isoformat() for d in frame["day"]]


def _volume(stats: pl.DataFrame) -> dict:
    daily = stats.group_by("day").agg(pl.col("opened").sum(), pl.col("resolved").sum()).sort("day")
    figure = go.Figure(
        [
            go.Scatter(x=_days(daily), y=daily["opened"].to_list(), name="opened"),
            go.Scatter(x=_days(daily), y=daily["resolved"].to_list(), name="resolved"),
        ]
    )
    figure.update_layout(yaxis_title="incidents")
    return chart(figure, "Opened and resolved per day")


def _backlog(stats: pl.DataFrame) -> dict:
    daily = stats.group_by("day", "priority").agg(pl.col("backlog").sum()).sort("priority", "day")
    figure = go.Figure(
        [
            go.Scatter(
                x=_days(rows),
                y=rows["backlog"].to_list(),
                name=f"P{priority}",
                stackgroup="backlog",
                mode="lines",
            )
            for (priority,), rows in daily.group_by("priority", maintain_order=True)
        ]
    )
    figure.update_layout(yaxis_title="open at the day's end")
    return chart(figure, "Backlog per day, by priority")


def _by_group_and_priority(stats: pl.DataFrame, column: str, title: str, fmt: str) -> dict:
    pooled = stats.group_by("assignment_group", "priority").agg(
        _resolved_weighted(column), pl.col("resolved").sum()
    )
    groups = sorted(pooled["assignment_group"].unique().to_list())
    priorities = sorted(pooled["priority"].unique().to_list())
    cells = {(g, p): (v, n) for g, p, v, n in pooled.iter_rows()}
    z = [[cells.get((g, p), (None, 0))[0] for p in priorities] for g in groups]
    counts = [[cells.get((g, p), (None, 0))[1] for p in priorities] for g in groups]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"P{p}" for p in priorities],
            y=[label(g) for g in groups],
            customdata=counts,
            texttemplate=f"%{{z:{fmt}}}",
            hovertemplate=f"%{{y}} %{{x}}: %{{z:{fmt}}} over %{{customdata}} resolved"
            "<extra></extra>",
            colorscale="RdYlGn_r" if column == "mttr_hours" else "RdYlGn",
        )
    )
    figure.update_layout(margin={"l": 190})
    return chart(figure, f"{title} by group and priority", 60 + 30 * len(groups))


def _hour_by_weekday(arrivals: pl.DataFrame) -> tuple[dict, dict]:
    cells = (
        arrivals.drop_nulls(["opened_hour", "opened_weekday"])
        .group_by("opened_weekday", "opened_hour")
        .agg(
            pl.len().alias("arrivals"),
            pl.col("sla_breached").sum().alias("breaches"),
            pl.col("sla_breached").mean().alias("breach_rate"),
        )
    )
    lookup = {(w, h): (a, b, r) for w, h, a, b, r in cells.iter_rows()}
    hours = list(range(24))

    def grid(index: int) -> list[list]:
        return [[lookup.get((w, h), (0, 0, None))[index] for h in hours] for w in range(1, 8)]

    def heatmap(index: int, colours: str, hover: str, title: str) -> dict:
        figure = go.Figure(
            go.Heatmap(
                z=grid(index),
                x=hours,
                y=list(WEEKDAYS),
                customdata=grid(0),
                colorscale=colours,
                hovertemplate=hover + "<extra></extra>",
            )
        )
        figure.update_layout(xaxis_title="hour opened", yaxis_autorange="reversed")
        return chart(figure, title, 300)

    return (
        heatmap(0, "Blues", "%{y} %{x}:00: %{z} opened", "Arrivals by hour and weekday"),
        heatmap(
            2,
            "Reds",
            "%{y} %{x}:00: %{z:.0%} of %{customdata} breached",
            "Breach rate by hour and weekday of opening",
        ),
    )
