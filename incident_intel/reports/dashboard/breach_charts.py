"""The SLA-breach model beside its baselines: headline figures, PR curves, reliability, and
the confusion at each threshold strategy next to the strongest baseline's at the same volume
of alerts."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from incident_intel.reports.dashboard.figures import (
    MODEL_COLOUR,
    baseline_colour,
    chart,
    label,
    versus_bars,
)

HEADLINE = ("roc_auc", "pr_auc", "brier")


def breach_charts(summary: dict[str, Any]) -> dict[str, Any]:
    metrics = summary["metrics"]
    return {
        "breach_headline": versus_bars(
            metrics["model"],
            metrics["baselines"],
            HEADLINE,
            "Breach: the model beside its baselines",
        ),
        "breach_pr_curve": _pr_curves(metrics),
        "breach_reliability": _reliability(metrics),
        "breach_confusion": _confusions(metrics["thresholds"]),
    }


def threshold_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each threshold strategy's figures, and the strongest baseline's at the same alert rate
    (read off its PR curve), so that the model is judged at the workload it would create."""
    metrics = summary["metrics"]
    baseline = summary["gates"][0]["baseline"] if summary["gates"] else None
    curve = metrics["pr_curve"].get(baseline) if baseline else None
    base_rate = metrics["model"]["base_rate"]
    rows = []
    for rule, t in metrics["thresholds"].items():
        row = {
            "rule": rule,
            "threshold": t["threshold"],
            "alert_rate": t["alert_rate"],
            "precision": t["precision"],
            "recall": t["recall"],
            "f1": t["f1"],
            "baseline": baseline,
        }
        if curve is not None:
            row |= _at_alert_rate(curve, base_rate, t["alert_rate"])
        rows.append(row)
    return rows


def _at_alert_rate(curve: dict[str, list], base_rate: float, alert_rate: float) -> dict:
    """The curve's point whose share of incidents alerted is nearest `alert_rate`."""
    points = [
        (recall * base_rate / precision, precision, recall)
        for precision, recall in zip(curve["precision"], curve["recall"], strict=True)
        if precision > 0
    ]
    rate, precision, recall = min(points, key=lambda p: abs(p[0] - alert_rate))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "baseline_alert_rate": rate,
        "baseline_precision": precision,
        "baseline_recall": recall,
        "baseline_f1": f1,
    }


def _pr_curves(metrics: dict[str, Any]) -> dict:
    figure = go.Figure()
    baselines = [name for name in metrics["pr_curve"] if name != "model"]
    for name in ["model", *baselines]:
        curve = metrics["pr_curve"][name]
        colour = MODEL_COLOUR if name == "model" else baseline_colour(baselines.index(name))
        auc = (metrics["model"] if name == "model" else metrics["baselines"][name])["pr_auc"]
        figure.add_trace(
            go.Scatter(
                x=curve["recall"],
                y=curve["precision"],
                name=label(f"{name} (PR AUC {auc:.3f})"),
                line={"color": colour, "width": 3 if name == "model" else 1.5},
            )
        )
    figure.add_hline(
        y=metrics["model"]["base_rate"],
        line_dash="dot",
        annotation_text="breach rate (alerting on everything)",
    )
    figure.update_layout(xaxis_title="recall", yaxis_title="precision", yaxis_range=[0, 1.02])
    return chart(figure, "Breach: precision and recall, model and baselines", 380)


def _reliability(metrics: dict[str, Any]) -> dict:
    bins = metrics["reliability"]
    largest = max((b["count"] for b in bins), default=1)
    briers = ", ".join(
        f"{name} {figures['brier']:.3f}"
        for name, figures in {"model": metrics["model"], **metrics["baselines"]}.items()
    )
    figure = go.Figure(
        [
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                name="perfectly calibrated",
                line={"dash": "dot", "color": baseline_colour(0)},
                mode="lines",
            ),
            go.Scatter(
                x=[b["mean_predicted"] for b in bins],
                y=[b["observed_rate"] for b in bins],
                customdata=[b["count"] for b in bins],
                name="model",
                mode="lines+markers",
                marker={"size": [6 + 18 * b["count"] / largest for b in bins]},
                line={"color": MODEL_COLOUR},
                hovertemplate="predicted %{x:.2f}, observed %{y:.2f} over %{customdata}",
            ),
        ]
    )
    figure.update_layout(xaxis_title="predicted risk", yaxis_title="observed breach rate")
    return chart(figure, "Breach: reliability", 380, subtitle=f"Brier score: {briers}")


def _confusions(thresholds: dict[str, dict[str, Any]]) -> dict:
    rules = list(thresholds)
    figure = make_subplots(
        rows=1, cols=len(rules), subplot_titles=[label(r) for r in rules], shared_yaxes=True
    )
    for i, rule in enumerate(rules, start=1):
        c = thresholds[rule]["confusion"]
        z = [[c["tp"], c["fn"]], [c["fp"], c["tn"]]]
        figure.add_trace(
            go.Heatmap(
                z=z,
                x=["alerted", "not alerted"],
                y=["breached", "met SLA"],
                texttemplate="%{z}",
                colorscale="Blues",
                showscale=False,
                hovertemplate="%{y}, %{x}: %{z}<extra></extra>",
            ),
            row=1,
            col=i,
        )
        figure.update_yaxes(autorange="reversed", row=1, col=i)
    figure.update_layout(margin={"t": 90, "l": 80})
    return chart(figure, "Breach: confusion on the test split at each threshold strategy", 300)
