"""Each model's headline figures, and its baselines' beside them: the few numbers worth
following across training runs, in the Dagster UI and on the dashboard."""

from __future__ import annotations

from typing import Any

from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

MODEL = "model"
HEADLINE_KEYS = {
    SLA_BREACH_MODEL.name: ("roc_auc", "pr_auc", "brier"),
    RESOLUTION_TIME_MODEL.name: ("mae_hours", "rmse_hours", "median_ae_hours", "interval_coverage"),
    TRIAGE_MODEL.name: (
        "top1_accuracy",
        "top3_accuracy",
        "macro_f1",
        "coverage_at_target_precision",
    ),
    INCIDENT_CLUSTERS.name: ("silhouette", "category_purity", "group_purity"),
}
LOWER_IS_BETTER = {"brier", "mae_hours", "rmse_hours", "median_ae_hours"}


def _floats(figures: dict[str, Any], keys: tuple[str, ...], prefix: str = "") -> dict[str, float]:
    return {
        f"{prefix}{k}": float(figures[k])
        for k in keys
        if isinstance(figures.get(k), int | float) and not isinstance(figures.get(k), bool)
    }


def headline_figures(name: str, metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{"model": figures, <baseline>: figures} for one model's card metrics.

    Triage holds one classifier per target, so its figures are named `<target>_<figure>`.
    Clusters have no baseline.
    """
    keys = HEADLINE_KEYS[name]
    if name == INCIDENT_CLUSTERS.name:
        return {MODEL: _floats(metrics, keys)}
    targets = metrics.items() if name == TRIAGE_MODEL.name else [("", metrics)]
    sets: dict[str, dict[str, float]] = {}
    for target, per_target in targets:
        prefix = f"{target}_" if target else ""
        sets.setdefault(MODEL, {}).update(_floats(per_target["model"], keys, prefix))
        for baseline, figures in per_target.get("baselines", {}).items():
            sets.setdefault(baseline, {}).update(_floats(figures, keys, prefix))
    return sets


def is_lower_better(figure: str) -> bool:
    return any(figure.endswith(key) for key in LOWER_IS_BETTER)


def evaluation_headlines(summaries: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Every model's headline figures as `<model>_<figure>`, for the report's metadata."""
    return {
        f"{name}_{figure}": value
        for name, summary in summaries.items()
        for figure, value in headline_figures(name, summary["metrics"])[MODEL].items()
    }
