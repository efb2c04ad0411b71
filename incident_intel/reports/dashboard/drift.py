"""The drift view: PSI per feature over time, and where retraining fired.

Its input is each scored day's drift, which gold/open_incident_scores writes beside its scores
(`gold/open_incident_drift/date=D/part-0.parquet`, see `monitoring/figures.py`), read by
`load_drift` as one table:

        day       Date     the day the open incidents were compared with the model's reference
        feature   String   the input's name, or `risk` for the breach risk
        psi       Float64  its population stability index that day
        usual     Float64  the PSI one day of the model's reference showed against the others
        severity  String   none, moderate (psi − usual above drift.warn_above) or major (above
                           error_above), as the drift checks grade it

Training runs come from the model store: every saved version, placed on the last day its
training window saw. Until drift has been measured the view says so and shows the runs alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

from incident_intel.monitoring.figures import RISK, with_usual_psi
from incident_intel.reports.dashboard.figures import SEVERITY_COLOURS, chart, label
from incident_intel.settings import DriftSettings
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import OPEN_INCIDENT_DRIFT

PADDING = timedelta(days=3)
DRIFT_INPUT = "gold/open_incident_drift/date=*/part-0.parquet"
DRIFT_SCHEMA = {
    "day": pl.Date,
    "feature": pl.String,
    "psi": pl.Float64,
    "usual": pl.Float64,
    "severity": pl.String,
}


def load_drift(paths: LakePaths, thresholds: DriftSettings) -> pl.DataFrame | None:
    """Every scored day's drift under the lake, or None while none was measured."""
    if not paths.has_partitions(OPEN_INCIDENT_DRIFT):
        return None
    # Read day by day: days stored before `usual_psi` was kept lack the column.
    days = sorted(paths.table_dir(OPEN_INCIDENT_DRIFT).glob("date=*/*.parquet"))
    figures = pl.concat(
        [with_usual_psi(pl.read_parquet(day)) for day in days], how="diagonal_relaxed"
    )
    if figures.is_empty():
        return None
    excess = pl.col("psi") - pl.col("usual_psi")
    severity = (
        pl.when(excess > thresholds.error_above)
        .then(pl.lit("major"))
        .when(excess > thresholds.warn_above)
        .then(pl.lit("moderate"))
        .otherwise(pl.lit("none"))
    )
    feature = pl.when(pl.col("measure") == RISK).then(pl.lit("risk")).otherwise(pl.col("name"))
    return (
        figures.select(
            pl.col("partition_date").alias("day"),
            feature.alias("feature"),
            "psi",
            pl.col("usual_psi").alias("usual"),
            severity.alias("severity"),
        )
        .cast(DRIFT_SCHEMA)
        .sort("day", "feature")
    )


def training_runs(cards: dict[str, list[dict[str, Any]]]) -> pl.DataFrame:
    """(day, model, version, promoted): one row per saved model version."""
    rows = [
        {
            "day": str(card["training_window"]["last_opened"])[:10],
            "model": model,
            "version": card["version"],
            "promoted": bool(card.get("promoted")),
        }
        for model, history in cards.items()
        for card in history
    ]
    schema = {"day": pl.String, "model": pl.String, "version": pl.String, "promoted": pl.Boolean}
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col("day").str.to_date())


def drift_charts(drift: pl.DataFrame | None, runs: pl.DataFrame) -> dict[str, dict]:
    charts = {}
    if drift is not None and drift.height:
        charts["drift_psi_over_time"] = _psi_over_time(drift, runs)
        charts["drift_latest"] = _latest(drift)
    if runs.height:
        charts["drift_training_runs"] = _runs(runs)
    return charts


def _padded_days(days: pl.Series, title: str) -> dict:
    """A date axis with a few days either side, so that a single day still reads as a date,
    not as a timestamp."""
    first, last = days.min(), days.max()
    return {
        "title": title,
        "type": "date",
        "range": [(first - PADDING).isoformat(), (last + PADDING).isoformat()],
    }


def _retraining_lines(figure: go.Figure, runs: pl.DataFrame) -> None:
    for day, models in runs.group_by("day").agg("model").sort("day").iter_rows():
        figure.add_vline(x=day.isoformat(), line_dash="dot", line_color="#57606a")
        figure.add_annotation(
            x=day.isoformat(),
            y=1,
            yref="paper",
            text=label("retrained: " + ", ".join(sorted(set(models)))),
            showarrow=False,
            yanchor="bottom",
            font={"size": 10},
        )


def _psi_over_time(drift: pl.DataFrame, runs: pl.DataFrame) -> dict:
    figure = go.Figure()
    for (feature,), rows in drift.group_by("feature", maintain_order=True):
        figure.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in rows["day"]],
                y=rows["psi"].to_list(),
                name=label(feature),
                mode="lines+markers",
                marker={"color": [SEVERITY_COLOURS.get(s, "#57606a") for s in rows["severity"]]},
                customdata=rows["usual"].to_list(),
                text=[label(s) for s in rows["severity"]],
                hovertemplate="%{x}: PSI %{y:.3f}, usual %{customdata:.3f} (%{text})",
            )
        )
    _retraining_lines(figure, runs)
    figure.update_layout(yaxis_title="PSI", xaxis=_padded_days(drift["day"], "day"))
    return chart(figure, "PSI per feature over time (dotted: a model was retrained)", 420)


def _latest(drift: pl.DataFrame) -> dict:
    latest = drift.filter(pl.col("day") == pl.col("day").max()).sort("psi")
    names = [label(f) for f in latest["feature"]]
    figure = go.Figure(
        go.Bar(
            x=latest["psi"].to_list(),
            y=names,
            orientation="h",
            name="PSI",
            marker={"color": [SEVERITY_COLOURS.get(s, "#57606a") for s in latest["severity"]]},
            text=[label(s) for s in latest["severity"]],
        )
    )
    figure.add_trace(
        go.Scatter(
            x=latest["usual"].to_list(),
            y=names,
            mode="markers",
            name="usual for one day",
            marker={"symbol": "line-ns-open", "size": 14, "color": "#24292f"},
        )
    )
    figure.update_layout(xaxis_title="PSI", margin={"l": 160})
    day = latest["day"][0].isoformat()
    return chart(
        figure,
        f"PSI per feature on {day} (tick: its usual for one day), coloured by severity",
        60 + 22 * latest.height,
    )


def _runs(runs: pl.DataFrame) -> dict:
    figure = go.Figure()
    for promoted, name, symbol in ((True, "promoted", "circle"), (False, "not promoted", "x")):
        rows = runs.filter(pl.col("promoted") == promoted)
        figure.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in rows["day"]],
                y=rows["model"].to_list(),
                text=rows["version"].to_list(),
                mode="markers",
                name=name,
                marker={"symbol": symbol, "size": 11},
                hovertemplate="%{y} %{text}: trained on data to %{x}",
            )
        )
    figure.update_layout(
        xaxis=_padded_days(runs["day"], "last day of the training window"), margin={"l": 170}
    )
    return chart(figure, "Training runs in the model store", 260)
