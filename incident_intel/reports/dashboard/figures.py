"""What every dashboard chart shares: a Plotly figure as plain JSON-ready data, one look, and
text made safe for the little markup Plotly reads in labels."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

MODEL_COLOUR = "#1f6feb"
BASELINE_COLOURS = ("#8c959f", "#d29922", "#8250df", "#57606a")
SEVERITY_COLOURS = {"none": "#2da44e", "moderate": "#d29922", "major": "#cf222e"}
BASE_LAYOUT: dict[str, Any] = {
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "margin": {"l": 60, "r": 20, "t": 48, "b": 48},
    "paper_bgcolor": "white",
    "plot_bgcolor": "#f6f8fa",
    "legend": {"orientation": "h", "y": -0.2},
    # Tableau 10: distinct hues for series that are peers (days, priorities, features).
    "colorway": ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"],
}


def chart(
    figure: go.Figure, title: str, height: int = 340, subtitle: str | None = None
) -> dict[str, Any]:
    """The figure as {"data", "layout"} for Plotly.newPlot, with the dashboard's look.

    The Python template is dropped: plotly.js draws the same defaults without it, and each
    chart would otherwise carry a copy of it in the page.
    """
    spec = figure.to_plotly_json()
    layout = {k: v for k, v in spec["layout"].items() if k != "template"}
    heading: dict[str, Any] = {"text": label(title)}
    if subtitle:
        heading["subtitle"] = {"text": label(subtitle)}
    margin = {**BASE_LAYOUT["margin"], **layout.get("margin", {})}
    layout = {**BASE_LAYOUT, **layout, "title": heading, "height": height, "margin": margin}
    return {"data": [_finite(trace) for trace in spec["data"]], "layout": layout}


def label(text: object) -> str:
    """Text for a Plotly label, hover or title.

    Plotly reads a few HTML-like tags in labels (<b>, <br>, <a href>). Incident text is shown
    as written, never as markup: its <, > and & become entities, which Plotly turns back into
    characters when it draws them.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def baseline_colour(index: int) -> str:
    return BASELINE_COLOURS[index % len(BASELINE_COLOURS)]


def _finite(value: Any) -> Any:
    """NaN and infinities as null: JSON has no other way to say them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    return value


def versus_bars(
    model: dict[str, Any], baselines: dict[str, dict[str, Any]], keys: tuple[str, ...], title: str
) -> dict[str, Any]:
    """The model's figures beside each baseline's, one group of bars per figure."""
    bars = [
        go.Bar(
            name="model", x=list(keys), y=[model.get(k) for k in keys], marker_color=MODEL_COLOUR
        )
    ]
    bars += [
        go.Bar(
            name=label(name),
            x=list(keys),
            y=[figures.get(k) for k in keys],
            marker_color=baseline_colour(i),
        )
        for i, (name, figures) in enumerate(baselines.items())
    ]
    figure = go.Figure(bars)
    figure.update_layout(barmode="group")
    return chart(figure, title)
