"""The archetypes view: the clusters as a treemap labelled with their top terms, and each one's
profile."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from incident_intel.reports.dashboard.figures import chart, label

ROOT = "all incidents"
TERMS_SHOWN = 5


def archetype_profiles(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each cluster's profile, largest first, for the page to show as text (escaped there)."""
    profiles = sorted(summary["metrics"]["profiles"], key=lambda p: -p["size"])
    return [
        {
            "cluster": p["cluster"],
            "label": p["label"],
            "size": p["size"],
            "breach_rate": p.get("breach_rate"),
            "median_ttr_hours": p.get("median_ttr_hours"),
            "dominant": {
                "category": (p.get("dominant_category"), p.get("category_purity")),
                "group": (p.get("dominant_group"), p.get("group_purity")),
                "priority": (p.get("dominant_priority"), p.get("priority_purity")),
            },
            "top_terms": p.get("top_terms", []),
            "exemplars": p.get("exemplars", []),
        }
        for p in profiles
    ]


def archetype_charts(summary: dict[str, Any]) -> dict[str, Any]:
    metrics = summary["metrics"]
    profiles = metrics["profiles"]
    ids = [f"cluster {p['cluster']}" for p in profiles]
    names = [
        f"<b>{label(p['label'])}</b><br>{label(', '.join(p.get('top_terms', [])[:TERMS_SHOWN]))}"
        for p in profiles
    ]
    figure = go.Figure(
        go.Treemap(
            ids=[ROOT, *ids],
            labels=[ROOT, *names],
            parents=["", *[ROOT] * len(profiles)],
            values=[sum(p["size"] for p in profiles), *[p["size"] for p in profiles]],
            branchvalues="total",
            marker={
                "colors": [None, *[p.get("breach_rate") for p in profiles]],
                "colorscale": "Reds",
                "cmin": 0,
                "showscale": True,
                "colorbar": {"title": {"text": "breach rate"}, "tickformat": ".0%"},
            },
            customdata=[
                [None, None],
                *[[p.get("breach_rate"), p.get("median_ttr_hours")] for p in profiles],
            ],
            hovertemplate="%{label}<br>%{value} incidents, breach rate %{customdata[0]:.0%}, "
            "median resolution %{customdata[1]:.1f} h<extra></extra>",
        )
    )
    title = (
        f"{metrics['k']} archetypes (silhouette {metrics['silhouette']:.3f}); "
        "size: incidents, colour: breach rate"
    )
    return {"archetypes_treemap": chart(figure, title, 520)}
