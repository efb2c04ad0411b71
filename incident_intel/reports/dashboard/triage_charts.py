"""The triage model beside its baselines, per target: top-k accuracy, and per class the
precision and coverage of routing it automatically."""

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

HEADLINE = ("top1_accuracy", "top3_accuracy", "macro_f1", "coverage_at_target_precision")


def triage_charts(summary: dict[str, Any]) -> dict[str, Any]:
    target_precision = summary["settings"]["triage"]["target_precision"]
    charts = {}
    for target, metrics in summary["metrics"].items():
        charts[f"triage_{target}_topk"] = versus_bars(
            metrics["model"],
            metrics["baselines"],
            HEADLINE,
            f"Triage of {target}: the model beside its baselines",
        )
        charts[f"triage_{target}_classes"] = _precision_by_coverage(
            target, metrics, target_precision
        )
    return charts


def _precision_by_coverage(target: str, metrics: dict[str, Any], target_precision: float) -> dict:
    """One bubble per predicted class: the share of it routed automatically (x), how often
    that routing was right (y), and how often the class is predicted (size)."""
    routed = {"model": metrics["model"], **metrics["baselines"]}
    routed = {name: m["routing_by_class"] for name, m in routed.items() if "routing_by_class" in m}
    largest = max((c["predicted_n"] for rows in routed.values() for c in rows), default=1)
    figure = go.Figure()
    for i, (name, rows) in enumerate(routed.items()):
        figure.add_trace(
            go.Scatter(
                x=[c["auto_route_coverage"] for c in rows],
                y=[c["auto_route_precision"] for c in rows],
                text=[label(c["predicted"]) for c in rows],
                customdata=[c["predicted_n"] for c in rows],
                mode="markers",
                name=label(name),
                marker={
                    "size": [8 + 40 * (c["predicted_n"] / largest) ** 0.5 for c in rows],
                    "color": MODEL_COLOUR if name == "model" else baseline_colour(i - 1),
                    "opacity": 0.7,
                    "line": {"width": 1, "color": "white"},
                },
                hovertemplate="%{text}: %{x:.0%} auto-routed at %{y:.0%} precision "
                "(%{customdata} predicted)",
            )
        )
    figure.add_hline(
        y=target_precision,
        line_dash="dot",
        annotation_text=f"target precision {target_precision:.0%}",
    )
    figure.update_layout(
        xaxis={"title": "coverage: share auto-routed", "tickformat": ".0%", "range": [-0.05, 1.05]},
        yaxis={"title": "precision of the auto-routed", "tickformat": ".0%"},
    )
    return chart(figure, f"Triage of {target}: precision × coverage per class", 400)
