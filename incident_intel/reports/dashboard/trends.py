"""Each model's headline figures across its training runs (every saved version's card), beside
the best of its baselines in the same run."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from incident_intel.reports.dashboard.figures import MODEL_COLOUR, baseline_colour, chart, label
from incident_intel.reports.headlines import MODEL, headline_figures, is_lower_better

COLUMNS = 4


def trend_charts(cards: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {f"trend_{name}": _trend(name, history) for name, history in cards.items() if history}


def _best_baseline(figure: str, sets: dict[str, dict[str, float]]) -> float | None:
    values = [v[figure] for name, v in sets.items() if name != MODEL and figure in v]
    if not values:
        return None
    return min(values) if is_lower_better(figure) else max(values)


def _trend(name: str, history: list[dict[str, Any]]) -> dict:
    runs = [headline_figures(name, card["metrics"]) for card in history]
    versions = [f"{i}: {card['version']}" for i, card in enumerate(history, start=1)]
    promoted = [bool(card.get("promoted")) for card in history]
    figures = list(runs[-1][MODEL])
    rows = math.ceil(len(figures) / COLUMNS)
    plot = make_subplots(
        rows=rows,
        cols=min(COLUMNS, len(figures)),
        subplot_titles=[label(f.replace("_", " ")) for f in figures],
        vertical_spacing=0.3 / rows,
    )
    for i, figure in enumerate(figures):
        row, col = divmod(i, COLUMNS)
        first = i == 0
        plot.add_trace(
            go.Scatter(
                x=versions,
                y=[run[MODEL].get(figure) for run in runs],
                name="model",
                legendgroup="model",
                showlegend=first,
                mode="lines+markers",
                line={"color": MODEL_COLOUR},
                marker={"symbol": ["circle" if p else "x" for p in promoted], "size": 9},
            ),
            row=row + 1,
            col=col + 1,
        )
        baseline = [_best_baseline(figure, run) for run in runs]
        if any(v is not None for v in baseline):
            plot.add_trace(
                go.Scatter(
                    x=versions,
                    y=baseline,
                    name="best baseline",
                    legendgroup="baseline",
                    showlegend=first,
                    mode="lines+markers",
                    line={"color": baseline_colour(0), "dash": "dash"},
                ),
                row=row + 1,
                col=col + 1,
            )
    plot.update_xaxes(showticklabels=len(history) > 1)
    plot.update_annotations(font_size=11)
    plot.update_layout(margin={"t": 80})
    title = f"{name} across {len(history)} training run(s) (x: not promoted)"
    return chart(plot, title, 90 + 230 * rows)
