"""The resolution-time model beside its baselines: errors, residuals and interval coverage."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from incident_intel.reports.dashboard.figures import (
    MODEL_COLOUR,
    baseline_colour,
    chart,
    label,
    versus_bars,
)

HEADLINE = ("mae_hours", "rmse_hours", "median_ae_hours")


def resolution_time_charts(summary: dict[str, Any]) -> dict[str, Any]:
    metrics = summary["metrics"]
    return {
        "ttr_headline": versus_bars(
            metrics["model"],
            metrics["baselines"],
            HEADLINE,
            "Resolution time: errors in hours, the model beside its baselines",
        ),
        "ttr_residuals": _predicted_vs_actual(metrics["residual_sample"]),
        "ttr_residuals_by_priority": _residuals_by(metrics["residuals_by_priority"], "priority"),
        "ttr_coverage": _coverage(metrics),
    }


def _predicted_vs_actual(sample: dict[str, list[float]]) -> dict:
    hours, predicted = sample["hours"], sample["predicted"]
    low = max(min(min(hours), min(predicted)), 0.05)
    high = max(max(hours), max(predicted))
    figure = go.Figure(
        [
            go.Scatter(
                x=predicted,
                y=hours,
                mode="markers",
                name="test incidents",
                marker={"color": MODEL_COLOUR, "opacity": 0.45, "size": 5},
                hovertemplate="predicted %{x:.1f} h, took %{y:.1f} h<extra></extra>",
            ),
            go.Scatter(x=[low, high], y=[low, high], mode="lines", name="exact", line_dash="dot"),
        ]
    )
    figure.update_layout(
        xaxis={"type": "log", "title": "predicted hours"},
        yaxis={"type": "log", "title": "actual hours"},
    )
    return chart(figure, "Resolution time: predicted against actual (test split)", 400)


def _residuals_by(groups: list[dict[str, Any]], name: str) -> dict:
    ordered = sorted(groups, key=lambda g: g["group"])
    x = [label(g["group"]) for g in ordered]
    figure = go.Figure(
        [
            go.Bar(x=x, y=[g["mae_hours"] for g in ordered], name="MAE"),
            go.Bar(x=x, y=[g["median_residual_hours"] for g in ordered], name="median residual"),
        ]
    )
    figure.update_layout(
        barmode="group", xaxis_title=name, yaxis_title="hours (residual: predicted − actual)"
    )
    return chart(figure, f"Resolution time: error and bias by {name}")


def _coverage(metrics: dict[str, Any]) -> dict:
    rows = [("model", metrics["model"], MODEL_COLOUR)]
    rows += [
        (name, figures, baseline_colour(i))
        for i, (name, figures) in enumerate(metrics["baselines"].items())
        if "interval_coverage" in figures
    ]
    figure = go.Figure(
        go.Bar(
            x=[label(name) for name, _, _ in rows],
            y=[figures["interval_coverage"] for _, figures, _ in rows],
            marker_color=[colour for _, _, colour in rows],
            text=[
                f"median width {figures.get('interval_median_width_hours', 0):.0f} h"
                for _, figures, _ in rows
            ],
        )
    )
    target = metrics.get("interval_target_coverage")
    if target is not None:
        figure.add_hline(y=target, line_dash="dot", annotation_text=f"target {target:.0%}")
    figure.update_layout(yaxis={"range": [0, 1], "tickformat": ".0%", "title": "coverage"})
    return chart(figure, "Resolution time: share of test incidents inside the interval")
