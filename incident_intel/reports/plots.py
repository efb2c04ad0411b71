"""PNG plots for the evaluation report, drawn with matplotlib's non-interactive backend."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

# The backend must be chosen before pyplot is imported: there is no display.
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def pr_curves(curves: dict[str, dict[str, list[float]]], base_rate: float) -> bytes:
    figure, axes = plt.subplots(figsize=(5.5, 4.2))
    for name, curve in curves.items():
        axes.plot(curve["recall"], curve["precision"], label=name, lw=2 if name == "model" else 1)
    axes.axhline(base_rate, color="grey", ls=":", label=f"base rate {base_rate:.2f}")
    axes.set(xlabel="recall", ylabel="precision", title="SLA breach: precision-recall (test)")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="upper right", fontsize=8)
    return _png(figure)


def reliability(table: list[dict[str, Any]]) -> bytes:
    rows = [r for r in table if r["count"]]
    figure, axes = plt.subplots(figsize=(5.5, 4.2))
    axes.plot([0, 1], [0, 1], color="grey", ls=":", label="perfectly calibrated")
    axes.plot(
        [r["mean_predicted"] for r in rows],
        [r["observed_rate"] for r in rows],
        marker="o",
        label="model",
    )
    for r in rows:
        axes.annotate(str(r["count"]), (r["mean_predicted"], r["observed_rate"]), fontsize=7)
    axes.set(
        xlabel="mean predicted breach probability",
        ylabel="observed breach rate",
        title="SLA breach: reliability (test; labels are bin counts)",
    )
    axes.legend(loc="upper left", fontsize=8)
    return _png(figure)


def residuals(sample: dict[str, list[float]]) -> bytes:
    figure, axes = plt.subplots(figsize=(5.5, 4.2))
    hours, predicted = sample["hours"], sample["predicted"]
    axes.scatter(hours, [p - h for p, h in zip(predicted, hours, strict=True)], s=6, alpha=0.4)
    axes.axhline(0, color="grey", ls=":")
    axes.set_xscale("symlog")
    axes.set_xlim(left=0)
    axes.set(
        xlabel="actual hours to resolve",
        ylabel="predicted - actual (hours)",
        title="Time to resolution: residuals (test)",
    )
    return _png(figure)


def routing_by_class(target: str, rows: list[dict[str, Any]], limit: int = 20) -> bytes:
    rows = rows[:limit]
    labels = [str(r["predicted"])[:28] for r in rows]
    figure, axes = plt.subplots(figsize=(7, 0.32 * len(rows) + 1.5))
    positions = range(len(rows))
    axes.barh(
        [p + 0.2 for p in positions],
        [r["auto_route_coverage"] for r in rows],
        height=0.4,
        label="auto-route coverage",
    )
    axes.barh(
        [p - 0.2 for p in positions],
        [r["auto_route_precision"] or 0.0 for r in rows],
        height=0.4,
        label="auto-route precision",
    )
    axes.set_yticks(list(positions), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set(title=f"Triage ({target}): precision and coverage per predicted class")
    axes.legend(loc="lower right", fontsize=8)
    return _png(figure)
