"""The open-incident risk list: today's open incidents, riskiest first, with everything the
models say about each one."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from incident_intel.reports.dashboard.figures import chart, label

MAX_ROWS = 2000  # the riskiest; a page with more rows than this is no list anyone reads
ROUTING_TARGET = "assignment_group"  # its action (auto-route, review, escalate) is the filter
TRIAGE_TARGETS = ("assignment_group", "category", "priority")


def _top(suggestions: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    return suggestions[0] if suggestions else None


def risk_rows(scores: pl.DataFrame) -> list[dict[str, Any]]:
    ranked = scores.sort("breach_probability", descending=True, nulls_last=True).head(MAX_ROWS)
    rules = [
        c.removeprefix("breach_alert_") for c in scores.columns if c.startswith("breach_alert_")
    ]
    rows = []
    for r in ranked.iter_rows(named=True):
        rows.append(
            {
                "number": r["number"],
                "state": r["state"],
                "opened_at": r["opened_at"].strftime("%Y-%m-%d %H:%M") if r["opened_at"] else "",
                "priority": r["priority"] or "",
                "group": r["assignment_group"] or "(unassigned)",
                "category": r["category"] or "",
                "short_description": r["short_description"] or "",
                "risk": r["breach_probability"],
                "alerts": [rule for rule in rules if r[f"breach_alert_{rule}"]],
                "ttr_hours": r["ttr_hours"],
                "ttr_low_hours": r["ttr_low_hours"],
                "ttr_high_hours": r["ttr_high_hours"],
                "suggestions": {t: _top(r.get(f"{t}_suggestions")) for t in TRIAGE_TARGETS},
                "actions": {t: r.get(f"{t}_action") for t in TRIAGE_TARGETS},
                "action": r.get(f"{ROUTING_TARGET}_action") or "",
                "breach_factors": r["breach_factors"] or [],
                "ttr_factors": r.get("ttr_factors") or [],
                "similar": r["similar"] or [],
            }
        )
    return rows


def filter_options(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        key: sorted({row[key] for row in rows if row[key]})
        for key in ("group", "priority", "action")
    }


def risk_charts(scores: pl.DataFrame) -> dict[str, Any]:
    """Risk against predicted resolution time, one dot per open incident."""
    figure = go.Figure()
    for (priority,), rows in scores.sort("priority").group_by("priority", maintain_order=True):
        figure.add_trace(
            go.Scatter(
                x=rows["ttr_hours"].to_list(),
                y=rows["breach_probability"].to_list(),
                mode="markers",
                name=f"P{priority}",
                text=[
                    label(f"{n}: {d or ''}")
                    for n, d in zip(rows["number"], rows["short_description"], strict=True)
                ],
                hovertemplate="%{text}<br>risk %{y:.0%}, about %{x:.0f} h<extra></extra>",
                marker={"size": 7, "opacity": 0.75},
            )
        )
    figure.update_layout(
        xaxis={"title": "predicted hours to resolve", "type": "log"},
        yaxis={"title": "breach risk", "tickformat": ".0%"},
    )
    return {"risk_map": chart(figure, "Open incidents: breach risk against predicted time", 380)}
